package io.safetyguard.llamacpp.internal;

import io.safetyguard.llamacpp.LlamaCppModel;

import io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * The JNI surface of {@code libsafetyguard_jni} (src/main/native/safetyguard_jni.cpp): one static
 * native method per shim function, opaque handles as {@code long}, text as UTF-8 {@code byte[]}.
 *
 * <p>Nothing here is thread-safe by itself; {@link LlamaCppModel} owns the locking rules
 * (a context is used by one thread at a time, image encoding is serialised per mtmd context).
 * Handles are never 0 when passed in; the shim checks anyway and throws instead of crashing.
 */
public final class NativeBridge {

    /** Must equal SG_ABI_VERSION in safetyguard_jni.cpp. */
    static final int ABI_VERSION = 6;

    public static final int CHUNK_TEXT = 0;
    public static final int CHUNK_IMAGE = 1;

    private static final System.Logger NATIVE_LOG = System.getLogger("io.safetyguard.llamacpp.native");
    private static final ThreadLocal<StringBuilder> PENDING = ThreadLocal.withInitial(StringBuilder::new);
    private static final ThreadLocal<int[]> PENDING_LEVEL = ThreadLocal.withInitial(() -> new int[] {2});
    private static final ThreadLocal<java.util.ArrayDeque<String>> RECENT_PROBLEMS =
            ThreadLocal.withInitial(java.util.ArrayDeque::new);

    private static final ThreadLocal<java.util.function.BooleanSupplier> ERRORS_EXPECTED = new ThreadLocal<>();

    private static volatile boolean initialised;

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
                                + "point " + NativeLibraryLoader.DIR_PROPERTY + " at a matching build.", e);
            }
            if (abi != ABI_VERSION) {
                throw new IllegalStateException("libsafetyguard_jni has ABI version " + abi + " but guard-llamacpp expects "
                        + ABI_VERSION + ". The native libraries come from a different build ("
                        + NativeLibraryLoader.loadedFrom() + "); rebuild them or remove the stale "
                        + NativeLibraryLoader.DIR_PROPERTY + " override.");
            }
            init();
            initialised = true;
        }
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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

    static native void init();

    public static native String systemInfo();

    public static native String version();

    public static native byte[] mediaMarker();

    public static native void freeBuffer(long ptr);

    // ----------------------------------------------------------------------------------------
    // Model

    public static native long modelLoad(byte[] path, int nGpuLayers, int loadMode);

    public static native void modelFree(long model);

    public static native int modelNEmbdInp(long model);

    public static native int modelNCtxTrain(long model);

    public static native int modelNVocab(long model);

    public static native long modelSize(long model);

    /**
     * Runs llama_model_quantize on a text model GGUF ({@code ftype} is a {@code llama_ftype} id). Returns 0 on
     * success, otherwise llama.cpp's code (the reason is logged). Needs no loaded model.
     */
    public static native int modelQuantize(byte[] inputPath, byte[] outputPath, int ftype, int nThreads);

    public static native int[] tokenize(long model, byte[] text, boolean addSpecial, boolean parseSpecial);

    public static native byte[] tokenPiece(long model, int token, boolean special);

    public static native boolean tokenIsEog(long model, int token);

    /** An end-of-generation token (EOS, else EOT), or -1 if the vocabulary has none. */
    public static native int modelEogToken(long model);

    // ----------------------------------------------------------------------------------------
    // mtmd

    public static native long mtmdInit(byte[] mmprojPath, long model, boolean useGpu, int nThreads, boolean warmup);

    public static native void mtmdFree(long mtmd);

    public static native long tokenizeWithImage(long mtmd, byte[] prompt, byte[] rgb, int width, int height,
                                         boolean addSpecial, int[] status);

    public static native void chunksFree(long chunks);

    public static native int chunksCount(long chunks);

    public static native int chunkType(long chunks, int index);

    public static native int chunkTokens(long chunks, int index);

    public static native int chunkPositions(long chunks, int index);

    /** Caller must hold the mtmd context's lock. Returns a malloc'd embedding copy or 0. */
    public static native long encodeImageChunk(long mtmd, long model, long chunks, int index);

    // ----------------------------------------------------------------------------------------
    // Context

    public static native long contextCreate(long model, int nCtx, int nBatch, int nUbatch, int nThreads, int nThreadsBatch);

    public static native void contextFree(long ctx);

    public static native int contextSize(long ctx);

    public static native void contextSetAbort(long ctx, boolean abort);

    public static native void contextClear(long ctx);

    public static native int decodeTextChunk(long ctx, long chunks, int index, int nPast, boolean logitsLast);

    public static native int decodeImageChunk(long mtmd, long ctx, long chunks, int index, long embd, int nPast);

    public static native int decodeToken(long ctx, int token, int pos);

    public static native void logitsOf(long ctx, int[] tokens, float[] out);

    /** Sets the logits of {@code tokens} at the last output to -infinity (the next sample skips them). */
    static native void suppressTokens(long ctx, int[] tokens);

    // ----------------------------------------------------------------------------------------
    // Sampling

    public static native long samplerCreate(long model, byte[] grammar, boolean greedy, float temperature, float topP,
                                     int topK, int seed);

    public static native void samplerFree(long sampler);

    public static native int sample(long sampler, long ctx);

    /** The tokens among {@code tokens} the sampler's grammar accepts now (all without a grammar). */
    public static native int[] samplerAllowed(long sampler, int[] tokens);

    // ----------------------------------------------------------------------------------------
    // Our image pipeline: the vision tower alone (clip API), embeddings and tokens into a context

    /** Loads the vision tower + projector of an mmproj; 0 on failure (see the log). */
    public static native long clipInit(byte[] mmprojPath, boolean useGpu, boolean warmup);

    public static native void clipFree(long clip);

    /** Width of the projected embeddings. */
    public static native int clipNEmbd(long clip);

    /**
     * Encodes one normalized {@code 3 x size x size} channel-major tile; returns {@code tokens x n_embd} floats or
     * null. One thread at a time per clip context.
     */
    public static native float[] clipEncodeTile(long clip, float[] chw, int size, int nThreads);

    /** Decodes {@code nTokens} embeddings from {@code embd[offset..]} at {@code nPast..}; llama_decode's code. */
    public static native int decodeEmbeddings(long ctx, float[] embd, int offset, int nTokens, int nPast, boolean logitsLast);

    /** Decodes text tokens at {@code nPast..}; llama_decode's code. */
    public static native int decodeTokens(long ctx, int[] tokens, int nPast, boolean logitsLast);

    /** Removes sequence 0's KV entries at positions {@code >= from}; false if the memory cannot. */
    public static native boolean contextTrim(long ctx, int from);
}
