package io.safetyguard.core;

/**
 * One assessment as {@link GuardEventListener}s see it: which image, under which policy, and when it
 * started. Created only when a listener is registered. Immutable.
 */
public final class AssessmentCall {
    private final long id;
    private final String imageName;
    private final String policyFingerprint;
    private final boolean inBatch;
    private final long startNanos;

    AssessmentCall(long id, String imageName, String policyFingerprint, boolean inBatch, long startNanos) {
        this.id = id;
        this.imageName = imageName;
        this.policyFingerprint = policyFingerprint;
        this.inBatch = inBatch;
        this.startNanos = startNanos;
    }

    /** Numbers the assessments of one guard from 1, in the order they started. */
    public long id() {
        return id;
    }

    /** The image's name ({@link ImageInput#name()}): a file name, or what the host gave. */
    public String imageName() {
        return imageName;
    }

    public String policyFingerprint() {
        return policyFingerprint;
    }

    /** True for an item of {@link SafetyGuard#assessAll}. */
    public boolean inBatch() {
        return inBatch;
    }

    /** {@link System#nanoTime()} when the assessment started; for durations only. */
    public long startNanos() {
        return startNanos;
    }

    /** Nanoseconds since the assessment started. */
    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    @Override
    public String toString() {
        return "AssessmentCall#" + id + "[" + imageName + (inBatch ? ", batch" : "") + "]";
    }
}
