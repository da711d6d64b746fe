package io.safetyguard.llamacpp.internal.gguf;

/**
 * IEEE 754 half precision conversion (Java 17 has no {@code Float.floatToFloat16}). Rounds to nearest, ties to
 * even, as numpy's {@code astype(np.float16)} and ggml's {@code ggml_fp32_to_fp16} do.
 */
public final class Float16 {
    private Float16() {}

    /** The half-precision bits nearest to {@code f}; overflow gives infinity, NaN stays NaN. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7F_FFFF;
        if (exp == 0xFF) {
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            int full = mant | 0x80_0000;
            int shift = 14 - e;
            int half = full >>> shift;
            int rest = full & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = sign | (e << 10) | (mant >>> 13);
        int rest = mant & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // a carry into the exponent is still the correctly rounded value (up to infinity)
        }
        return (short) half;
    }

    /** The float value of half-precision bits (exact). */
    public static float toFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
