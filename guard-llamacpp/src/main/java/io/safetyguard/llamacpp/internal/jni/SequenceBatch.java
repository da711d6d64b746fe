package io.safetyguard.llamacpp.internal.jni;

/**
 * Several sequences in one {@link LlamaContext} created for them ({@code sequences > 1}): each sequence's prompt
 * decoded on its own in bounded chunks, then steps of one llama_decode with one generated token per sequence.
 * After a step, {@link #selectOutput} chooses whose logits the {@link Sampler} and the context's logits readers
 * see. Used by one thread at a time, like the context.
 *
 * <p>The decode methods return llama_decode's code: 0 ok, 1 no room in the KV cache, 2 aborted, negative on
 * error.
 */
public final class SequenceBatch {

    private final LlamaContext context;

    public SequenceBatch(LlamaContext context) {
        this.context = context;
    }

    public LlamaContext context() {
        return context;
    }

    /**
     * One llama_decode of {@code n} tokens: {@code tokens[k]} at {@code positions[k]} of sequence {@code seqs[k]},
     * each with logits (output row {@code k}).
     */
    public int step(int[] tokens, int[] positions, int[] seqs, int n) {
        long h = NativeResource.enterOther(context);
        try {
            return nativeStep(h, tokens, positions, seqs, n);
        } finally {
            NativeResource.exitOther(context);
        }
    }

    /** Makes the logits readers use output row {@code k} of the last step; -1: the last output of any decode. */
    public void selectOutput(int k) {
        long h = NativeResource.enterOther(context);
        try {
            nativeSelectOutput(h, k);
        } finally {
            NativeResource.exitOther(context);
        }
    }

    /** Decodes {@code tokens[offset, offset + count)} at positions {@code nPast..} of sequence {@code seq}. */
    public int decodeTokens(int[] tokens, int offset, int count, int nPast, int seq, boolean logitsLast) {
        long h = NativeResource.enterOther(context);
        try {
            return nativeDecodeTokens(h, tokens, offset, count, nPast, seq, logitsLast);
        } finally {
            NativeResource.exitOther(context);
        }
    }

    /**
     * Decodes {@code nTokens} embeddings ({@code embd[offset..]}, token-major, offset in floats) at positions
     * {@code nPast..} of sequence {@code seq}.
     */
    public int decodeEmbeddings(float[] embd, int offset, int nTokens, int nPast, int seq, boolean logitsLast) {
        long h = NativeResource.enterOther(context);
        try {
            return nativeDecodeEmbeddings(h, embd, offset, nTokens, nPast, seq, logitsLast);
        } finally {
            NativeResource.exitOther(context);
        }
    }

    /** Forgets sequence {@code seq}'s positions {@code >= from}; false if the memory cannot. */
    public boolean remove(int seq, int from) {
        long h = NativeResource.enterOther(context);
        try {
            return nativeRemove(h, seq, from);
        } finally {
            NativeResource.exitOther(context);
        }
    }

    private static native int nativeStep(long ctx, int[] tokens, int[] positions, int[] seqs, int n);

    private static native void nativeSelectOutput(long ctx, int k);

    private static native int nativeDecodeTokens(
            long ctx, int[] tokens, int offset, int count, int nPast, int seq, boolean logitsLast);

    private static native int nativeDecodeEmbeddings(
            long ctx, float[] embd, int offset, int nTokens, int nPast, int seq, boolean logitsLast);

    private static native boolean nativeRemove(long ctx, int seq, int from);
}
