package io.safetyguard.llamacpp.tools.tiny;

import java.io.IOException;

/**
 * The elements of one safetensors tensor, produced while the file is written so that large tensors are never held
 * in memory. It must put exactly the tensor's element count, in row-major (PyTorch) order; the writer checks.
 */
@FunctionalInterface
public interface SafetensorsData {

    /** Puts the tensor's elements; each is stored in the tensor's dtype (rounded to nearest even). */
    void writeTo(Sink sink) throws IOException;

    /** Where {@link SafetensorsData} puts its elements. */
    interface Sink {
        /** Puts the next element. */
        void put(float value) throws IOException;
    }

    /** Elements from an array (not copied). */
    static SafetensorsData of(float[] values) {
        return sink -> {
            for (float v : values) {
                sink.put(v);
            }
        };
    }
}
