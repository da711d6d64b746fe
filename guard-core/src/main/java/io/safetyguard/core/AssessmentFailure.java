package io.safetyguard.core;

/**
 * Internal signal that no verdict could be produced. It travels through the cache's shared
 * future (so failures are never stored) and is turned into a verdict or a
 * {@link SafetyGuardException} by {@link FailureHandler}.
 */
final class AssessmentFailure extends RuntimeException {

    private final FailureKind kind;
    private final String imageDigest;
    private final String rawText;
    private final double modelMillis;

    AssessmentFailure(
            FailureKind kind, String reason, Throwable cause, String imageDigest, String rawText, double modelMillis) {
        super(reason, cause, false, false);
        this.kind = kind;
        this.imageDigest = imageDigest;
        this.rawText = rawText;
        this.modelMillis = modelMillis;
    }

    AssessmentFailure(FailureKind kind, String reason, Throwable cause, String imageDigest) {
        this(kind, reason, cause, imageDigest, null, 0);
    }

    FailureKind kind() {
        return kind;
    }

    String imageDigest() {
        return imageDigest;
    }

    String rawText() {
        return rawText;
    }

    double modelMillis() {
        return modelMillis;
    }
}
