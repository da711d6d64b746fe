package io.safetyguard.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's cross-compiled windows-x86_64 DLLs, run for real under Wine, as far as that is possible
 * without a Windows JVM (none can be had from the package registries this build reaches).
 *
 * <p>One C++ harness, guard-llamacpp/native/wine/natives_harness.cpp, compiled twice from the same source:
 * with g++ against the linux-x86_64 bundle and with MinGW (run under Wine) against the windows-x86_64
 * one. Each loads its bundle in libraries.txt order the way the Java loader does (LoadLibrary by full path
 * / dlopen), checks that the JNI shim exports every JNI entry point, and makes a greedy generation on a
 * tiny model and a test image through the llama.cpp + mtmd C API of the loaded libraries. The two must
 * pick the same tokens, with the same five most likely tokens' logits up to float rounding.
 *
 * <p>Not covered: the JNI layer itself running inside a Windows JVM. Skipped, with the reason, where Wine,
 * g++, MinGW, the windows-x86_64 natives or the llama.cpp headers are missing (.ci/run installs Wine and
 * MinGW).
 */
class WindowsNativesUnderWineIT {

    /** Where the Wine prefix lives; default: wine/prefix in the SafetyGuard cache (made once, ~700 MB). */
    static final String PREFIX_PROPERTY = "safetyguard.wine.prefix";

    private static final String MINGW_CXX = "x86_64-w64-mingw32-g++-posix";
    private static final String MINGW_OBJDUMP = "x86_64-w64-mingw32-objdump";
    private static final int NEW_TOKENS = 8;
    /** Room for libm (exp, tanh, …) to differ between glibc and msvcrt; another test image moves the logits more. */
    private static final double LOGIT_TOLERANCE = 1e-3;

    private static final Path HARNESS_SOURCE = Path.of("../guard-llamacpp/native/wine/natives_harness.cpp");

    @TempDir
    Path dir;

    @Test
    void theWindowsDllsLoadUnderWineAndGenerateTheSameTokensAsTheLinuxLibraries() throws Exception {
        Assumptions.assumeTrue(
                NativeLibraryLoader.platform().equals("linux-x86_64"),
                "runs on linux-x86_64 build machines (this is " + NativeLibraryLoader.platform() + ")");
        Path wine = wine();
        Assumptions.assumeTrue(wine != null, "Wine is not installed (apt-get install --no-install-recommends wine64)");
        Assumptions.assumeTrue(
                TestHost.onPath(MINGW_CXX) != null,
                "no " + MINGW_CXX + " (apt-get install g++-mingw-w64-x86-64-posix)");
        Assumptions.assumeTrue(
                TestHost.onPath("g++") != null && TestHost.onPath("nm") != null, "no g++/nm (apt-get install g++)");
        Assumptions.assumeTrue(
                NativeLibraryLoader.packagedPlatforms().contains("windows-x86_64"),
                "guard-llamacpp was built without windows-x86_64 natives (apt-get install g++-mingw-w64-x86-64-posix)");
        Path source = HARNESS_SOURCE.toAbsolutePath().normalize();
        assertThat(source).as("the harness source (tests run in guard-it/)").isRegularFile();

        Path windows = extractBundle("windows-x86_64");
        NativeLibraryLoader.load();
        Path linux = NativeLibraryLoader.loadedFrom();
        Path headers = llamaCppTree(windows);
        Assumptions.assumeTrue(
                Files.isRegularFile(headers.resolve("include/llama.h")),
                "no llama.cpp source tree at " + headers + " (build-natives.sh unpacks it there)");

        // the JNI entry points: the Windows shim exports the same ones as the Linux shim
        Set<String> winSymbols = windowsJniExports(windows.resolve("safetyguard_jni.dll"));
        Set<String> linuxSymbols = linuxJniExports(linux.resolve("libsafetyguard_jni.so"));
        assertThat(winSymbols)
                .as("JNI exports of safetyguard_jni.dll vs the Linux shim")
                .isEqualTo(linuxSymbols);
        assertThat(winSymbols).contains("JNI_OnLoad").hasSizeGreaterThan(10);
        Path symbols = dir.resolve("jni-symbols.txt");
        Files.write(symbols, winSymbols);

        List<String> include = List.of(
                "-I" + headers.resolve("include"),
                "-I" + headers.resolve("ggml/include"),
                "-I" + headers.resolve("tools/mtmd"));
        Path nativeHarness = dir.resolve("natives_harness");
        Path windowsHarness = dir.resolve("natives_harness.exe");
        compile("g++", source, include, nativeHarness, List.of("-ldl"));
        compile(MINGW_CXX, source, include, windowsHarness, List.of("-static"));

        TinyModelPair pair = TestSupport.generate(TinyModelFlavor.QWEN2_SIGLIP, dir);
        Path image = dir.resolve("pattern.ppm");
        Files.write(image, ppm(TestSupport.pattern(48, 36, 7)));

        NativesHarnessRun onLinux = runNatively(nativeHarness, linux, symbols, pair, image);
        // what the comparison below can see: another image moves the logits by more than the tolerance
        Path otherImage = dir.resolve("other.ppm");
        Files.write(otherImage, ppm(TestSupport.pattern(48, 36, 8)));
        NativesHarnessRun otherOnLinux = runNatively(nativeHarness, linux, symbols, pair, otherImage);
        assertThat(onLinux.maxLogitDifference(otherOnLinux))
                .as("top-5 logit difference between two test images (sensitivity of this test)")
                .isGreaterThan(LOGIT_TOLERANCE);

        long t0 = System.nanoTime();
        NativesHarnessRun underWine = NativesHarnessRun.parse(run(
                List.of(
                        wine.toString(),
                        windowsPath(windowsHarness),
                        windowsPath(windows),
                        windowsPath(symbols),
                        windowsPath(pair.model()),
                        windowsPath(pair.mmproj()),
                        windowsPath(image),
                        String.valueOf(NEW_TOKENS)),
                Map.of(
                        "WINEPREFIX", winePrefix().toString(),
                        "WINEDEBUG", "-all",
                        // no Mono/Gecko installer when a prefix is created (there is no network, no user)
                        "WINEDLLOVERRIDES", "mscoree=;mshtml="),
                "wine"));
        System.out.printf(
                "harness under Wine: %.1f s; Linux tokens %s; max top-5 logit difference %.2e (another image: %.2e)%n",
                (System.nanoTime() - t0) / 1e9,
                onLinux.tokens(),
                onLinux.maxLogitDifference(underWine),
                onLinux.maxLogitDifference(otherOnLinux));

        assertThat(underWine.loaded()).as("DLLs loaded under Wine").isEqualTo(libraries(windows));
        assertThat(onLinux.loaded()).as("libraries loaded on Linux").isEqualTo(libraries(linux));
        assertThat(underWine.jniSymbols()).isEqualTo(winSymbols.size());
        // a dispatched bundle: the same CPU variant chosen under Wine as on Linux (libggml-cpu-zen4.so and
        // ggml-cpu-zen4.dll), so that both runs compute with the same kernels
        if (Files.exists(windows.resolve("cpu-variants.txt"))) {
            assertThat(underWine.cpuVariant()).as("CPU variant under Wine").isNotNull();
            assertThat(variantName(underWine.cpuVariant()))
                    .as("CPU variant under Wine vs Linux")
                    .isEqualTo(variantName(onLinux.cpuVariant()));
        }
        assertThat(underWine.tokens())
                .as("greedy tokens under Wine vs Linux")
                .hasSize(NEW_TOKENS)
                .isEqualTo(onLinux.tokens());
        for (int step = 0; step < NEW_TOKENS; step++) {
            Set<Integer> both = new TreeSet<>(underWine.top().get(step).keySet());
            both.retainAll(onLinux.top().get(step).keySet());
            assertThat(both)
                    .as("tokens among the five most likely at step %d on both (a near tie may swap the fifth)", step)
                    .hasSizeGreaterThanOrEqualTo(4);
        }
        assertThat(onLinux.maxLogitDifference(underWine))
                .as("largest difference of the top-5 logits, Wine vs Linux")
                .isLessThan(LOGIT_TOLERANCE);
    }

    /** "zen4" of libggml-cpu-zen4.so or ggml-cpu-zen4.dll (null stays null, so a missing one fails the test). */
    private static String variantName(String file) {
        return file == null ? null : file.replaceFirst("^(lib)?ggml-cpu-", "").replaceFirst("\\.(so|dll)$", "");
    }

    private static NativesHarnessRun runNatively(
            Path harness, Path bundle, Path symbols, TinyModelPair pair, Path image) throws Exception {
        return NativesHarnessRun.parse(run(
                List.of(
                        harness.toString(),
                        bundle.toString(),
                        symbols.toString(),
                        pair.model().toString(),
                        pair.mmproj().toString(),
                        image.toString(),
                        String.valueOf(NEW_TOKENS)),
                Map.of(),
                "the harness on Linux"));
    }

    /** The jar's natives/PLATFORM/ folder, copied out of the class path. */
    private Path extractBundle(String platform) throws IOException {
        String base = "/natives/" + platform + "/";
        Path out = dir.resolve(platform);
        Files.createDirectories(out);
        List<String> names = new ArrayList<>(List.of("libraries.txt", "build.properties"));
        try (InputStream in = NativeLibraryLoader.class.getResourceAsStream(base + "libraries.txt")) {
            assertThat(in).as(base + "libraries.txt").isNotNull();
            names.addAll(nonBlankLines(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
        // a dispatched bundle's CPU variant modules, which libraries.txt does not list
        try (InputStream in = NativeLibraryLoader.class.getResourceAsStream(base + "cpu-variants.txt")) {
            if (in != null) {
                List<String> variants = nonBlankLines(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                names.add("cpu-variants.txt");
                names.addAll(variants);
            }
        }
        for (String name : names) {
            try (InputStream in = NativeLibraryLoader.class.getResourceAsStream(base + name)) {
                assertThat(in).as(base + name).isNotNull();
                Files.write(out.resolve(name), in.readAllBytes());
            }
        }
        return out;
    }

    /** The verified (unpatched) llama.cpp tree of the commit the bundle was built from: its headers only. */
    private static Path llamaCppTree(Path bundle) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(bundle.resolve("build.properties"))) {
            p.load(in);
        }
        String commit = p.getProperty("llama.cpp.commit", "");
        assertThat(commit).as("llama.cpp.commit in build.properties").isNotBlank();
        return TestHost.cacheRoot().resolve("src/llama.cpp-" + commit);
    }

    private static Set<String> windowsJniExports(Path dll) throws Exception {
        Assumptions.assumeTrue(
                TestHost.onPath(MINGW_OBJDUMP) != null,
                "no " + MINGW_OBJDUMP + " (apt-get install binutils-mingw-w64)");
        Set<String> names = new TreeSet<>();
        // export table lines: "\t[  12] Java_io_safetyguard_..."
        Matcher m = Pattern.compile("\\[\\s*\\d+\\]\\s+(\\S+)")
                .matcher(run(List.of(MINGW_OBJDUMP, "-p", dll.toString()), Map.of(), "objdump"));
        while (m.find()) {
            if (isJniEntryPoint(m.group(1))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static Set<String> linuxJniExports(Path so) throws Exception {
        Set<String> names = new TreeSet<>();
        for (String line : run(List.of("nm", "-D", "--defined-only", so.toString()), Map.of(), "nm")
                .lines()
                .toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3 && isJniEntryPoint(f[2])) {
                names.add(f[2]);
            }
        }
        return names;
    }

    private static boolean isJniEntryPoint(String symbol) {
        return symbol.equals("JNI_OnLoad") || symbol.startsWith("Java_io_safetyguard_");
    }

    private void compile(String compiler, Path source, List<String> include, Path out, List<String> libs)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(compiler, "-std=c++17", "-O1"));
        command.addAll(include);
        command.add(source.toString());
        command.addAll(List.of("-o", out.toString()));
        command.addAll(libs);
        run(command, Map.of(), compiler);
    }

    /** Runs a command to its end (3 minutes at most) and returns its standard output; fails on a non-zero exit. */
    private static String run(List<String> command, Map<String, String> env, String what) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("DISPLAY"); // Wine needs no X server here
        pb.environment().putAll(env);
        File out = File.createTempFile("wine-it-out", ".txt");
        File err = File.createTempFile("wine-it-err", ".txt");
        try {
            pb.redirectOutput(out).redirectError(err);
            Process p = pb.start();
            boolean finished = p.waitFor(3, TimeUnit.MINUTES);
            if (!finished) {
                p.destroyForcibly();
            }
            String stdout = Files.readString(out.toPath(), StandardCharsets.UTF_8);
            String stderr = Files.readString(err.toPath(), StandardCharsets.UTF_8);
            assertThat(finished)
                    .as("%s finished within 3 minutes:%n%s%n%s", what, stdout, stderr)
                    .isTrue();
            assertThat(p.exitValue())
                    .as("exit status of %s (%s):%n%s%n%s", what, String.join(" ", command), stdout, stderr)
                    .isZero();
            return stdout;
        } finally {
            Files.deleteIfExists(out.toPath());
            Files.deleteIfExists(err.toPath());
        }
    }

    /** Binary PPM (P6): RGB bytes, what the Java side hands to mtmd. */
    private static byte[] ppm(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(
                ("P6\n" + image.getWidth() + " " + image.getHeight() + "\n255\n").getBytes(StandardCharsets.US_ASCII));
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                out.write((rgb >> 16) & 255);
                out.write((rgb >> 8) & 255);
                out.write(rgb & 255);
            }
        }
        return out.toByteArray();
    }

    /** Wine maps the Unix root to drive Z:. */
    private static String windowsPath(Path p) {
        return "Z:" + p.toAbsolutePath().toString().replace('/', '\\');
    }

    private static List<String> libraries(Path bundle) throws IOException {
        return nonBlankLines(Files.readString(bundle.resolve("libraries.txt"), StandardCharsets.UTF_8));
    }

    private static List<String> nonBlankLines(String text) {
        return text.lines()
                .map(String::strip)
                .filter(s -> !s.isEmpty() && !s.startsWith("#"))
                .toList();
    }

    /** Debian's wine64 package has its loader outside PATH; the wine package adds "wine". */
    private static Path wine() {
        for (String name : List.of("wine64", "wine")) {
            Path p = TestHost.onPath(name);
            if (p != null) {
                return p;
            }
        }
        Path debian = Path.of("/usr/lib/wine/wine64");
        return Files.isExecutable(debian) ? debian : null;
    }

    private static Path winePrefix() throws IOException {
        String configured = System.getProperty(PREFIX_PROPERTY, "");
        Path prefix = configured.isBlank() ? TestHost.cacheRoot().resolve("wine/prefix") : Path.of(configured);
        Files.createDirectories(prefix.getParent());
        return prefix;
    }
}
