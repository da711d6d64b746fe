package io.safetyguard.llamacpp.tools.gguf;

import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import java.util.Objects;
import java.util.Optional;

/**
 * One change to a GGUF file's metadata: set a key to a value (adding it if absent) or remove it.
 *
 * @param key   the key
 * @param value the new value, or empty to remove the key
 */
public record MetadataEdit(String key, Optional<GgufValue> value) {
    public MetadataEdit {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isBlank()) {
            throw new IllegalArgumentException("metadata keys must not be empty");
        }
    }

    /** Sets {@code key} to {@code value}. */
    public static MetadataEdit set(String key, GgufValue value) {
        return new MetadataEdit(key, Optional.of(value));
    }

    /** Removes {@code key}. */
    public static MetadataEdit remove(String key) {
        return new MetadataEdit(key, Optional.empty());
    }

    /**
     * Parses {@code KEY=TYPE:VALUE} (see {@link MetadataValueParser}).
     *
     * @throws IllegalArgumentException when it is malformed or the type is not the one llama.cpp reads
     */
    public static MetadataEdit parseAssignment(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("'" + assignment + "' is not KEY=TYPE:VALUE, e.g. "
                    + "clip.use_gelu=bool:true or clip.vision.feature_layer=arr[i32]:26");
        }
        String key = assignment.substring(0, eq).trim();
        GgufValue value;
        try {
            value = MetadataValueParser.parse(assignment.substring(eq + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
        KnownKeyTypes.check(key, value);
        return set(key, value);
    }
}
