package io.safetyguard.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Peak resident set size (VmHWM) from Linux's {@code /proc/<pid>/status}; empty where there is no /proc. */
public final class ProcStatus {
    private ProcStatus() {}

    /** Peak RSS of this JVM in KiB. */
    public static OptionalLong selfPeakRssKib() {
        return peakRssKib(Path.of("/proc/self/status"));
    }

    /**
     * Starts a new peak-RSS measurement for this process (Linux: writing 5 to /proc/self/clear_refs resets
     * VmHWM to the current RSS); false where that is not possible, and the peak then stays the process's.
     */
    public static boolean resetSelfPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Peak RSS of a running process in KiB; empty once it has exited. */
    public static OptionalLong peakRssKib(long pid) {
        return peakRssKib(Path.of("/proc/" + pid + "/status"));
    }

    static OptionalLong peakRssKib(Path status) {
        try {
            return parseVmHwm(Files.readString(status));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty(); // not Linux, or the process is gone
        }
    }

    /** The {@code VmHWM:  1234 kB} line of a status file. */
    static OptionalLong parseVmHwm(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                return OptionalLong.of(Long.parseLong(parts[0]));
            }
        }
        return OptionalLong.empty();
    }
}
