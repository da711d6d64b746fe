package io.safetyguard.llamacpp;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.jni.EncodedChunk;
import io.safetyguard.llamacpp.internal.jni.ImageChunks;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import io.safetyguard.llamacpp.internal.jni.MtmdContext;
import io.safetyguard.llamacpp.internal.vision.RgbImage;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * Test helper: what llama.cpp's libmtmd makes of one image, read back as the float rows it would feed the LLM.
 * Goes through the same shim calls as {@link LlamaCppModel} (load, mtmd init, tokenize with the media marker,
 * {@link MtmdContext#encode}) with one thread and no GPU.
 */
public final class NativeTileEmbeddings {

    private NativeTileEmbeddings() {}

    /**
     * Encodes {@code image} (a single tile when it is no larger than the mmproj's image size) and returns the rows
     * of its first image chunk, {@code [tokens][n_embd]}.
     */
    public static float[][] encodeFirstImageChunk(Path model, Path mmproj, RgbImage image) {
        NativeBridge.ensureInitialised();
        try (LlamaModel m = LlamaModel.load(model, 0, true);
                MtmdContext mtmd = MtmdContext.load(mmproj, m, false, 1, false)) {
            String marker = new String(NativeBridge.mediaMarker(), java.nio.charset.StandardCharsets.UTF_8);
            try (ImageChunks chunks =
                    mtmd.tokenize("x " + marker + " y", image.rgb(), image.width(), image.height(), false)) {
                for (int i = 0; i < chunks.count(); i++) {
                    if (chunks.type(i) != ImageChunks.IMAGE) {
                        continue;
                    }
                    int tokens = chunks.tokens(i);
                    int width = m.inputEmbeddingWidth();
                    try (EncodedChunk embd = mtmd.encode(chunks, i)) {
                        return readRows(embd.address(), tokens, width);
                    }
                }
            }
            throw new IllegalStateException("the prompt produced no image chunk");
        } catch (ModelException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    // The shim hands out the embeddings as a malloc'd pointer (EncodedChunk) for the image decode; the production
    // code never reads it from Java, so rather than widen the native ABI for a test, read it with sun.misc.Unsafe
    // (jdk.unsupported).
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
