package io.safetyguard.llamacpp.internal.jni;

import io.safetyguard.llamacpp.internal.NativeBridge;
import java.util.Optional;

/**
 * One llama.cpp context ({@code llama_context}, sequence 0 only) with the shim's batch and abort flag. Used by
 * one thread at a time; only {@link #setAbort} may be called from another (the watchdog).
 *
 * <p>The decode methods return llama_decode's code: 0 ok, 1 no room in the KV cache, 2 aborted, negative on
 * error (the reason is in the log).
 */
public final class LlamaContext extends NativeResource {

    private final LlamaModel model;

    private LlamaContext(long handle, LlamaModel model) {
        super("the llama.cpp context", handle, LlamaContext::nativeFree, model);
        this.model = model;
    }

    /**
     * Creates a context on {@code model}; empty when llama.cpp refuses (the reason is in
     * {@link NativeBridge#recentProblems()}).
     */
    public static Optional<LlamaContext> create(
            LlamaModel model, int contextSize, int batchSize, int ubatchSize, int threads, int batchThreads) {
        return create(model, contextSize, batchSize, ubatchSize, threads, batchThreads, FLASH_ATTENTION_AUTO, true, 1);
    }

    /** llama.cpp's own choice of flash attention (on where the backend supports it). */
    public static final int FLASH_ATTENTION_AUTO = -1;

    /**
     * As {@link #create(LlamaModel, int, int, int, int, int)}, with flash attention -1 (auto), 0 (off) or 1 (on),
     * whether the context keeps its CPU worker threads between decodes, and the number of sequences: each gets a
     * KV stream of {@code contextSize / sequences} tokens (see {@link SequenceBatch}).
     */
    public static Optional<LlamaContext> create(
            LlamaModel model,
            int contextSize,
            int batchSize,
            int ubatchSize,
            int threads,
            int batchThreads,
            int flashAttention,
            boolean persistentThreads,
            int sequences) {
        long m = enterOther(model);
        try {
            long handle = nativeCreate(
                    m,
                    contextSize,
                    batchSize,
                    ubatchSize,
                    threads,
                    batchThreads,
                    flashAttention,
                    persistentThreads,
                    sequences);
            return handle == 0 ? Optional.empty() : Optional.of(new LlamaContext(handle, model));
        } finally {
            exitOther(model);
        }
    }

    public LlamaModel model() {
        return model;
    }

    /** The context size in tokens (llama.cpp may round the requested one). */
    public int size() {
        long h = enter();
        try {
            return nativeSize(h);
        } finally {
            exit();
        }
    }

    /** Raises or lowers the flag llama.cpp's abort callback reads during a decode; a no-op once closed. */
    public void setAbort(boolean abort) {
        long h = tryEnter();
        if (h == 0) {
            return;
        }
        try {
            nativeSetAbort(h, abort);
        } finally {
            exit();
        }
    }

    /**
     * Nanoseconds this context has spent inside {@code llama_decode} since it was created: what a generation
     * loop costs beyond the forward passes is its wall time less the growth of this.
     */
    public long forwardNanos() {
        long h = enter();
        try {
            return nativeForwardNanos(h);
        } finally {
            exit();
        }
    }

    /** Forgets everything in the KV cache. */
    public void clear() {
        long h = enter();
        try {
            nativeClear(h);
        } finally {
            exit();
        }
    }

    /** Removes the KV entries at positions {@code >= from}; false if the memory cannot remove a partial range. */
    public boolean trim(int from) {
        long h = enter();
        try {
            return nativeTrim(h, from);
        } finally {
            exit();
        }
    }

    /** Decodes text tokens at positions {@code nPast..}, logits for the last one if {@code logitsLast}. */
    public int decodeTokens(int[] tokens, int nPast, boolean logitsLast) {
        long h = enter();
        try {
            return nativeDecodeTokens(h, tokens, nPast, logitsLast);
        } finally {
            exit();
        }
    }

    /** Decodes {@code nTokens} embeddings ({@code embd[offset..]}, token-major) at positions {@code nPast..}. */
    public int decodeEmbeddings(float[] embd, int offset, int nTokens, int nPast, boolean logitsLast) {
        long h = enter();
        try {
            return nativeDecodeEmbeddings(h, embd, offset, nTokens, nPast, logitsLast);
        } finally {
            exit();
        }
    }

    /** Decodes one generated token at {@code pos}, with logits. */
    public int decodeToken(int token, int pos) {
        long h = enter();
        try {
            return nativeDecodeToken(h, token, pos);
        } finally {
            exit();
        }
    }

    /** The raw logits of {@code tokens} at the last output position, into {@code out}. */
    public void logitsOf(int[] tokens, float[] out) {
        long h = enter();
        try {
            nativeLogitsOf(h, tokens, out);
        } finally {
            exit();
        }
    }

    /** The raw logits of the whole vocabulary at the last output position. */
    public float[] allLogits() {
        int n = model.vocabularySize();
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        float[] logits = new float[n];
        logitsOf(all, logits);
        return logits;
    }

    /** Sets the logits of {@code tokens} at the last output to -infinity: the next sample skips them. */
    public void suppressTokens(int[] tokens) {
        long h = enter();
        try {
            nativeSuppressTokens(h, tokens);
        } finally {
            exit();
        }
    }

    private static native long nativeCreate(
            long model,
            int nCtx,
            int nBatch,
            int nUbatch,
            int nThreads,
            int nThreadsBatch,
            int flashAttention,
            boolean persistentThreads,
            int nSeq);

    private static native long nativeForwardNanos(long ctx);

    private static native void nativeFree(long ctx);

    private static native int nativeSize(long ctx);

    private static native void nativeSetAbort(long ctx, boolean abort);

    private static native void nativeClear(long ctx);

    private static native boolean nativeTrim(long ctx, int from);

    private static native int nativeDecodeTokens(long ctx, int[] tokens, int nPast, boolean logitsLast);

    private static native int nativeDecodeEmbeddings(
            long ctx, float[] embd, int offset, int nTokens, int nPast, boolean logitsLast);

    private static native int nativeDecodeToken(long ctx, int token, int pos);

    private static native void nativeLogitsOf(long ctx, int[] tokens, float[] out);

    private static native void nativeSuppressTokens(long ctx, int[] tokens);
}
