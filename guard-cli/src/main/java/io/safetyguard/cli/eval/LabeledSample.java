package io.safetyguard.cli.eval;

import io.safetyguard.core.Rating;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One row of a labels file.
 *
 * @param line             where it came from (line number in the file), for messages
 * @param image            the image, absolute
 * @param expected         the rating expected under this sample's policy (Safe for exception samples)
 * @param expectedCategory the expected category id ({@code "O3"}, {@code "NA"}), or null when not labelled
 * @param exception        the category id declared non-violating for this sample, or null for the default policy
 */
public record LabeledSample(int line, Path image, Rating expected, String expectedCategory, String exception) {
    public LabeledSample {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(expected, "expected");
    }

    /** Whether the sample is judged under a policy exception (it then counts for PER, not the default metrics). */
    public boolean hasException() {
        return exception != null;
    }
}
