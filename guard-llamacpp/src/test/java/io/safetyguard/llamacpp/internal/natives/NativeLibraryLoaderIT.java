package io.safetyguard.llamacpp.internal.natives;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.NativeLoaderProbe;
import io.safetyguard.llamacpp.internal.NativeBridge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryLoaderIT {

    @TempDir
    Path dir;

    @Test
    void loadsTheBundledLibrariesOnceFromAContentAddressedFolder() {
        NativeLibraryLoader.load();
        NativeLibraryLoader.load();
        Path from = NativeLibraryLoader.loadedFrom();
        assertThat(from).isNotNull();
        assertThat(Files.isRegularFile(from.resolve("libraries.txt"))).isTrue();
        assertThat(NativeLibraryLoader.packagedPlatforms()).contains(NativeLibraryLoader.platform());
        assertThat(NativeLibraryLoader.buildInfo().getProperty("llama.cpp.commit"))
                .isEqualTo("80fb11ac73e66d89eae2c6a91d8a77428fa733ed");
        assertThat(NativeLibraryLoader.buildInfo().getProperty("backend")).isNotBlank();
    }

    @Test
    void platformNames() {
        assertThat(NativeLibraryLoader.platform()).matches("[a-z0-9]+-[a-z0-9_]+");
        if (System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").equals("amd64")) {
            assertThat(NativeLibraryLoader.platform()).isEqualTo("linux-x86_64");
        }
    }

    private static String runProbe(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(childClassPath());
        cmd.add("io.safetyguard.llamacpp.NativeLoaderProbe");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return "exit=" + p.exitValue() + " " + out;
    }

    /**
     * Everything this JVM runs, as a class path for the probe. On the module path (surefire's default
     * with a module-info) java.class.path lacks this module and its test classes, which surefire
     * passes as the module path and a --patch-module.
     */
    private static String childClassPath() {
        List<String> entries = new ArrayList<>();
        try {
            entries.add(Path.of(NativeLoaderProbe.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isEmpty()) {
                entries.add(value);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    @Test
    void anUnsupportedPlatformGetsAMessageSayingWhatIsPackagedAndHowToBuild() throws Exception {
        String out = runProbe("-Dos.arch=sparcv9", "-Dsafetyguard.native.cache=" + dir);
        assertThat(out)
                .startsWith("exit=3")
                .contains("no llama.cpp native libraries for this platform")
                .contains("sparcv9")
                .contains("This jar carries " + String.join(", ", NativeLibraryLoader.packagedPlatforms()))
                .contains(NativeLibraryLoader.platform())
                .contains("build-natives.sh")
                .contains(NativeLibraryLoader.DIR_PROPERTY);
    }

    @Test
    void anOverrideDirectoryWithoutABuildIsRefusedClearly() throws Exception {
        String out = runProbe("-D" + NativeLibraryLoader.DIR_PROPERTY + "=" + dir);
        assertThat(out).startsWith("exit=3").contains(dir.toString()).contains("libraries.txt");
    }

    @Test
    void anOverrideDirectoryIsLoadedInPlace() throws Exception {
        NativeLibraryLoader.load();
        Path bundle = NativeLibraryLoader.loadedFrom();
        Path copy = Files.createDirectories(dir.resolve("my-build"));
        try (var files = Files.list(bundle)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        String out = runProbe("-D" + NativeLibraryLoader.DIR_PROPERTY + "=" + copy);
        assertThat(out).startsWith("exit=0").contains("LOADED " + copy).contains("llama.cpp 0.4.0");
    }

    @Test
    void extractionIsReusedByLaterJvms() throws Exception {
        Path cache = dir.resolve("cache");
        String first = runProbe("-Dsafetyguard.native.cache=" + cache);
        String second = runProbe("-Dsafetyguard.native.cache=" + cache);
        assertThat(first).startsWith("exit=0");
        assertThat(second).startsWith("exit=0");
        assertThat(first.lines().filter(l -> l.startsWith("LOADED")).findFirst())
                .isEqualTo(second.lines().filter(l -> l.startsWith("LOADED")).findFirst());
        try (var dirs = Files.list(cache)) {
            assertThat(dirs.filter(Files::isDirectory)
                            .filter(d -> !d.getFileName().toString().startsWith("."))
                            .count())
                    .isEqualTo(1);
        }
    }

    /**
     * The /proc/cpuinfo flags each x86-64 variant needs and ggml's score weight for each of its feature groups
     * (ggml/src/CMakeLists.txt GGML_CPU_ALL_VARIANTS, ggml-cpu/arch/x86/cpu-feats.cpp), written down independently
     * of the shim, which asks the variants themselves.
     */
    private static final Map<String, List<String>> VARIANT_FEATURES = Map.of(
            "x64", List.of(),
            "sse42", List.of("sse42"),
            "sandybridge", List.of("sse42", "avx"),
            "haswell", List.of("sse42", "avx", "f16c", "fma", "avx2", "bmi2"),
            "skylakex", List.of("sse42", "avx", "f16c", "fma", "avx2", "bmi2", "avx512"),
            "icelake", List.of("sse42", "avx", "f16c", "fma", "avx2", "bmi2", "avx512", "vbmi", "vnni"),
            "zen4", List.of("sse42", "avx", "f16c", "fma", "avx2", "bmi2", "avx512", "vbmi", "vnni", "bf16"),
            "alderlake", List.of("sse42", "avx", "f16c", "fma", "avx2", "bmi2", "avx_vnni"));

    private static final Map<String, Integer> FEATURE_WEIGHT = Map.ofEntries(
            Map.entry("fma", 1),
            Map.entry("f16c", 2),
            Map.entry("sse42", 4),
            Map.entry("bmi2", 8),
            Map.entry("avx", 16),
            Map.entry("avx2", 32),
            Map.entry("avx_vnni", 64),
            Map.entry("avx512", 128),
            Map.entry("vbmi", 256),
            Map.entry("bf16", 512),
            Map.entry("vnni", 1024));

    private static boolean has(Set<String> flags, String feature) {
        return switch (feature) {
            case "sse42" -> flags.contains("sse4_2");
            case "avx512" -> flags.containsAll(List.of("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"));
            case "vbmi" -> flags.contains("avx512vbmi");
            case "vnni" -> flags.contains("avx512_vnni");
            case "bf16" -> flags.contains("avx512_bf16");
            default -> flags.contains(feature);
        };
    }

    @Test
    void theChosenCpuVariantIsTheBestThisCpuSupports() throws IOException {
        NativeBridge.ensureInitialised();
        String listed = NativeLibraryLoader.buildInfo().getProperty("cpu.variants", "");
        Assumptions.assumeFalse(listed.isEmpty(), "this bundle has one fixed ggml-cpu (no CPU-feature dispatch)");
        Path cpuinfo = Path.of("/proc/cpuinfo");
        Assumptions.assumeTrue(Files.isReadable(cpuinfo), "no /proc/cpuinfo");
        String flagsLine = Files.readAllLines(cpuinfo).stream()
                .filter(l -> l.startsWith("flags"))
                .findFirst()
                .orElseThrow();
        Set<String> flags = new TreeSet<>(
                List.of(flagsLine.substring(flagsLine.indexOf(':') + 1).trim().split("\\s+")));
        String best = null;
        int bestScore = 0;
        for (String variant : listed.split(",")) {
            List<String> needs = VARIANT_FEATURES.get(variant);
            assertThat(needs)
                    .as("features of variant " + variant + " known to this test")
                    .isNotNull();
            if (needs.stream().allMatch(f -> has(flags, f))) {
                int score = 1 + needs.stream().mapToInt(FEATURE_WEIGHT::get).sum();
                if (score > bestScore) {
                    best = variant;
                    bestScore = score;
                }
            }
        }
        assertThat(NativeBridge.cpuVariant())
                .as("variant chosen among " + listed)
                .isEqualTo(best);
    }

    @Test
    void aRequestedCpuVariantIsLoadedAndAnUnknownOneIsRefusedNamingThePresentOnes() throws Exception {
        NativeLibraryLoader.load();
        Assumptions.assumeFalse(
                NativeLibraryLoader.buildInfo().getProperty("cpu.variants", "").isEmpty(),
                "this bundle has one fixed ggml-cpu (no CPU-feature dispatch)");
        String forced = runProbe("-D" + CpuVariants.VARIANT_PROPERTY + "=x64");
        assertThat(forced).startsWith("exit=0").contains(" cpu x64");
        String unknown = runProbe("-D" + CpuVariants.VARIANT_PROPERTY + "=pentium2");
        assertThat(unknown)
                .startsWith("exit=3")
                .contains("safetyguard.cpu.variant=pentium2 names no CPU variant")
                .contains("x64 (score 1)");
    }

    @Test
    void theCpuCheckNamesMissingInstructions() {
        String requires = "sse4_2,avx,avx2,fma,f16c,bmi2";
        assertThat(NativeLibraryLoader.missingCpuFeatures(
                        requires, "flags\t\t: fpu sse4_2 avx avx2 fma f16c bmi2 avx512f"))
                .isEmpty();
        assertThat(NativeLibraryLoader.missingCpuFeatures(requires, "flags : fpu sse4_2 avx"))
                .containsExactly("avx2", "fma", "f16c", "bmi2");
        assertThat(NativeLibraryLoader.buildInfo().getProperty("cpu.requires", ""))
                .doesNotContain(" ");
    }
}
