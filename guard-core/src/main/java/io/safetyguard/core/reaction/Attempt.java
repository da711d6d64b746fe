package io.safetyguard.core.reaction;

import io.safetyguard.core.ImageInput;
import io.safetyguard.core.Verdict;
import java.util.Objects;

/**
 * One generation and its verdict.
 *
 * @param number  1 for the first generation, 2 for the first regeneration, ...
 * @param request the request the image was generated from
 * @param image   the generated image
 * @param verdict its verdict
 * @param <R>     the host's request type
 */
public record Attempt<R>(int number, R request, ImageInput image, Verdict verdict) {
    public Attempt {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(verdict, "verdict");
    }

    /** True when the verdict let the image through. */
    public boolean allowed() {
        return !verdict.isUnsafe();
    }
}
