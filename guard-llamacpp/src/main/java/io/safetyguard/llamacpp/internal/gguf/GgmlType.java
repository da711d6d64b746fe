package io.safetyguard.llamacpp.internal.gguf;

import java.util.Optional;

/**
 * The tensor element types a GGUF file may use, as in {@code ggml.h} of the pinned llama.cpp release (v0.4.0),
 * with each type's block size (elements per block) and block size in bytes.
 *
 * <p>Ids that ggml has removed (4, 5, 31–33, 36–38) are not listed: llama.cpp rejects them, so do we.
 */
public enum GgmlType {
    F32(0, "f32", 1, 4),
    F16(1, "f16", 1, 2),
    Q4_0(2, "q4_0", 32, 18),
    Q4_1(3, "q4_1", 32, 20),
    Q5_0(6, "q5_0", 32, 22),
    Q5_1(7, "q5_1", 32, 24),
    Q8_0(8, "q8_0", 32, 34),
    Q8_1(9, "q8_1", 32, 40),
    Q2_K(10, "q2_K", 256, 84),
    Q3_K(11, "q3_K", 256, 110),
    Q4_K(12, "q4_K", 256, 144),
    Q5_K(13, "q5_K", 256, 176),
    Q6_K(14, "q6_K", 256, 210),
    Q8_K(15, "q8_K", 256, 292),
    IQ2_XXS(16, "iq2_xxs", 256, 66),
    IQ2_XS(17, "iq2_xs", 256, 74),
    IQ3_XXS(18, "iq3_xxs", 256, 98),
    IQ1_S(19, "iq1_s", 256, 50),
    IQ4_NL(20, "iq4_nl", 32, 18),
    IQ3_S(21, "iq3_s", 256, 110),
    IQ2_S(22, "iq2_s", 256, 82),
    IQ4_XS(23, "iq4_xs", 256, 136),
    I8(24, "i8", 1, 1),
    I16(25, "i16", 1, 2),
    I32(26, "i32", 1, 4),
    I64(27, "i64", 1, 8),
    F64(28, "f64", 1, 8),
    IQ1_M(29, "iq1_m", 256, 56),
    BF16(30, "bf16", 1, 2),
    TQ1_0(34, "tq1_0", 256, 54),
    TQ2_0(35, "tq2_0", 256, 66),
    MXFP4(39, "mxfp4", 32, 17),
    NVFP4(40, "nvfp4", 64, 36),
    Q1_0(41, "q1_0", 128, 18),
    Q2_0(42, "q2_0", 64, 18);

    /** One past the highest id known to the pinned llama.cpp ({@code GGML_TYPE_COUNT}). */
    public static final int ID_LIMIT = 43;

    private static final GgmlType[] BY_ID = new GgmlType[ID_LIMIT];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final String ggmlName;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, String ggmlName, int blockSize, int blockBytes) {
        this.id = id;
        this.ggmlName = ggmlName;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** The id stored in the file. */
    public int id() {
        return id;
    }

    /** ggml's name for the type ({@code ggml_type_name}), e.g. {@code q4_K}. */
    public String ggmlName() {
        return ggmlName;
    }

    /** Elements per block; a row ({@code ne[0]}) must be a multiple of it. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /**
     * Bytes needed for {@code elements} elements, which must be a multiple of {@link #blockSize()}.
     *
     * @throws ArithmeticException when the size does not fit in a {@code long}
     */
    public long byteSize(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    elements + " elements is not a multiple of the " + ggmlName + " block size " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }

    /** The type with this id, or empty for unknown and removed ids. */
    public static Optional<GgmlType> fromId(long id) {
        return id >= 0 && id < ID_LIMIT ? Optional.ofNullable(BY_ID[(int) id]) : Optional.empty();
    }
}
