package io.safetyguard.llamacpp.tools.quantize;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The target types {@link ModelQuantizer} offers: the {@code llama_ftype} values of the pinned llama.cpp that
 * {@code llama_model_quantize} produces without an importance matrix. (The IQ1/IQ2/IQ3 and Q2_K_S types need
 * an imatrix for usable quality; the ternary and FP4 types are for other model families.)
 */
public enum QuantizationType {
    F32(0),
    F16(1),
    BF16(32),
    Q4_0(2),
    Q4_1(3),
    Q5_0(8),
    Q5_1(9),
    Q8_0(7),
    Q2_K(10),
    Q3_K_S(11),
    Q3_K_M(12),
    Q3_K_L(13),
    Q4_K_S(14),
    Q4_K_M(15),
    Q5_K_S(16),
    Q5_K_M(17),
    Q6_K(18),
    IQ4_NL(25),
    IQ4_XS(30);

    private final int llamaFtype;

    QuantizationType(int llamaFtype) {
        this.llamaFtype = llamaFtype;
    }

    /** The {@code llama_ftype} id (also what {@code general.file_type} records). */
    public int llamaFtype() {
        return llamaFtype;
    }

    /** The type with this name, case-insensitive ({@code q4_k_m}, {@code Q8_0}). */
    public static QuantizationType fromName(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (QuantizationType t : values()) {
            if (t.name().equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown quantization type '" + name + "'; use one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))
                + " (Q8_0 or Q4_K_M are the usual choices)");
    }
}
