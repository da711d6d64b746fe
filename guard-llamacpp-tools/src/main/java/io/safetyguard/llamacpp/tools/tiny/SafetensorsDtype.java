package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.Float16;
import java.util.Locale;

/**
 * The floating-point element types a synthetic checkpoint is written in, with their safetensors header names and
 * the {@code torch_dtype} that {@code config.json} names them by.
 */
public enum SafetensorsDtype {
    /** bfloat16, the published LlavaGuard checkpoints' declared {@code torch_dtype}. */
    BF16("BF16", "bfloat16", 2),
    /** IEEE half precision. */
    F16("F16", "float16", 2),
    /** IEEE single precision. */
    F32("F32", "float32", 4);

    private final String headerName;
    private final String torchName;
    private final int bytes;

    SafetensorsDtype(String headerName, String torchName, int bytes) {
        this.headerName = headerName;
        this.torchName = torchName;
        this.bytes = bytes;
    }

    /** The {@code dtype} string of a safetensors header entry, e.g. {@code BF16}. */
    public String headerName() {
        return headerName;
    }

    /** The {@code torch_dtype} value of {@code config.json}, e.g. {@code bfloat16}. */
    public String torchName() {
        return torchName;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /**
     * The rank the Rust safetensors library sorts tensors by (its {@code Dtype} enum order): a file lists larger
     * ranks first, then names in ascending order.
     */
    int sortRank() {
        return switch (this) {
            case F16 -> 0;
            case BF16 -> 1;
            case F32 -> 2;
        };
    }

    /** The value this type stores for {@code v}, as a float (round to nearest even). */
    public float round(float v) {
        return switch (this) {
            case BF16 -> bf16ToFloat(floatToBf16(v));
            case F16 -> Float16.toFloat(Float16.fromFloat(v));
            case F32 -> v;
        };
    }

    /** The type for a command-line name ({@code bf16}, {@code f16}, {@code f32}), case-insensitive. */
    public static SafetensorsDtype fromCliName(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(n)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "'; use bf16, f16 or f32");
    }

    /** bfloat16 bits nearest to {@code v} (round to nearest, ties to even; NaN stays NaN). */
    static short floatToBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 0x40); // quiet NaN
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** The float value of bfloat16 bits (exact). */
    static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }
}
