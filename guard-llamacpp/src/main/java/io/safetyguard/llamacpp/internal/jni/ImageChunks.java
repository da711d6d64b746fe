package io.safetyguard.llamacpp.internal.jni;

/** A prompt tokenized by libmtmd ({@code mtmd_input_chunks}): text and image chunks in order. One thread. */
public final class ImageChunks extends NativeResource {

    public static final int TEXT = 0;
    public static final int IMAGE = 1;

    ImageChunks(long handle) {
        super("the libmtmd chunks", handle, ImageChunks::nativeFree);
    }

    public int count() {
        long h = enter();
        try {
            return nativeCount(h);
        } finally {
            exit();
        }
    }

    /** {@link #TEXT}, {@link #IMAGE} or another mtmd_input_chunk_type. */
    public int type(int index) {
        long h = enter();
        try {
            return nativeType(h, index);
        } finally {
            exit();
        }
    }

    /** The tokens chunk {@code index} takes in the prompt. */
    public int tokens(int index) {
        long h = enter();
        try {
            return nativeTokens(h, index);
        } finally {
            exit();
        }
    }

    /** The positions chunk {@code index} advances (equal to its tokens for the models we run). */
    public int positions(int index) {
        long h = enter();
        try {
            return nativePositions(h, index);
        } finally {
            exit();
        }
    }

    /** Decodes text chunk {@code index} into {@code context} at {@code nPast..}; llama_decode's code. */
    public int decodeText(int index, LlamaContext context, int nPast, boolean logitsLast) {
        long h = enter();
        long c = enterOther(context);
        try {
            return nativeDecodeText(h, index, c, nPast, logitsLast);
        } finally {
            exitOther(context);
            exit();
        }
    }

    private static native void nativeFree(long chunks);

    private static native int nativeCount(long chunks);

    private static native int nativeType(long chunks, int index);

    private static native int nativeTokens(long chunks, int index);

    private static native int nativePositions(long chunks, int index);

    private static native int nativeDecodeText(long chunks, int index, long ctx, int nPast, boolean logitsLast);
}
