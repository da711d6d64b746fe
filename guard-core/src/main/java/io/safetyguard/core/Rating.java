package io.safetyguard.core;

import java.util.Locale;
import java.util.Optional;

/** The verdict's rating, spelled in JSON as LlavaGuard spells it: {@code "Safe"} or {@code "Unsafe"}. */
public enum Rating {
    SAFE("Safe"),
    UNSAFE("Unsafe");

    private final String label;

    Rating(String label) {
        this.label = label;
    }

    /** {@code "Safe"} or {@code "Unsafe"}. */
    public String label() {
        return label;
    }

    /** Case-insensitive lookup of a label, ignoring surrounding whitespace. */
    public static Optional<Rating> fromLabel(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "safe" -> Optional.of(SAFE);
            case "unsafe" -> Optional.of(UNSAFE);
            default -> Optional.empty();
        };
    }
}
