package io.safetyguard.llamacpp;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the tests that start other programs (an arm64 JVM under qemu, a child JVM per CPU variant, the natives
 * harness under Wine) need to know about this machine: where a program is, where build-natives.sh keeps its
 * cache, this JVM's class path for a child JVM, and how to read the "key=value" lines a child prints.
 */
public final class TestHost {

    private TestHost() {}

    /** The executable {@code program} on PATH, or null. */
    public static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(File.pathSeparator)) {
            Path candidate = Path.of(d, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The SafetyGuard cache, as build-natives.sh finds it. */
    public static Path cacheRoot() {
        String cache = System.getenv("SAFETYGUARD_CACHE_DIR");
        if (cache != null && !cache.isBlank()) {
            return Path.of(cache);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(xdg);
        return base.resolve("safetyguard");
    }

    /** This JVM's class path and module path: a child JVM runs everything from the class path. */
    public static String classPath() {
        List<String> parts = new ArrayList<>();
        for (String key : List.of("java.class.path", "jdk.module.path")) {
            String v = System.getProperty(key);
            if (v != null && !v.isBlank()) {
                parts.add(v);
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    /** The rest of the first line of {@code output} that starts with {@code prefix}; fails the test if none. */
    public static String line(String output, String prefix) {
        return output.lines()
                .filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " line in:\n" + output));
    }
}
