package io.safetyguard.core;

/** Where a verdict came from. */
public enum VerdictSource {
    /** The model assessed the image for this call. */
    MODEL,
    /** A verdict computed earlier for the same image, policy, model and settings (or by a concurrent identical call). */
    CACHE,
    /** No verdict could be produced; the rating is set by the {@link FailureMode}. */
    FAILURE,
    /**
     * Read from the image's own metadata, where an earlier assessment stamped it, without running
     * the model; only with {@link SafetyGuard.Builder#trustEmbeddedVerdicts(boolean)} and only when
     * the stamp's policy fingerprint, model id and content digest match.
     */
    EMBEDDED
}
