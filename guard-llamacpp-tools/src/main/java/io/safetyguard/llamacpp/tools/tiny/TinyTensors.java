package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import io.safetyguard.llamacpp.tools.gguf.TensorData;
import java.util.Arrays;

/** Declares the tensors of a tiny model on a {@link GgufWriter}: random weights, unit norms, zero biases. */
final class TinyTensors {
    private final GgufWriter writer;
    private final GaussianWeights weights;

    TinyTensors(GgufWriter writer, long seed) {
        this.writer = writer;
        this.weights = new GaussianWeights(seed);
    }

    /** Random N(0, 0.02) values; {@code ne} in ggml order. */
    void random(String name, GgmlType type, long... ne) {
        writer.addTensor(name, type, ne, weights.normal(name, elements(ne), type));
    }

    /** An F32 vector of ones (norm weights). */
    void ones(String name, long n) {
        constant(name, n, 1f);
    }

    /** An F32 vector of zeros (norm biases). */
    void zeros(String name, long n) {
        constant(name, n, 0f);
    }

    /** An F32 vector with the given values. */
    void values(String name, float[] values) {
        writer.addTensor(name, GgmlType.F32, new long[] {values.length}, TensorData.f32(values.clone()));
    }

    private void constant(String name, long n, float value) {
        float[] v = new float[Math.toIntExact(n)];
        Arrays.fill(v, value);
        writer.addTensor(name, GgmlType.F32, new long[] {n}, TensorData.f32(v));
    }

    private static long elements(long[] ne) {
        long n = 1;
        for (long d : ne) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
