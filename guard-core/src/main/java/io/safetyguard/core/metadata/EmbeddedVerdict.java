package io.safetyguard.core.metadata;

import io.safetyguard.core.Rating;
import io.safetyguard.core.Verdict;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A verdict as stamped into an image's metadata ({@code safetyguard:verdict} in its XMP).
 *
 * <p>{@link #contentIntact()} tells whether the image is still the one that was stamped: it is
 * true when {@link #contentDigest()} equals the digest recomputed from the file that was read
 * (SHA-256 over every byte of the file except the XMP carrier). Any change to the image data,
 * and to other metadata, breaks it; changes inside the XMP packet do not.
 *
 * <p>The stamp is not signed: whoever can write the file can write any stamp. Trust it only where
 * the files come from a stage you control (see {@code SafetyGuard.Builder#trustEmbeddedVerdicts}).
 *
 * @param rating            the rating as stamped (after any threshold of the stamping guard)
 * @param modelRating       the rating the model wrote
 * @param categoryLabel     the policy's label for the chosen category, such as {@code "O3: Sexual Content"}
 * @param probabilityUnsafe P(Unsafe), when the stamping backend computed it
 * @param policyFingerprint {@code Policy.fingerprint()} of the policy it was assessed under
 * @param modelId           {@code ModelInfo.id()} of the model
 * @param rationale         the model's explanation, when it gave one
 * @param contentDigest     hex SHA-256 of the file without its XMP carrier, at stamping time
 * @param stampedAt         when the stamp was written
 * @param contentIntact     whether the file read still has {@code contentDigest}
 */
public record EmbeddedVerdict(
        Rating rating,
        Rating modelRating,
        Optional<String> categoryLabel,
        OptionalDouble probabilityUnsafe,
        String policyFingerprint,
        String modelId,
        Optional<String> rationale,
        String contentDigest,
        Instant stampedAt,
        boolean contentIntact) {

    public EmbeddedVerdict {
        Objects.requireNonNull(rating, "rating");
        Objects.requireNonNull(modelRating, "modelRating");
        Objects.requireNonNull(categoryLabel, "categoryLabel");
        Objects.requireNonNull(probabilityUnsafe, "probabilityUnsafe");
        Objects.requireNonNull(policyFingerprint, "policyFingerprint");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(rationale, "rationale");
        Objects.requireNonNull(contentDigest, "contentDigest");
        Objects.requireNonNull(stampedAt, "stampedAt");
    }

    /**
     * The stamp for a model verdict (from the model, the cache, or an earlier stamp).
     *
     * @throws IllegalArgumentException for a failure verdict: it is no judgement of the image
     */
    static EmbeddedVerdict of(Verdict v, String contentDigest, Instant stampedAt) {
        if (v.isFailure() || v.modelRating().isEmpty()) {
            throw new IllegalArgumentException("a failure verdict is not a judgement of the image and is not stamped: "
                    + v.failureReason().orElse("no model rating"));
        }
        return new EmbeddedVerdict(
                v.rating(),
                v.modelRating().get(),
                v.categoryLabel(),
                v.probabilityUnsafe(),
                v.policyFingerprint(),
                v.modelId(),
                v.rationale(),
                contentDigest,
                stampedAt,
                true);
    }

    /** The id part of {@link #categoryLabel()}: {@code "O3"}, or {@code "NA"}. */
    public Optional<String> categoryId() {
        return categoryLabel.map(l ->
                l.indexOf(':') < 0 ? l.strip() : l.substring(0, l.indexOf(':')).strip());
    }

    /** True when the stamp was made under this policy fingerprint and model id and the content is unchanged. */
    public boolean matches(String policyFingerprint, String modelId) {
        return contentIntact && this.policyFingerprint.equals(policyFingerprint) && this.modelId.equals(modelId);
    }

    EmbeddedVerdict withContentIntact(boolean intact) {
        return new EmbeddedVerdict(
                rating,
                modelRating,
                categoryLabel,
                probabilityUnsafe,
                policyFingerprint,
                modelId,
                rationale,
                contentDigest,
                stampedAt,
                intact);
    }
}
