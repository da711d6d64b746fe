package io.safetyguard.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** Runs llama-mtmd-cli on one image and reads its answer, timings and peak memory. */
public final class MtmdCliRunner {
    /** How often the child's VmHWM is sampled; it only grows, so the last sample before exit is close to the peak. */
    private static final long RSS_POLL_MILLIS = 5;

    private final ReferenceSetup setup;
    private final Path workDir;
    private final long timeoutMillis;

    /**
     * @param workDir       where the child's stdout and stderr are written (files, so neither pipe can fill up)
     * @param timeoutMillis how long one invocation may take before it is killed and reported
     */
    public MtmdCliRunner(ReferenceSetup setup, Path workDir, long timeoutMillis) {
        this.setup = setup;
        this.workDir = workDir;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Runs it on {@code image}.
     *
     * @throws BenchException when it cannot start, fails, times out or prints no timings (with its log's tail)
     */
    public MtmdCliRun run(Path image) throws IOException, InterruptedException {
        List<String> command = setup.command(image);
        Path out = workDir.resolve("mtmd-cli.out");
        Path err = workDir.resolve("mtmd-cli.err");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BenchException(
                    "cannot run " + setup.cli() + ": " + e.getMessage()
                            + ". Pass --mtmd-cli PATH, or --no-reference to benchmark SafetyGuard alone.",
                    e);
        }
        long peak = -1;
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            while (!p.waitFor(RSS_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                OptionalLong hwm = ProcStatus.peakRssKib(p.pid());
                if (hwm.isPresent()) {
                    peak = Math.max(peak, hwm.getAsLong());
                }
                if (System.nanoTime() > deadline) {
                    throw new BenchException("llama-mtmd-cli took longer than " + timeoutMillis / 1000 + " s on "
                            + image + " and was stopped; raise --reference-timeout or use a smaller --max-new-tokens");
                }
            }
        } finally {
            if (p.isAlive()) { // timed out or interrupted: never leave the child running
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        double wall = (System.nanoTime() - t0) / 1e6;
        String log = Files.readString(err, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new BenchException("llama-mtmd-cli failed on " + image + " (exit " + p.exitValue() + "):\n"
                    + tail(log) + "\ncommand: " + String.join(" ", command));
        }
        MtmdCliTimings timings = MtmdCliLog.parse(log);
        if (!timings.complete()) {
            throw new BenchException("llama-mtmd-cli printed no llama_perf timings for " + image + ":\n" + tail(log));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8).strip();
        return new MtmdCliRun(
                image.getFileName().toString(),
                wall,
                timings,
                text,
                peak < 0 ? OptionalLong.empty() : OptionalLong.of(peak));
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        int from = Math.max(0, lines.length - 15);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
