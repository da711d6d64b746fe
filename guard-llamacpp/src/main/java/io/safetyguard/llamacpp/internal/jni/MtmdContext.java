package io.safetyguard.llamacpp.internal.jni;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.internal.NativeBridge;
import java.nio.file.Path;

/**
 * libmtmd's multimodal context ({@code mtmd_context}): the projector, its image preprocessing and token layout.
 * {@link #tokenize} is thread-safe; {@link #encode} writes the context's single output buffer, so callers
 * serialise it; {@link #decodeImage} only reads immutable flags.
 */
public final class MtmdContext extends NativeResource {

    private final LlamaModel model;

    private MtmdContext(long handle, LlamaModel model) {
        super("the libmtmd context", handle, MtmdContext::nativeFree, model);
        this.model = model;
    }

    /**
     * Loads the projector {@code mmproj} for {@code model}.
     *
     * @throws ModelException with llama.cpp's reason when it cannot
     */
    public static MtmdContext load(Path mmproj, LlamaModel model, boolean useGpu, int threads, boolean warmup)
            throws ModelException {
        NativeBridge.clearRecentProblems();
        long handle;
        long m = enterOther(model);
        try {
            handle = nativeInit(NativeBridge.utf8(mmproj.toAbsolutePath().toString()), m, useGpu, threads, warmup);
        } finally {
            exitOther(model);
        }
        if (handle == 0) {
            throw new ModelException("llama.cpp could not load the projector " + mmproj + ": "
                    + NativeBridge.orUnknown(NativeBridge.recentProblems()));
        }
        return new MtmdContext(handle, model);
    }

    /**
     * Tokenizes {@code prompt} with the image in place of its media marker (mtmd_tokenize).
     *
     * @throws ModelException when libmtmd cannot prepare the image
     */
    public ImageChunks tokenize(String prompt, byte[] rgb, int width, int height, boolean addSpecial)
            throws ModelException {
        int[] status = new int[1];
        long chunks;
        long h = enter();
        try {
            chunks = nativeTokenize(h, NativeBridge.utf8(prompt), rgb, width, height, addSpecial, status);
        } finally {
            exit();
        }
        if (chunks == 0) {
            throw new ModelException("llama.cpp could not prepare the image " + width + "x" + height
                    + " (mtmd_tokenize returned " + status[0] + "): "
                    + NativeBridge.orUnknown(NativeBridge.recentProblems()));
        }
        return new ImageChunks(chunks);
    }

    /**
     * Encodes image chunk {@code index} and returns a copy of its embeddings (the caller closes it). The caller
     * serialises calls on this context.
     *
     * @throws ModelException when the vision encoder fails
     */
    public EncodedChunk encode(ImageChunks chunks, int index) throws ModelException {
        long embd;
        long h = enter();
        long m = enterOther(model);
        long c = enterOther(chunks);
        try {
            embd = nativeEncodeChunk(h, m, c, index);
        } finally {
            exitOther(chunks);
            exitOther(model);
            exit();
        }
        if (embd == 0) {
            throw new ModelException(
                    "llama.cpp could not encode the image: " + NativeBridge.orUnknown(NativeBridge.recentProblems()));
        }
        return new EncodedChunk(embd);
    }

    /** Decodes an encoded image chunk into {@code context} at {@code nPast}; llama_decode's code. */
    public int decodeImage(LlamaContext context, ImageChunks chunks, int index, EncodedChunk embeddings, int nPast) {
        long h = enter();
        long ctx = enterOther(context);
        long c = enterOther(chunks);
        long e = enterOther(embeddings);
        try {
            return nativeDecodeImageChunk(h, ctx, c, index, e, nPast);
        } finally {
            exitOther(embeddings);
            exitOther(chunks);
            exitOther(context);
            exit();
        }
    }

    private static native long nativeInit(byte[] mmprojPath, long model, boolean useGpu, int nThreads, boolean warmup);

    private static native void nativeFree(long mtmd);

    private static native long nativeTokenize(
            long mtmd, byte[] prompt, byte[] rgb, int width, int height, boolean addSpecial, int[] status);

    private static native long nativeEncodeChunk(long mtmd, long model, long chunks, int index);

    private static native int nativeDecodeImageChunk(long mtmd, long ctx, long chunks, int index, long embd, int nPast);
}
