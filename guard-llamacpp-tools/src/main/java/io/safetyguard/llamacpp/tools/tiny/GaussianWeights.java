package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.tools.gguf.TensorData;
import java.util.Random;

/**
 * Seeded N(0, 0.02) weights. Each tensor draws from its own generator, seeded from the model seed and the tensor
 * name, so the values depend on neither the order tensors are written in nor on other tensors' sizes.
 * {@link Random}'s algorithm is fixed by its specification, so the values are the same on every JVM.
 */
final class GaussianWeights {
    private static final double SCALE = 0.02;

    private final long seed;

    GaussianWeights(long seed) {
        this.seed = seed;
    }

    /** {@code count} values for the named tensor, written as {@code type} (F16 or F32) while the file is written. */
    TensorData normal(String tensorName, long count, GgmlType type) {
        if (type != GgmlType.F16 && type != GgmlType.F32) {
            throw new IllegalArgumentException("random weights are F16 or F32, not " + type);
        }
        return sink -> {
            Random rng = rngFor(tensorName);
            for (long i = 0; i < count; i++) {
                float v = (float) (rng.nextGaussian() * SCALE);
                if (type == GgmlType.F16) {
                    sink.putF16(v);
                } else {
                    sink.putF32(v);
                }
            }
        };
    }

    private Random rngFor(String tensorName) {
        // SplitMix64 finaliser, so seeds 1 and 2 give unrelated streams for the same tensor
        long z = seed * 0x9E3779B97F4A7C15L + tensorName.hashCode();
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Random(z ^ (z >>> 31));
    }
}
