package io.safetyguard.llamacpp.tools.convert;

import io.safetyguard.llamacpp.internal.gguf.GgmlType;

/** {@code general.file_type} ({@code llama_ftype}) of a file whose matrices are all of one float type. */
final class FileTypes {
    private FileTypes() {}

    static long of(GgmlType matrixType) {
        return switch (matrixType) {
            case F32 -> 0; // LLAMA_FTYPE_ALL_F32
            case F16 -> 1; // LLAMA_FTYPE_MOSTLY_F16
            case BF16 -> 32; // LLAMA_FTYPE_MOSTLY_BF16
            default -> throw new IllegalArgumentException("not a float type: " + matrixType);
        };
    }
}
