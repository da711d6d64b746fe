package io.safetyguard.spark;

import io.safetyguard.core.Verdict;
import java.util.Objects;

/**
 * What became of one image: a verdict (a model verdict, or a failure verdict when the guard could
 * not judge it), or an error before the guard was reached (the file could not be read).
 *
 * @param verdict the guard's verdict; null for {@link #error(String, String, String)} outcomes
 * @param error   why there is no verdict; null when the model judged the image
 * @param ms      wall-clock milliseconds for this image, rounded to 0.1 as {@code guard audit} writes them
 * @param policyFingerprint the full policy fingerprint the image was judged under
 * @param modelId the identity of the model that judged it
 */
record ImageOutcome(Verdict verdict, String error, double ms, String policyFingerprint, String modelId) {

    ImageOutcome {
        Objects.requireNonNull(policyFingerprint, "policyFingerprint");
        Objects.requireNonNull(modelId, "modelId");
    }

    /** The outcome for a verdict; a failure verdict is an error (it says nothing about the image's content). */
    static ImageOutcome of(Verdict v, String modelId) {
        double ms = Math.round(v.totalMillis() * 10) / 10.0;
        String error = v.isFailure() ? v.failureReason().orElse("no verdict") : null;
        return new ImageOutcome(v.isFailure() ? null : v, error, ms, v.policyFingerprint(), modelId);
    }

    /** The outcome for an image the guard never saw or that failed with an exception. */
    static ImageOutcome error(String message, String policyFingerprint, String modelId) {
        return new ImageOutcome(null, message, 0, policyFingerprint, modelId);
    }
}
