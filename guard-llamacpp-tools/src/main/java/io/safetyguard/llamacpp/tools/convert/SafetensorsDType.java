package io.safetyguard.llamacpp.tools.convert;

import java.util.Optional;

/** The safetensors element types the converter reads; checkpoints in other types are refused by name. */
enum SafetensorsDType {
    BF16(2),
    F16(2),
    F32(4);

    private final int bytes;

    SafetensorsDType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    int bytes() {
        return bytes;
    }

    /** The type spelled as in a safetensors header ({@code "BF16"}), if supported. */
    static Optional<SafetensorsDType> fromHeader(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
