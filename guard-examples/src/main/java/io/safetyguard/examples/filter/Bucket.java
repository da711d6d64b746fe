package io.safetyguard.examples.filter;

import io.safetyguard.core.Verdict;
import java.util.Locale;

/** The output folder an image lands in. */
public enum Bucket {
    /** Rated Safe by the model. */
    SAFE,
    /** Rated Unsafe by the model. */
    UNSAFE,
    /**
     * No verdict could be made (undecodable or oversized file, model failure, timeout). Kept apart
     * from unsafe/ so they can be fixed and re-run; they never land in safe/.
     */
    ERRORS;

    /** Where {@code verdict} sends its image. */
    public static Bucket of(Verdict verdict) {
        if (verdict.isFailure()) {
            return ERRORS;
        }
        return verdict.isUnsafe() ? UNSAFE : SAFE;
    }

    /** The folder name: {@code safe}, {@code unsafe}, {@code errors}. */
    public String folderName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
