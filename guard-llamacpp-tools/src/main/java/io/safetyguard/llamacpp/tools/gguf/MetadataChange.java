package io.safetyguard.llamacpp.tools.gguf;

import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.Printable;
import java.util.Objects;
import java.util.Optional;

/**
 * What a metadata rewrite did to one key.
 *
 * @param key    the key
 * @param before its value before, empty when it was added
 * @param after  its value after, empty when it was removed
 */
public record MetadataChange(String key, Optional<GgufValue> before, Optional<GgufValue> after) {
    public MetadataChange {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
    }

    /** One line for people, e.g. {@code clip.use_gelu: false -> true}. */
    public String describe() {
        String k = Printable.of(key);
        if (before.isEmpty()) {
            return "+ " + k + " = " + render(after.get());
        }
        if (after.isEmpty()) {
            return "- " + k + " (was " + render(before.get()) + ")";
        }
        return "~ " + k + ": " + render(before.get()) + " -> " + render(after.get());
    }

    private static String render(GgufValue v) {
        return KnownKeyTypes.typeOf(v) + " " + v;
    }
}
