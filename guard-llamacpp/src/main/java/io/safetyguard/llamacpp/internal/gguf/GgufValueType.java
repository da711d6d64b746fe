package io.safetyguard.llamacpp.internal.gguf;

import java.util.Optional;

/** The metadata value types of GGUF (ids as in {@code gguf.h}), with llama.cpp's short names. */
public enum GgufValueType {
    UINT8(0, 1, "u8"),
    INT8(1, 1, "i8"),
    UINT16(2, 2, "u16"),
    INT16(3, 2, "i16"),
    UINT32(4, 4, "u32"),
    INT32(5, 4, "i32"),
    FLOAT32(6, 4, "f32"),
    BOOL(7, 1, "bool"),
    STRING(8, 0, "str"),
    ARRAY(9, 0, "arr"),
    UINT64(10, 8, "u64"),
    INT64(11, 8, "i64"),
    FLOAT64(12, 8, "f64");

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int size;
    private final String shortName;

    GgufValueType(int id, int size, String shortName) {
        this.id = id;
        this.size = size;
        this.shortName = shortName;
    }

    /** The id stored in the file. */
    public int id() {
        return id;
    }

    /** Size in bytes of one value, or 0 for the variable-size types {@link #STRING} and {@link #ARRAY}. */
    public int size() {
        return size;
    }

    /** llama.cpp's name for the type ({@code gguf_type_name}), e.g. {@code u32}. */
    public String shortName() {
        return shortName;
    }

    /** True for the integer types (signed or unsigned, any width). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with this id, or empty when the id is not a GGUF value type. */
    public static Optional<GgufValueType> fromId(long id) {
        // ids are dense 0..12, so the ordinal is the id
        return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[(int) id]) : Optional.empty();
    }
}
