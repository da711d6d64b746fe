package io.safetyguard.core;

import java.util.Objects;
import java.util.Optional;

/**
 * The fields read from a model's answer.
 *
 * @param rating    Safe or Unsafe
 * @param category  one of the policy's labels, exactly as the policy spells it
 * @param rationale the rationale, possibly cut short; empty when the answer had none
 * @param truncated true when the answer ended before its closing brace (rationale cut short)
 */
record ParsedVerdict(Rating rating, String category, Optional<String> rationale, boolean truncated) {
    ParsedVerdict {
        Objects.requireNonNull(rating, "rating");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(rationale, "rationale");
    }
}
