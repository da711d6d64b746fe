package io.safetyguard.llamacpp.tools.gguf;

import java.io.IOException;

/**
 * The content of one tensor, produced while the file is written so that large tensors never need to be held in
 * memory. It must write exactly the tensor's byte size; {@link GgufWriter} checks.
 */
@FunctionalInterface
public interface TensorData {

    /** Writes the tensor's elements in ggml order. */
    void writeTo(TensorSink sink) throws IOException;

    /** f32 elements from an array (not copied; do not change it before the file is written). */
    static TensorData f32(float[] values) {
        return sink -> {
            for (float v : values) {
                sink.putF32(v);
            }
        };
    }

    /** Elements from an array, stored as f16 (not copied). */
    static TensorData f16(float[] values) {
        return sink -> {
            for (float v : values) {
                sink.putF16(v);
            }
        };
    }

    /** Raw bytes in the tensor's own type, e.g. quantized blocks (not copied). */
    static TensorData raw(byte[] bytes) {
        return sink -> sink.putBytes(bytes, 0, bytes.length);
    }
}
