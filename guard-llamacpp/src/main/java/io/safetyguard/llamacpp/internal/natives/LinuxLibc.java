package io.safetyguard.llamacpp.internal.natives;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells glibc from musl on Linux. The bundled Linux natives link against glibc, so on musl (Alpine)
 * they fail to load with an obscure "symbol not found" error; the loader refuses them with a message
 * instead. The JVM's own memory map names the C library it runs on ({@code ld-musl-*.so.1}).
 */
final class LinuxLibc {

    private LinuxLibc() {}

    /** True when this process runs on musl libc; false on glibc or when it cannot be told. */
    static boolean isMusl() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return false;
        }
        try {
            return mapsShowMusl(Files.readString(maps, StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** True when a {@code /proc/<pid>/maps} text shows musl's dynamic loader or C library mapped. */
    static boolean mapsShowMusl(String maps) {
        return maps.lines().anyMatch(line -> {
            int slash = line.lastIndexOf('/');
            String file = slash < 0 ? "" : line.substring(slash + 1);
            return file.startsWith("ld-musl-") || file.startsWith("libc.musl-");
        });
    }
}
