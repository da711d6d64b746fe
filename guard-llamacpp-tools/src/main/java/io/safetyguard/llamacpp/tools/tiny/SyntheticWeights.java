package io.safetyguard.llamacpp.tools.tiny;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The values of a synthetic tensor: mean + std × z, z drawn from a generator seeded by the checkpoint seed and the
 * tensor's canonical name, so values do not depend on layout, sharding, write order or other tensors.
 *
 * <p>z is the standardised sum of four 16-bit uniforms (Irwin–Hall): integer arithmetic only, so the values are
 * the same on every JVM and platform, and about 1 ns each, so the 0.9 billion of the real 0.5B shapes take seconds.
 * Its tails stop at ±3.46, which suits weights. Magnitudes below 2⁻¹⁴ (the smallest normal f16) are flushed to 0, so
 * every bf16 value converts to f16 exactly and a converter's f16 output can be compared bit for bit.
 */
final class SyntheticWeights {
    private static final float SMALLEST_NORMAL_F16 = 0x1p-14f;
    // four uniforms on 0..65535: mean 4 × 32767.5, variance ≈ 4 × 65536² / 12
    private static final double IRWIN_HALL_SCALE = 1 / (65536.0 * Math.sqrt(4.0 / 12.0));

    private SyntheticWeights() {}

    /** The tensor's elements as the writer puts them (rounded to the dtype by the writer). */
    static SafetensorsData data(SyntheticTensor t, long seed) {
        return sink -> {
            Generator g = new Generator(t, seed);
            for (long i = 0, n = t.elements(); i < n; i++) {
                sink.put(g.next());
            }
        };
    }

    /** The tensor's values as stored in {@code dtype}, decoded to float (at most 2³¹ - 1 elements). */
    static float[] values(SyntheticTensor t, long seed, SafetensorsDtype dtype) {
        float[] out = new float[Math.toIntExact(t.elements())];
        Generator g = new Generator(t, seed);
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.round(g.next());
        }
        return out;
    }

    private static final class Generator {
        private final SplittableRandom rng;
        private final double mean;
        private final double scale;

        Generator(SyntheticTensor t, long seed) {
            this.rng = new SplittableRandom(mix(seed, fnv1a(t.canonicalName())));
            this.mean = t.mean();
            this.scale = t.std() * IRWIN_HALL_SCALE;
        }

        float next() {
            long r = rng.nextLong();
            long sum = (r & 0xFFFF) + ((r >>> 16) & 0xFFFF) + ((r >>> 32) & 0xFFFF) + (r >>> 48);
            float v = (float) (mean + (sum - 131_070.0) * scale);
            return Math.abs(v) < SMALLEST_NORMAL_F16 ? 0f : v;
        }
    }

    private static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser over the pair, so nearby seeds give unrelated streams. */
    private static long mix(long seed, long salt) {
        long z = seed * 0x9E3779B97F4A7C15L + salt;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
