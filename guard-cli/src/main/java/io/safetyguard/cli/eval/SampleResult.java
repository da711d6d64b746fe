package io.safetyguard.cli.eval;

import io.safetyguard.core.Rating;
import io.safetyguard.core.Verdict;
import java.util.Map;
import java.util.Objects;

/**
 * A labelled sample and what the model answered.
 *
 * @param sample     the labelled sample
 * @param predicted  the verdict's rating (the model's, or the unsafe threshold's); null when no verdict could be made (the sample is invalid)
 * @param categoryId the id of the category the model chose ({@code "O3"}, {@code "NA"}); null when invalid
 * @param category   the label the model chose; null when invalid
 * @param error      why no verdict could be made; null when valid
 * @param ms         wall-clock milliseconds
 * @param policy     the fingerprint of the policy the sample was judged under; null if unknown
 * @param pUnsafe    the model's P(Unsafe); null when invalid or the backend does not compute it
 * @param modelRating the rating the model wrote (before any threshold); null when invalid
 * @param categoryProbabilities P(category | the rating the model wrote) by id; empty when unknown
 */
public record SampleResult(
        LabeledSample sample,
        Rating predicted,
        String categoryId,
        String category,
        String error,
        double ms,
        String policy,
        Double pUnsafe,
        Rating modelRating,
        Map<String, Double> categoryProbabilities) {

    /** A result without the model's own rating and category distribution. */
    public SampleResult(
            LabeledSample sample,
            Rating predicted,
            String categoryId,
            String category,
            String error,
            double ms,
            String policy,
            Double pUnsafe) {
        this(sample, predicted, categoryId, category, error, ms, policy, pUnsafe, predicted, Map.of());
    }

    /** A result without P(Unsafe). */
    public SampleResult(
            LabeledSample sample,
            Rating predicted,
            String categoryId,
            String category,
            String error,
            double ms,
            String policy) {
        this(sample, predicted, categoryId, category, error, ms, policy, null);
    }

    public SampleResult {
        Objects.requireNonNull(sample, "sample");
        categoryProbabilities = categoryProbabilities == null ? Map.of() : Map.copyOf(categoryProbabilities);
        if ((predicted == null) == (error == null)) {
            throw new IllegalArgumentException(
                    "a result has either a rating or an error: " + predicted + " / " + error);
        }
    }

    /** The result for a verdict; a failure verdict makes the sample invalid. */
    public static SampleResult of(LabeledSample sample, Verdict v) {
        double ms = Math.round(v.totalMillis() * 10) / 10.0;
        if (v.isFailure()) {
            return new SampleResult(
                    sample, null, null, null, v.failureReason().orElse("no verdict"), ms, v.policyFingerprint());
        }
        return new SampleResult(
                sample,
                v.rating(),
                v.categoryId().orElse(null),
                v.categoryLabel().orElse(null),
                null,
                ms,
                v.policyFingerprint(),
                v.probabilityUnsafe().isPresent() ? v.probabilityUnsafe().getAsDouble() : null,
                v.modelRating().orElse(null),
                v.categoryProbabilities());
    }

    /** The result for an assessment that ended with an exception. */
    public static SampleResult ofException(LabeledSample sample, Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new SampleResult(sample, null, null, null, message, 0, null);
    }

    /** A valid result has a verdict. */
    public boolean isValid() {
        return predicted != null;
    }

    /** Whether the predicted rating is the expected one; false when invalid. */
    public boolean ratingCorrect() {
        return predicted == sample.expected();
    }
}
