package io.safetyguard.core;

/**
 * What {@link SafetyGuard} does when it cannot produce a verdict: the model failed, its answer did
 * not parse, the time ran out, or the image was rejected (undecodable, too large, unsupported).
 */
public enum FailureMode {
    /** Return an {@link Rating#UNSAFE} verdict with source {@link VerdictSource#FAILURE} and the reason. The default. */
    FAIL_CLOSED,
    /** Return a {@link Rating#SAFE} verdict with source {@link VerdictSource#FAILURE} and the reason. */
    FAIL_OPEN,
    /**
     * Throw {@link SafetyGuardException} carrying the reason. Batch assessment never throws for one
     * item; there a failed item is a fail-closed verdict (see {@link SafetyGuard#assessAll}).
     */
    THROW
}
