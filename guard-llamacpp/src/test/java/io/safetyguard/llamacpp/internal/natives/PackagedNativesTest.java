package io.safetyguard.llamacpp.internal.natives;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static checks of the natives this build packaged for each platform, including those cross-compiled
 * for platforms this machine cannot run: every bundle lists files that exist, its shim exports a JNI
 * symbol for every {@code native} method of the Java side, and the Windows DLLs import nothing but
 * Windows' own DLLs and each other (libstdc++, libgcc and winpthread are linked in statically). Bundles with
 * CPU-feature dispatch: the ggml-cpu variant modules are present, export what ggml's loader looks up, and nothing
 * that is loaded links ggml-cpu.
 */
class PackagedNativesTest {

    /** DLLs every Windows installation has; anything else a bundle DLL imports must be in the bundle. */
    private static final Set<String> WINDOWS_SYSTEM_DLLS = Set.of(
            "kernel32.dll",
            "msvcrt.dll",
            "advapi32.dll",
            "user32.dll",
            "ws2_32.dll",
            "bcrypt.dll",
            "ntdll.dll",
            "shell32.dll",
            "ole32.dll",
            "ucrtbase.dll");

    @TempDir
    Path dir;

    @Test
    void everyPackagedBundleIsComplete() throws IOException {
        Set<String> platforms = NativeLibraryLoader.packagedPlatforms();
        assertThat(platforms).as("the jar carries this machine's natives").contains(NativeLibraryLoader.platform());
        for (String platform : platforms) {
            Path bundle = bundle(platform);
            List<String> libs = libraries(bundle);
            assertThat(libs).as(platform).isNotEmpty();
            for (String lib : libs) {
                assertThat(bundle.resolve(lib)).as(platform + " lists " + lib).isRegularFile();
            }
            String props = Files.readString(bundle.resolve("build.properties"), StandardCharsets.UTF_8);
            assertThat(props).as(platform).contains("platform=" + platform + "\n");
            List<String> variants = variantFiles(bundle);
            if (platform.endsWith("-x86_64") && props.contains("backend=cpu\n") && !props.contains("cpu.variants=")) {
                // a fixed build on purpose (--cpu-variants none, or CPU flags such as -DGGML_NATIVE=ON)
                assertThat(props).as(platform).containsAnyOf("cpu.requires=", "-DGGML_NATIVE=ON", "-DGGML_AVX");
                assertThat(libs).as(platform + " libraries.txt").anyMatch(l -> l.contains("ggml-cpu"));
            } else if (platform.endsWith("-x86_64") && props.contains("backend=cpu\n")) {
                // the x86-64 CPU bundles dispatch: ggml-cpu is not loaded by Java, one variant per CPU generation
                assertThat(props).as(platform).doesNotContain("cpu.requires=");
                assertThat(variants)
                        .as(platform + " " + CpuVariants.LIST)
                        .hasSizeGreaterThanOrEqualTo(2)
                        .anyMatch(v -> CpuVariants.variantName(Path.of(v)).equals("x64"));
                assertThat(libs).as(platform + " libraries.txt").noneMatch(l -> l.contains("ggml-cpu"));
                String listed = props.lines()
                        .filter(l -> l.startsWith("cpu.variants="))
                        .findFirst()
                        .orElseThrow()
                        .substring("cpu.variants=".length());
                assertThat(variants.stream()
                                .map(v -> CpuVariants.variantName(Path.of(v)))
                                .toList())
                        .as(platform)
                        .containsExactly(listed.split(","));
            }
            for (String v : variants) {
                assertThat(bundle.resolve(v)).as(platform + " lists " + v).isRegularFile();
            }
        }
    }

    @Test
    void linuxCpuVariantsExportWhatGgmlLooksUpAndNothingLoadedNeedsGgmlCpu() throws Exception {
        Assumptions.assumeTrue(onPath("readelf"), "readelf (binutils) is not installed");
        Path bundle = bundle("linux-x86_64");
        List<String> variants = variantFiles(bundle);
        Assumptions.assumeFalse(variants.isEmpty(), "this linux-x86_64 bundle has one fixed ggml-cpu");
        for (String v : variants) {
            Set<String> exported = new TreeSet<>();
            for (String line :
                    run("readelf", "-W", "--dyn-syms", bundle.resolve(v).toString())) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 8 && f[3].equals("FUNC") && !f[6].equals("UND")) {
                    exported.add(f[7].replaceAll("@.*", ""));
                }
            }
            assertThat(exported).as(v).contains("ggml_backend_init", "ggml_backend_score");
        }
        for (String lib : libraries(bundle)) {
            List<String> needed = run("readelf", "-d", bundle.resolve(lib).toString()).stream()
                    .filter(l -> l.contains("(NEEDED)"))
                    .toList();
            assertThat(needed).as(lib + " needs").noneMatch(l -> l.contains("ggml-cpu"));
        }
    }

    /**
     * A cross build is skipped with only a log line when its compiler is missing; where the compiler is
     * installed (CI installs both), a missing platform means the build broke, not that it was skipped.
     */
    @Test
    void everyInstalledCrossCompilerPutItsPlatformIntoTheJar() {
        Assumptions.assumeFalse(
                Boolean.getBoolean("safetyguard.native.cross.skip"),
                "cross builds are off (-Dsafetyguard.native.cross.skip=true)");
        Assumptions.assumeTrue(
                NativeLibraryLoader.platform().startsWith("linux-"), "cross builds run on Linux build machines");
        Map<String, String> crossCompilers = Map.of(
                "linux-aarch64", "aarch64-linux-gnu-g++",
                "windows-x86_64", "x86_64-w64-mingw32-g++-posix");
        crossCompilers.forEach((platform, compiler) -> {
            if (!platform.equals(NativeLibraryLoader.platform()) && onPath(compiler)) {
                assertThat(NativeLibraryLoader.packagedPlatforms())
                        .as("%s is installed, so the jar must carry natives/%s/", compiler, platform)
                        .contains(platform);
            }
        });
    }

    @Test
    void everyLinuxShimExportsEveryNativeMethod() throws Exception {
        Assumptions.assumeTrue(onPath("readelf"), "readelf (binutils) is not installed");
        Set<String> expected = expectedJniSymbols();
        for (String platform : NativeLibraryLoader.packagedPlatforms()) {
            if (!platform.startsWith("linux-")) {
                continue;
            }
            Path shim = bundle(platform).resolve("libsafetyguard_jni.so");
            Set<String> exported = new TreeSet<>();
            for (String line : run("readelf", "-W", "--dyn-syms", shim.toString())) {
                String[] f = line.trim().split("\\s+");
                // Num: Value Size Type Bind Vis Ndx Name; defined (Ndx not UND) global functions
                if (f.length >= 8 && f[3].equals("FUNC") && !f[6].equals("UND")) {
                    exported.add(f[7].replaceAll("@.*", ""));
                }
            }
            assertThat(exported).as(platform + " shim exports").containsAll(expected);
        }
    }

    @Test
    void theWindowsDllsExportTheJniSymbolsAndImportOnlySystemDllsAndEachOther() throws Exception {
        Assumptions.assumeTrue(
                NativeLibraryLoader.packagedPlatforms().contains("windows-x86_64"),
                "this build made no windows-x86_64 natives (apt-get install g++-mingw-w64-x86-64-posix)");
        String objdump = "x86_64-w64-mingw32-objdump";
        Assumptions.assumeTrue(
                onPath(objdump), objdump + " is not installed (apt-get install binutils-mingw-w64-x86-64)");
        Path bundle = bundle("windows-x86_64");
        List<String> loaded = libraries(bundle);
        List<String> variants = variantFiles(bundle);
        // the variants come after everything Java loads: the shim loads one once the rest is in place
        List<String> dlls = new ArrayList<>(loaded);
        dlls.addAll(variants);
        Set<String> ownDlls = new TreeSet<>();
        dlls.forEach(d -> ownDlls.add(d.toLowerCase(Locale.ROOT)));
        assertThat(dlls).contains("safetyguard_jni.dll").allMatch(d -> d.endsWith(".dll"));
        for (String dll : dlls) {
            List<String> dump = run(objdump, "-p", bundle.resolve(dll).toString());
            assertThat(dump).as(dll + " is a PE32+ x86-64 DLL").anyMatch(l -> l.contains("pei-x86-64"));
            List<String> imports = dump.stream()
                    .filter(l -> l.trim().startsWith("DLL Name:"))
                    .map(l -> l.trim().substring("DLL Name:".length()).trim().toLowerCase(Locale.ROOT))
                    .toList();
            assertThat(imports).as(dll + " imports").isNotEmpty();
            for (String imported : imports) {
                assertThat(WINDOWS_SYSTEM_DLLS.contains(imported)
                                || imported.startsWith("api-ms-win-")
                                || ownDlls.contains(imported))
                        .as(
                                "%s imports %s, which is neither a Windows system DLL nor in the bundle %s",
                                dll, imported, ownDlls)
                        .isTrue();
            }
            // dependencies must come earlier in libraries.txt: the loader loads in that order
            int position = dlls.indexOf(dll);
            for (String imported : imports) {
                if (ownDlls.contains(imported)) {
                    assertThat(indexIgnoringCase(dlls, imported))
                            .as(dll + " loads after " + imported)
                            .isLessThan(position)
                            .isLessThan(loaded.size());
                }
            }
            if (variants.contains(dll)) {
                assertThat(exports(objdump, bundle.resolve(dll)))
                        .as(dll + " exports")
                        .contains("ggml_backend_init", "ggml_backend_score");
            }
        }
        for (String dll : dlls) {
            // each DLL carries its own static copy of MinGW's runtime; re-exporting it would give the next
            // DLL's link a second definition (the toolchain file keeps those archives out of the exports)
            assertThat(exports(objdump, bundle.resolve(dll)))
                    .as(dll + " exports no MinGW runtime symbols")
                    .noneMatch(symbol -> symbol.startsWith("_Unwind_")
                            || symbol.startsWith("__gxx_personality")
                            || symbol.startsWith("__cxa_")
                            || symbol.startsWith("pthread_"));
        }
        Set<String> exported = exports(objdump, bundle.resolve("safetyguard_jni.dll"));
        assertThat(exported)
                .as("safetyguard_jni.dll exports")
                .containsAll(expectedJniSymbols())
                .contains("JNI_OnLoad");
    }

    /** The names in a DLL's export table (objdump lines "\t[   3] Java_io_safetyguard_..."). */
    private static Set<String> exports(String objdump, Path dll) throws IOException, InterruptedException {
        Set<String> exported = new TreeSet<>();
        boolean inTable = false;
        for (String line : run(objdump, "-p", dll.toString())) {
            String t = line.trim();
            if (t.startsWith("[Ordinal/Name Pointer] Table")) {
                inTable = true;
            } else if (inTable && t.startsWith("[") && t.contains("]")) {
                exported.add(t.substring(t.indexOf(']') + 1).trim());
            } else if (inTable && !t.isEmpty()) {
                inTable = false;
            }
        }
        return exported;
    }

    private static int indexIgnoringCase(List<String> list, String name) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** "Java_<class>_<method>" for every native method of the classes compiled into this module. */
    static Set<String> expectedJniSymbols() throws IOException, URISyntaxException, ClassNotFoundException {
        URL here = NativeLibraryLoader.class.getResource("NativeLibraryLoader.class");
        assertThat(here).isNotNull();
        Assumptions.assumeTrue("file".equals(here.getProtocol()), "classes are not in a folder: " + here);
        Path classes = Path.of(here.toURI()).getParent();
        for (int i = 0; i < "io.safetyguard.llamacpp.internal.natives".split("\\.").length; i++) {
            classes = classes.getParent();
        }
        Set<String> symbols = new TreeSet<>();
        Path root = classes;
        try (Stream<Path> files = Files.walk(root.resolve("io/safetyguard/llamacpp"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace(File.separatorChar, '.');
                name = name.substring(0, name.length() - ".class".length());
                Class<?> c = Class.forName(name, false, PackagedNativesTest.class.getClassLoader());
                for (Method m : c.getDeclaredMethods()) {
                    if (Modifier.isNative(m.getModifiers())) {
                        symbols.add("Java_" + mangle(c.getName()) + "_" + mangle(m.getName()));
                    }
                }
            }
        }
        assertThat(symbols).as("native methods found").hasSizeGreaterThan(10);
        return symbols;
    }

    /** JNI's short-name mangling for names without Unicode: '_' becomes "_1", '.' and '$' as in the spec. */
    static String mangle(String name) {
        StringBuilder sb = new StringBuilder();
        for (char ch : name.toCharArray()) {
            switch (ch) {
                case '.' -> sb.append('_');
                case '_' -> sb.append("_1");
                case '$' -> sb.append("_00024");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    private Path bundle(String platform) throws IOException {
        String base = "/natives/" + platform + "/";
        URL manifest = NativeLibraryLoader.class.getResource(base + "libraries.txt");
        assertThat(manifest).as(base).isNotNull();
        Path out = dir.resolve(platform);
        Files.createDirectories(out);
        List<String> names = new ArrayList<>(readLines(base + "libraries.txt"));
        names.add("libraries.txt");
        names.add("build.properties");
        if (NativeLibraryLoader.class.getResource(base + CpuVariants.LIST) != null) {
            names.add(CpuVariants.LIST);
            names.addAll(readLines(base + CpuVariants.LIST));
        }
        for (String name : names) {
            try (InputStream in = NativeLibraryLoader.class.getResourceAsStream(base + name)) {
                if (in != null) {
                    Files.write(out.resolve(name), in.readAllBytes());
                }
            }
        }
        return out;
    }

    private static List<String> variantFiles(Path bundle) throws IOException {
        return CpuVariants.listedIn(bundle).stream()
                .map(p -> p.getFileName().toString())
                .toList();
    }

    private static List<String> libraries(Path bundle) throws IOException {
        return Files.readAllLines(bundle.resolve("libraries.txt"), StandardCharsets.UTF_8).stream()
                .map(String::strip)
                .filter(s -> !s.isEmpty() && !s.startsWith("#"))
                .toList();
    }

    private static List<String> readLines(String resource) throws IOException {
        try (InputStream in = NativeLibraryLoader.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty() && !s.startsWith("#"))
                    .toList();
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null
                && Stream.of(path.split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    private static List<String> run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
        return new String(out, StandardCharsets.UTF_8).lines().toList();
    }
}
