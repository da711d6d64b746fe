package io.safetyguard.llamacpp.internal;

import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.NativeLibraryException;
import io.safetyguard.llamacpp.internal.natives.CpuVariants;
import io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process-wide part of {@code libsafetyguard_jni} (src/main/native/jni_runtime.cpp): loading and the ABI check,
 * llama.cpp's log (forwarded here from native code) and the recent problems it reported on this thread, and the
 * calls that need no native object. Each native object has its own class with its own native methods in
 * {@link io.safetyguard.llamacpp.internal.jni}; {@link LlamaCppModel} owns the locking rules that combine them.
 */
public final class NativeBridge {

    /** Must equal SG_ABI_VERSION in src/main/native/jni_runtime.cpp; bump both when a native method changes. */
    static final int ABI_VERSION = 9;

    public static final int CHUNK_TEXT = 0;
    public static final int CHUNK_IMAGE = 1;

    private static final System.Logger NATIVE_LOG = System.getLogger("io.safetyguard.llamacpp.native");
    private static final ThreadLocal<StringBuilder> PENDING = ThreadLocal.withInitial(StringBuilder::new);
    private static final ThreadLocal<int[]> PENDING_LEVEL = ThreadLocal.withInitial(() -> new int[] {2});
    private static final ThreadLocal<java.util.ArrayDeque<String>> RECENT_PROBLEMS =
            ThreadLocal.withInitial(java.util.ArrayDeque::new);

    private static final ThreadLocal<java.util.function.BooleanSupplier> ERRORS_EXPECTED = new ThreadLocal<>();

    private static volatile boolean initialised;
    private static volatile String cpuVariant = "";

    private NativeBridge() {}

    /** Loads the native libraries (once), checks the shim's ABI and initialises llama.cpp. */
    public static void ensureInitialised() {
        if (initialised) {
            return;
        }
        synchronized (NativeBridge.class) {
            if (initialised) {
                return;
            }
            NativeLibraryLoader.load();
            int abi;
            try {
                abi = abiVersion();
            } catch (UnsatisfiedLinkError e) {
                throw new IllegalStateException(
                        "the loaded libsafetyguard_jni does not match this version of guard-llamacpp ("
                                + e.getMessage() + "). Rebuild the natives (mvn -pl guard-llamacpp package) or "
                                + "point " + NativeLibraryLoader.DIR_PROPERTY + " at a matching build.",
                        e);
            }
            if (abi != ABI_VERSION) {
                throw new IllegalStateException(
                        "libsafetyguard_jni has ABI version " + abi + " but guard-llamacpp expects "
                                + ABI_VERSION + ". The native libraries come from a different build ("
                                + NativeLibraryLoader.loadedFrom() + "); rebuild them or remove the stale "
                                + NativeLibraryLoader.DIR_PROPERTY + " override.");
            }
            init();
            cpuVariant = loadCpuBackend();
            backendInit();
            initialised = true;
        }
    }

    /**
     * Which build of ggml's CPU backend runs: the variant's name (e.g. {@code zen4}) for a bundle with CPU-feature
     * dispatch, {@code built-in} for a bundle with one fixed ggml-cpu; empty before {@link #ensureInitialised()}.
     */
    public static String cpuVariant() {
        return cpuVariant;
    }

    /** For a dispatched bundle, scores its CPU variants, loads the chosen one and logs the choice once. */
    private static String loadCpuBackend() {
        Path dir = NativeLibraryLoader.loadedFrom();
        List<Path> files = CpuVariants.listedIn(dir);
        if (files.isEmpty()) {
            if (!hasCpuBackend()) {
                throw new NativeLibraryException("the native bundle in " + dir + " has no CPU backend: no ggml-cpu "
                        + "in libraries.txt and no " + CpuVariants.LIST + ". Rebuild it with "
                        + "guard-llamacpp/native/build-natives.sh.");
            }
            return "built-in";
        }
        List<CpuVariants.Candidate> candidates = new ArrayList<>();
        for (Path f : files) {
            String name = CpuVariants.variantName(f);
            try {
                candidates.add(new CpuVariants.Candidate(name, f, cpuVariantScore(utf8(f.toString())), null));
            } catch (RuntimeException e) {
                candidates.add(new CpuVariants.Candidate(name, f, -1, e.getMessage()));
            }
        }
        String cpu = CpuVariants.describeCpu();
        CpuVariants.Candidate chosen = CpuVariants.choose(candidates, CpuVariants.requested(), dir, cpu);
        String device;
        try {
            device = loadCpuBackend(utf8(chosen.file().toString()));
        } catch (RuntimeException e) {
            throw new NativeLibraryException(
                    "cannot load the CPU variant " + chosen.describe() + " from " + dir + " on this CPU (" + cpu + "): "
                            + e.getMessage() + "; " + orUnknown(recentProblems()),
                    e);
        }
        System.getLogger("io.safetyguard.llamacpp")
                .log(
                        System.Logger.Level.INFO,
                        "llama.cpp CPU backend: variant " + chosen.name()
                                + (CpuVariants.requested() != null
                                        ? " (requested by " + CpuVariants.VARIANT_PROPERTY + ")"
                                        : "")
                                + " of "
                                + candidates.stream()
                                        .map(CpuVariants.Candidate::describe)
                                        .toList()
                                + " on " + device);
        return chosen.name();
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code problems}, or a pointer to the native log when llama.cpp gave no reason. */
    public static String orUnknown(String problems) {
        return problems.isEmpty() ? "no reason given (see the io.safetyguard.llamacpp.native log)" : problems;
    }

    // ----------------------------------------------------------------------------------------
    // Logging (called from C on whatever thread llama.cpp logs on)

    /**
     * Receives one llama.cpp / ggml / mtmd log fragment. llama.cpp logs partial lines (level CONT
     * continues the previous one), so fragments are joined per thread and emitted per line.
     * Log levels: llama.cpp INFO → DEBUG (it is chatty: every load prints dozens of lines),
     * DEBUG → TRACE, WARN → WARNING, ERROR → ERROR.
     */
    @SuppressWarnings("unused") // called from native code
    static void log(int level, byte[] text) {
        try {
            StringBuilder sb = PENDING.get();
            int[] lvl = PENDING_LEVEL.get();
            if (level != 5 /* CONT */) {
                if (sb.length() > 0) {
                    emit(lvl[0], sb.toString());
                    sb.setLength(0);
                }
                lvl[0] = level;
            }
            sb.append(new String(text, StandardCharsets.UTF_8));
            int nl;
            while ((nl = sb.indexOf("\n")) >= 0) {
                String line = sb.substring(0, nl);
                sb.delete(0, nl + 1);
                if (!line.isBlank()) {
                    emit(lvl[0], line);
                }
            }
        } catch (Throwable t) {
            // never let logging break native code
        }
    }

    private static void emit(int level, String line) {
        java.util.function.BooleanSupplier expected = ERRORS_EXPECTED.get();
        if ((level == 4 || level == 3) && expected != null && expected.getAsBoolean()) {
            // an abort we asked for: llama.cpp reports it as a failed decode (ERROR) and warns
            // that it rolls the KV cache back (WARN); neither is news to the host
            level = 2;
        }
        Level l = switch (level) {
            case 1 -> Level.TRACE;
            case 3 -> Level.WARNING;
            case 4 -> Level.ERROR;
            default -> Level.DEBUG;
        };
        if (level == 3 || level == 4) {
            java.util.ArrayDeque<String> recent = RECENT_PROBLEMS.get();
            if (recent.size() >= 8) {
                recent.removeFirst();
            }
            recent.addLast(line.strip());
        }
        if (NATIVE_LOG.isLoggable(l)) {
            NATIVE_LOG.log(l, line);
        }
    }

    /**
     * While {@code condition} is true, llama.cpp errors logged on this thread are expected (an abort
     * this thread requested) and logged at DEBUG instead of ERROR. Null clears it.
     */
    public static void errorsExpectedWhen(java.util.function.BooleanSupplier condition) {
        if (condition == null) {
            ERRORS_EXPECTED.remove();
        } else {
            ERRORS_EXPECTED.set(condition);
        }
    }

    /** Forgets this thread's recent native warnings/errors (call before a native operation). */
    public static void clearRecentProblems() {
        RECENT_PROBLEMS.get().clear();
    }

    /** The warnings/errors llama.cpp logged on this thread since {@link #clearRecentProblems()}. */
    public static String recentProblems() {
        java.util.ArrayDeque<String> recent = RECENT_PROBLEMS.get();
        return recent.isEmpty() ? "" : String.join("; ", recent);
    }

    // ----------------------------------------------------------------------------------------
    // Process-wide

    static native int abiVersion();

    /** Installs the log bridge and the abort hook (once). */
    static native void init();

    /** llama_backend_init (once); after the CPU backend is registered, see {@link #loadCpuBackend()}. */
    static native void backendInit();

    /** Whether ggml has a CPU backend registered (a fixed bundle's ggml-cpu, or a loaded variant). */
    static native boolean hasCpuBackend();

    /** ggml_backend_score() of a CPU variant module on this CPU (0: it cannot run here); throws if it cannot open. */
    static native int cpuVariantScore(byte[] path);

    /** Loads and registers a CPU variant module as ggml's CPU backend; returns the CPU's description. */
    static native String loadCpuBackend(byte[] path);

    public static native String systemInfo();

    public static native String version();

    public static native byte[] mediaMarker();

    /**
     * Runs llama_model_quantize on a text model GGUF ({@code ftype} is a {@code llama_ftype} id). Returns 0 on
     * success, otherwise llama.cpp's code (the reason is logged). Needs no loaded model.
     */
    public static native int modelQuantize(byte[] inputPath, byte[] outputPath, int ftype, int nThreads);
}
