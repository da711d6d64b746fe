package io.safetyguard.core;

/** Applies the {@link FailureMode}: a failure becomes a fail-closed or fail-open verdict, or an exception. */
final class FailureHandler {

    private final FailureMode mode;
    private final String modelId;

    FailureHandler(FailureMode mode, String modelId) {
        this.mode = mode;
        this.modelId = modelId;
    }

    FailureMode mode() {
        return mode;
    }

    /**
     * @param inBatch true inside {@link SafetyGuard#assessAll}: never throw there, so one bad
     *                item cannot lose the others; THROW then falls back to fail-closed
     * @throws SafetyGuardException in THROW mode outside a batch
     */
    Verdict handle(AssessmentFailure failure, String policyFingerprint, long startNanos, boolean inBatch) {
        if (mode == FailureMode.THROW && !inBatch) {
            throw new SafetyGuardException(failure.kind(), failure.getMessage(), failure.getCause());
        }
        return Verdict.builder()
                .rating(mode == FailureMode.FAIL_OPEN ? Rating.SAFE : Rating.UNSAFE)
                .source(VerdictSource.FAILURE)
                .failure(failure.kind(), failure.getMessage())
                .policyFingerprint(policyFingerprint)
                .modelId(modelId)
                .imageDigest(failure.imageDigest())
                .rawText(failure.rawText())
                .modelMillis(failure.modelMillis())
                .totalMillis(Timing.millisSince(startNanos))
                .build();
    }
}
