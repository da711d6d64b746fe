package io.safetyguard.llamacpp.internal.natives;

import io.safetyguard.llamacpp.NativeLibraryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Chooses which build of ggml's CPU backend to load when a bundle carries several (CPU-feature dispatch): each
 * variant module ({@code libggml-cpu-<name>.so}, {@code ggml-cpu-<name>.dll}, listed in the bundle's
 * {@value #LIST}) is compiled for one CPU generation, and ggml's own {@code ggml_backend_score()} says whether it
 * runs on this CPU (0: it lacks an instruction set the variant uses) and how well (more features, higher score).
 * The highest score wins, unless {@value #VARIANT_PROPERTY} / {@value #VARIANT_ENV} names a variant: then that
 * one, if this CPU can run it.
 */
public final class CpuVariants {

    /** System property naming the CPU variant to load instead of the best one, e.g. {@code x64}. */
    public static final String VARIANT_PROPERTY = "safetyguard.cpu.variant";
    /** Environment variable naming the CPU variant to load instead of the best one. */
    public static final String VARIANT_ENV = "SAFETYGUARD_CPU_VARIANT";
    /** The bundle file listing the variant modules: extracted next to the libraries, never System.load()ed. */
    public static final String LIST = "cpu-variants.txt";

    /** One variant module and what scoring it gave: its score, or why it could not be opened (score -1). */
    public record Candidate(String name, Path file, int score, String problem) {
        public boolean runsHere() {
            return score > 0;
        }

        public String describe() {
            if (problem != null) {
                return name + " (cannot open: " + problem + ")";
            }
            return name + (score > 0 ? " (score " + score + ")" : " (needs instructions this CPU lacks)");
        }
    }

    private CpuVariants() {}

    /** The variant modules {@value #LIST} in {@code dir} lists; empty when there is no list (a fixed build). */
    public static List<Path> listedIn(Path dir) {
        Path list = dir.resolve(LIST);
        if (!Files.isRegularFile(list)) {
            return List.of();
        }
        try {
            return Files.readAllLines(list, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty() && !s.startsWith("#"))
                    .map(dir::resolve)
                    .toList();
        } catch (IOException e) {
            throw new NativeLibraryException("cannot read " + list + ": " + e, e);
        }
    }

    /** The variant's name from its file name: {@code libggml-cpu-zen4.so} and {@code ggml-cpu-zen4.dll} → zen4. */
    public static String variantName(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String stem = dot > 0 ? n.substring(0, dot) : n;
        int at = stem.indexOf("ggml-cpu-");
        return at >= 0 ? stem.substring(at + "ggml-cpu-".length()) : stem;
    }

    /** The variant requested by {@value #VARIANT_PROPERTY} or {@value #VARIANT_ENV}, or null for the best one. */
    public static String requested() {
        String v = System.getProperty(VARIANT_PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(VARIANT_ENV);
        }
        return v == null || v.isBlank() ? null : v.strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The candidate to load: the requested one (if it runs here) or the highest-scoring one.
     *
     * @throws NativeLibraryException naming the directory, the variants and their scores, and the CPU, when none
     *     fits (or the requested one is absent or does not run here)
     */
    public static Candidate choose(List<Candidate> candidates, String requested, Path dir, String cpu) {
        String present = candidates.isEmpty()
                ? "none"
                : candidates.stream().map(Candidate::describe).collect(Collectors.joining(", "));
        if (requested != null) {
            Candidate c = candidates.stream()
                    .filter(x -> x.name().equals(requested))
                    .findFirst()
                    .orElseThrow(() -> new NativeLibraryException(VARIANT_PROPERTY + "=" + requested
                            + " names no CPU variant of llama.cpp's ggml-cpu in " + dir + "; present: " + present
                            + ". Use one of those names, or unset it to load the best one for this CPU."));
            if (!c.runsHere()) {
                throw new NativeLibraryException(VARIANT_PROPERTY + "=" + requested + " cannot run on this CPU (" + cpu
                        + "): " + c.describe() + ". Variants in " + dir + ": " + present + ".");
            }
            return c;
        }
        return candidates.stream()
                .filter(Candidate::runsHere)
                .max(Comparator.comparingInt(Candidate::score))
                .orElseThrow(() -> new NativeLibraryException("no CPU variant of llama.cpp's ggml-cpu in " + dir
                        + " can run on this CPU (" + cpu + "); variants: " + present + ". Build the natives on this "
                        + "machine (mvn -pl guard-llamacpp -am package -Dsafetyguard.native.cmakeArgs=-DGGML_NATIVE=ON)"
                        + " and point -D" + NativeLibraryLoader.DIR_PROPERTY + " at "
                        + "guard-llamacpp/target/generated-resources/llamacpp/natives/" + NativeLibraryLoader.platform()
                        + "."));
    }

    /** This CPU in words, for messages: the model name and its SIMD flags where /proc/cpuinfo tells them. */
    public static String describeCpu() {
        String arch = System.getProperty("os.arch", "?");
        Path cpuinfo = Paths.get("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                List<String> lines = Files.readAllLines(cpuinfo, StandardCharsets.ISO_8859_1);
                String model = valueOf(lines, "model name");
                String flags = valueOf(lines, "flags");
                List<String> simd = new ArrayList<>();
                if (flags != null) {
                    for (String f : flags.split("\\s+")) {
                        if (f.startsWith("avx")
                                || f.startsWith("sse4")
                                || f.startsWith("amx")
                                || List.of("fma", "f16c", "bmi2").contains(f)) {
                            simd.add(f);
                        }
                    }
                }
                return (model != null ? model : arch) + (flags != null ? ", flags " + String.join(" ", simd) : "");
            } catch (IOException e) {
                // fall through
            }
        }
        String id = System.getenv("PROCESSOR_IDENTIFIER");
        return id != null ? id : arch;
    }

    private static String valueOf(List<String> lines, String key) {
        for (String l : lines) {
            if (l.startsWith(key)) {
                int c = l.indexOf(':');
                return c >= 0 ? l.substring(c + 1).strip() : null;
            }
        }
        return null;
    }
}
