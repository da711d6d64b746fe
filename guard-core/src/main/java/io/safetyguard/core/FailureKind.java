package io.safetyguard.core;

/** Why no verdict could be produced; for metrics and handling. The verdict's reason says more. */
public enum FailureKind {
    /** The image was rejected: unreadable, empty, over a limit, an unsupported format, corrupt. */
    IMAGE_REJECTED,
    /** The backend threw. */
    MODEL_ERROR,
    /** The model answered, but the answer is not a verdict under the policy. */
    UNPARSEABLE_OUTPUT,
    /** The assessment took longer than {@code GenerationOptions.timeout()}. */
    TIMEOUT,
    /** The assessment was cancelled, interrupted, or cut short by {@link SafetyGuard#close()}. */
    CANCELLED
}
