package io.safetyguard.llamacpp.internal.natives;

import io.safetyguard.llamacpp.NativeLibraryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads the native libraries of the llama.cpp backend: ggml-base → ggml-cpu (→ ggml-cuda/metal) →
 * ggml → llama → mtmd → safetyguard_jni, in the order listed in the bundle's {@code libraries.txt}.
 * A bundle with CPU-feature dispatch lists no ggml-cpu there: its CPU variant modules (see {@link CpuVariants})
 * are extracted next to the libraries but not loaded here; the shim loads one once it is initialised.
 *
 * <p>Where they come from, first match wins:
 * <ol>
 *   <li>the directory in system property {@value #DIR_PROPERTY} or environment variable
 *       {@value #DIR_ENV} (a build of your own, e.g. with CUDA): loaded in place;</li>
 *   <li>the jar's resources {@code natives/<os>-<arch>/}: extracted once into
 *       {@code <cache>/<content-hash>/} and loaded from there. The cache is
 *       {@value #CACHE_PROPERTY} if set, else {@code ~/.cache/safetyguard/jni}, else the temp dir.
 *       Because the folder is named by the SHA-256 of the bundle's files, two versions never mix and
 *       a finished extraction is reused by every later JVM.</li>
 * </ol>
 * Loading happens once per class loader; later calls return immediately.
 */
public final class NativeLibraryLoader {

    /** System property naming a directory with a native build to load instead of the jar's. */
    public static final String DIR_PROPERTY = "safetyguard.native.dir";
    /** Environment variable naming a directory with a native build to load instead of the jar's. */
    public static final String DIR_ENV = "SAFETYGUARD_NATIVE_DIR";
    /** System property naming the directory the bundled libraries are extracted to. */
    public static final String CACHE_PROPERTY = "safetyguard.native.cache";

    private static final String RESOURCE_ROOT = "/natives/";
    private static final String MANIFEST = "libraries.txt";
    private static final String BUILD_INFO = "build.properties";

    private static Path loadedFrom;
    private static Properties buildInfo = new Properties();
    private static Throwable failure;

    private NativeLibraryLoader() {}

    /**
     * Loads the libraries if that has not happened yet.
     *
     * @throws NativeLibraryException with a message saying what is missing and how to fix it
     */
    public static synchronized void load() {
        if (loadedFrom != null) {
            return;
        }
        if (failure != null) {
            // System.load of a half-loaded set cannot be retried safely; repeat the first reason.
            throw new NativeLibraryException(failure.getMessage(), failure);
        }
        try {
            Path dir = overrideDir();
            if (dir == null) {
                dir = extractBundle();
            }
            loadFrom(dir);
            loadedFrom = dir;
        } catch (NativeLibraryException e) {
            failure = e;
            throw e;
        } catch (RuntimeException | LinkageError e) {
            failure = new NativeLibraryException("cannot load the llama.cpp native libraries: " + e, e);
            throw (NativeLibraryException) failure;
        }
    }

    /** Where the libraries were loaded from, or null before {@link #load()}. */
    public static synchronized Path loadedFrom() {
        return loadedFrom;
    }

    /** The bundle's build.properties (llama.cpp commit, backend, build keys); empty before loading. */
    public static synchronized Properties buildInfo() {
        Properties copy = new Properties();
        copy.putAll(buildInfo);
        return copy;
    }

    /** This JVM's platform as used in resource paths, e.g. {@code linux-x86_64}. */
    public static String platform() {
        return os() + "-" + arch();
    }

    /** The platforms this jar carries natives for. */
    public static Set<String> packagedPlatforms() {
        Set<String> found = new TreeSet<>();
        for (String p : List.of("linux-x86_64", "linux-aarch64", "macos-x86_64", "macos-aarch64", "windows-x86_64")) {
            if (NativeLibraryLoader.class.getResource(RESOURCE_ROOT + p + "/" + MANIFEST) != null) {
                found.add(p);
            }
        }
        return found;
    }

    static String os() {
        return normaliseOs(System.getProperty("os.name", ""));
    }

    static String arch() {
        return normaliseArch(System.getProperty("os.arch", ""));
    }

    /** The resource-path name of an {@code os.name}: linux, macos, windows, or the name itself, simplified. */
    static String normaliseOs(String osName) {
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.contains("linux")) {
            return "linux";
        }
        if (name.contains("mac") || name.contains("darwin")) {
            return "macos";
        }
        if (name.contains("windows")) {
            return "windows";
        }
        return name.replaceAll("[^a-z0-9]", "");
    }

    /** The resource-path name of an {@code os.arch}: x86_64 (also amd64, x64), aarch64 (also arm64), ... */
    static String normaliseArch(String osArch) {
        String a = osArch.toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a.replaceAll("[^a-z0-9_]", "");
        };
    }

    private static Path overrideDir() {
        String dir = System.getProperty(DIR_PROPERTY);
        String source = "system property " + DIR_PROPERTY;
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(DIR_ENV);
            source = "environment variable " + DIR_ENV;
        }
        if (dir == null || dir.isBlank()) {
            return null;
        }
        Path p = Paths.get(dir).toAbsolutePath();
        if (!Files.isRegularFile(p.resolve(MANIFEST))) {
            throw new NativeLibraryException(source + " points at " + p + ", which has no " + MANIFEST
                    + " (the load-order list written by guard-llamacpp/native/build-natives.sh). Point it at a "
                    + "natives/<os>-<arch> folder produced by that script.");
        }
        return p;
    }

    private static Path extractBundle() {
        String platform = platform();
        String base = RESOURCE_ROOT + platform + "/";
        URL manifest = NativeLibraryLoader.class.getResource(base + MANIFEST);
        if (manifest == null) {
            throw new NativeLibraryException(unsupportedPlatformMessage(
                    platform, System.getProperty("os.name"), System.getProperty("os.arch"), packagedPlatforms()));
        }
        if ("linux".equals(os()) && LinuxLibc.isMusl()) {
            throw new NativeLibraryException(muslMessage(platform));
        }
        try {
            List<String> names = readList(base, MANIFEST);
            // Hash the content first: the extraction folder is named after it.
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<byte[]> contents = new ArrayList<>();
            List<String> all = new ArrayList<>(names);
            all.add(MANIFEST);
            if (NativeLibraryLoader.class.getResource(base + BUILD_INFO) != null) {
                all.add(BUILD_INFO);
            }
            if (NativeLibraryLoader.class.getResource(base + CpuVariants.LIST) != null) {
                all.add(CpuVariants.LIST);
                all.addAll(readList(base, CpuVariants.LIST));
            }
            for (String name : all) {
                byte[] data = readResource(base + name);
                md.update(name.getBytes(StandardCharsets.UTF_8));
                md.update(data);
                contents.add(data);
            }
            String hash = HexFormat.of().formatHex(md.digest()).substring(0, 24);
            Path target = cacheRoot().resolve(platform + "-" + hash);
            if (Files.isRegularFile(target.resolve(".complete"))) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), ".extract-");
            try {
                for (int i = 0; i < all.size(); i++) {
                    Files.write(tmp.resolve(all.get(i)), contents.get(i));
                }
                Files.createFile(tmp.resolve(".complete"));
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException
                        | java.nio.file.FileAlreadyExistsException
                        | java.nio.file.DirectoryNotEmptyException e) {
                    // another JVM finished first (or no atomic rename): use whichever is complete
                    if (!Files.isRegularFile(target.resolve(".complete"))) {
                        deleteTree(target);
                        Files.move(tmp, target);
                    }
                }
            } finally {
                deleteTree(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new NativeLibraryException(
                    "cannot extract the llama.cpp native libraries to " + cacheRoot() + ": " + e + ". Set -D"
                            + CACHE_PROPERTY + " to a writable directory.",
                    e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String unsupportedPlatformMessage(String platform, String osName, String osArch, Set<String> packaged) {
        return "no llama.cpp native libraries for this platform (" + platform + ", os.name=" + osName + ", os.arch="
                + osArch + "). This jar carries "
                + (packaged.isEmpty() ? "none" : String.join(", ", packaged))
                + ". Build them on this machine with `mvn -pl guard-llamacpp -am package` (needs cmake, a C++ "
                + "compiler, git and npm; see guard-llamacpp/native/build-natives.sh), or point -D" + DIR_PROPERTY
                + " / " + DIR_ENV + " at a folder made by that script.";
    }

    static String muslMessage(String platform) {
        return "this JVM runs on musl libc (e.g. Alpine Linux), but the jar's natives/" + platform
                + "/ libraries are built for glibc and would not load. Run on a glibc-based system or image "
                + "(Debian, Ubuntu, RHEL; e.g. eclipse-temurin:17-jre), or build the natives on this system with "
                + "guard-llamacpp/native/build-natives.sh and point -D" + DIR_PROPERTY + " / " + DIR_ENV
                + " at the folder it writes.";
    }

    private static void loadFrom(Path dir) {
        List<String> names;
        try {
            names = Files.readAllLines(dir.resolve(MANIFEST), StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty() && !s.startsWith("#"))
                    .toList();
            Path info = dir.resolve(BUILD_INFO);
            if (Files.isRegularFile(info)) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(info)) {
                    p.load(in);
                }
                buildInfo = p;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        checkCpu(buildInfo.getProperty("cpu.requires", ""));
        for (String name : names) {
            Path lib = dir.resolve(name);
            if (!Files.isRegularFile(lib)) {
                throw new NativeLibraryException("native library " + lib + " listed in " + dir.resolve(MANIFEST)
                        + " is missing; rebuild the natives with guard-llamacpp/native/build-natives.sh");
            }
            try {
                System.load(lib.toString());
            } catch (UnsatisfiedLinkError e) {
                throw new NativeLibraryException(
                        "cannot load " + lib + ": " + e.getMessage() + hintFor(e.getMessage()), e);
            }
        }
    }

    private static String hintFor(String message) {
        if (message == null) {
            return "";
        }
        if (message.contains("GLIBC") || message.contains("GLIBCXX") || message.contains("CXXABI")) {
            return ". The libraries were built on a newer system than this one; build them here with "
                    + "guard-llamacpp/native/build-natives.sh and point -D" + DIR_PROPERTY + " at the result.";
        }
        if (message.contains("libcuda") || message.contains("libcublas") || message.contains("libcudart")) {
            return ". This is a CUDA build: install the NVIDIA driver and the CUDA runtime libraries, or use the CPU build.";
        }
        return "";
    }

    /** Refuses, with a message, to load an x86-64 build on a CPU without the instructions it was built for. */
    private static void checkCpu(String requires) {
        if (requires.isBlank() || !"linux".equals(os())) {
            return;
        }
        Path cpuinfo = Paths.get("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return;
        }
        try {
            String flagsLine = Files.readAllLines(cpuinfo, StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .orElse(null);
            if (flagsLine == null) {
                return;
            }
            List<String> missing = missingCpuFeatures(requires, flagsLine);
            if (!missing.isEmpty()) {
                throw new NativeLibraryException(
                        "this CPU lacks " + missing + ", which the bundled llama.cpp build needs ("
                                + requires + "). Build the natives for this CPU: mvn -pl guard-llamacpp -am package "
                                + "-Dsafetyguard.native.cmakeArgs=-DGGML_NATIVE=ON, then point -D" + DIR_PROPERTY
                                + " at guard-llamacpp/target/generated-resources/llamacpp/natives/" + platform() + ".");
            }
        } catch (IOException e) {
            // cannot tell; let the loader try
        }
    }

    /** The features in {@code requires} (comma-separated) that a /proc/cpuinfo "flags" line lacks. */
    static List<String> missingCpuFeatures(String requires, String flagsLine) {
        Set<String> flags = new TreeSet<>(
                List.of(flagsLine.substring(flagsLine.indexOf(':') + 1).trim().split("\\s+")));
        List<String> missing = new ArrayList<>();
        for (String f : requires.split(",")) {
            String flag = f.strip();
            if (!flag.isEmpty() && !flags.contains(flag)) {
                missing.add(flag);
            }
        }
        return missing;
    }

    private static List<String> readList(String base, String listName) throws IOException {
        String text = new String(readResource(base + listName), StandardCharsets.UTF_8);
        return text.lines()
                .map(String::strip)
                .filter(s -> !s.isEmpty() && !s.startsWith("#"))
                .toList();
    }

    private static byte[] readResource(String path) throws IOException {
        try (InputStream in = NativeLibraryLoader.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new NativeLibraryException("the jar's native bundle is incomplete: " + path + " is missing");
            }
            return in.readAllBytes();
        }
    }

    private static Path cacheRoot() {
        String prop = System.getProperty(CACHE_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop).toAbsolutePath();
        }
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank()) {
            Path p = Paths.get(home, ".cache", "safetyguard", "jni");
            try {
                Files.createDirectories(p);
                if (Files.isWritable(p)) {
                    return p;
                }
            } catch (IOException | SecurityException e) {
                // fall through to the temp dir
            }
        }
        return Paths.get(
                System.getProperty("java.io.tmpdir"), "safetyguard-jni-" + System.getProperty("user.name", "user"));
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
