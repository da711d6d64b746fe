package io.safetyguard.core;

/** What decided a verdict's {@link Verdict#rating()}. */
public enum RatingSource {
    /** The rating the model wrote. */
    MODEL,
    /**
     * The host's unsafe threshold applied to {@link Verdict#probabilityUnsafe()}: Unsafe iff
     * P(Unsafe) &gt;= {@link Verdict#unsafeThreshold()}. The model's own rating is
     * {@link Verdict#modelRating()}; it may agree.
     */
    THRESHOLD,
    /** No verdict could be produced; the {@link FailureMode} set the rating. */
    FAILURE_MODE
}
