package io.safetyguard.llamacpp.internal.jni;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.internal.NativeBridge;
import java.nio.file.Path;

/**
 * The vision tower and projector of an mmproj alone ({@code clip_ctx}, libmtmd's clip API), for the reference
 * image pipeline: Java prepares the tiles, this encodes them. One set of compute buffers: callers serialise
 * {@link #encodeTile}.
 */
public final class ClipContext extends NativeResource {

    private ClipContext(long handle) {
        super("the clip context", handle, ClipContext::nativeFree);
    }

    /**
     * Loads the vision tower + projector of {@code mmproj}.
     *
     * @throws ModelException with llama.cpp's reason when it cannot
     */
    public static ClipContext load(Path mmproj, boolean useGpu, boolean warmup) throws ModelException {
        NativeBridge.clearRecentProblems();
        long handle = nativeInit(NativeBridge.utf8(mmproj.toAbsolutePath().toString()), useGpu, warmup);
        if (handle == 0) {
            throw new ModelException("llama.cpp could not load the projector " + mmproj + ": "
                    + NativeBridge.orUnknown(NativeBridge.recentProblems()));
        }
        return new ClipContext(handle);
    }

    /** Width of the projected embeddings. */
    public int embeddingWidth() {
        long h = enter();
        try {
            return nativeEmbeddingWidth(h);
        } finally {
            exit();
        }
    }

    /**
     * Encodes one normalized {@code 3 x size x size} channel-major tile; returns {@code tokens x n_embd} floats,
     * or null when the encoder fails (the reason is in the log).
     */
    public float[] encodeTile(float[] chw, int size, int threads) {
        long h = enter();
        try {
            return nativeEncodeTile(h, chw, size, threads);
        } finally {
            exit();
        }
    }

    /**
     * Quantizes {@code values}, rows of {@code rowLength} f32 values, to the ggml type with id {@code ggmlTypeId}
     * with ggml's own quantizer: the bytes {@code llama-quantize} would write for such a tensor. The pinned clip API
     * cannot quantize an mmproj itself; the tools module rewrites one with this.
     *
     * @throws IllegalArgumentException when the row length is not a multiple of the type's block size, the values
     *                                  are not whole rows, or the type needs an importance matrix
     */
    public static byte[] quantizeRows(int ggmlTypeId, float[] values, int rowLength) {
        NativeBridge.ensureInitialised();
        return nativeQuantizeRows(ggmlTypeId, values, rowLength);
    }

    private static native long nativeInit(byte[] mmprojPath, boolean useGpu, boolean warmup);

    private static native void nativeFree(long clip);

    private static native int nativeEmbeddingWidth(long clip);

    private static native float[] nativeEncodeTile(long clip, float[] chw, int size, int nThreads);

    private static native byte[] nativeQuantizeRows(int ggmlType, float[] values, int rowLength);
}
