package io.safetyguard.llamacpp;

import io.safetyguard.llamacpp.internal.NativeBridge;

import io.safetyguard.llamacpp.internal.vision.RgbImage;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * Test helper: what llama.cpp's libmtmd makes of one image, read back as the float rows it would feed the LLM.
 * Goes through the same shim calls as {@link LlamaCppModel} (load, mtmd init, tokenize with the media marker,
 * {@code encodeImageChunk}) with one thread and no GPU.
 */
public final class NativeTileEmbeddings {

    private NativeTileEmbeddings() {}

    /**
     * Encodes {@code image} (a single tile when it is no larger than the mmproj's image size) and returns the rows
     * of its first image chunk, {@code [tokens][n_embd]}.
     */
    public static float[][] encodeFirstImageChunk(Path model, Path mmproj, RgbImage image) {
        NativeBridge.ensureInitialised();
        long m = NativeBridge.modelLoad(NativeBridge.utf8(model.toAbsolutePath().toString()), 0, -1);
        if (m == 0) {
            throw new IllegalStateException("llama.cpp could not load " + model + ": " + NativeBridge.recentProblems());
        }
        long mtmd = 0;
        long chunks = 0;
        try {
            mtmd = NativeBridge.mtmdInit(NativeBridge.utf8(mmproj.toAbsolutePath().toString()), m, false, 1, false);
            if (mtmd == 0) {
                throw new IllegalStateException("llama.cpp could not load " + mmproj + ": "
                        + NativeBridge.recentProblems());
            }
            String marker = new String(NativeBridge.mediaMarker(), java.nio.charset.StandardCharsets.UTF_8);
            int[] status = new int[1];
            chunks = NativeBridge.tokenizeWithImage(mtmd, NativeBridge.utf8("x " + marker + " y"), image.rgb(),
                    image.width(), image.height(), false, status);
            if (chunks == 0) {
                throw new IllegalStateException("mtmd_tokenize failed with " + status[0]);
            }
            for (int i = 0; i < NativeBridge.chunksCount(chunks); i++) {
                if (NativeBridge.chunkType(chunks, i) != NativeBridge.CHUNK_IMAGE) {
                    continue;
                }
                int tokens = NativeBridge.chunkTokens(chunks, i);
                int width = NativeBridge.modelNEmbdInp(m);
                long embd = NativeBridge.encodeImageChunk(mtmd, m, chunks, i);
                if (embd == 0) {
                    throw new IllegalStateException("encoding failed: " + NativeBridge.recentProblems());
                }
                try {
                    return readRows(embd, tokens, width);
                } finally {
                    NativeBridge.freeBuffer(embd);
                }
            }
            throw new IllegalStateException("the prompt produced no image chunk");
        } finally {
            if (chunks != 0) {
                NativeBridge.chunksFree(chunks);
            }
            if (mtmd != 0) {
                NativeBridge.mtmdFree(mtmd);
            }
            NativeBridge.modelFree(m);
        }
    }

    // The shim hands out the embeddings as a malloc'd pointer for decodeImageChunk; the production code never reads
    // it from Java, so rather than widen the native ABI for a test, read it with sun.misc.Unsafe (jdk.unsupported).
    private static float[][] readRows(long address, int rows, int width) {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            Method getFloat = unsafeClass.getMethod("getFloat", long.class);
            float[][] out = new float[rows][width];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < width; c++) {
                    out[r][c] = (float) getFloat.invoke(unsafe, address + 4L * ((long) r * width + c));
                }
            }
            return out;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read native memory in this JVM", e);
        }
    }
}
