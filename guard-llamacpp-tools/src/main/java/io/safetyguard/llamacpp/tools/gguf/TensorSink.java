package io.safetyguard.llamacpp.tools.gguf;

import java.io.IOException;

/** Where {@link TensorData} writes a tensor's elements, in ggml order (row by row, {@code ne[0]} fastest). */
public interface TensorSink {

    /** Writes one f32 element. */
    void putF32(float value) throws IOException;

    /** Writes one element converted to f16 (round to nearest even). */
    void putF16(float value) throws IOException;

    /** Writes raw bytes, e.g. quantized blocks. */
    void putBytes(byte[] bytes, int offset, int length) throws IOException;
}
