package io.safetyguard.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The outcome of assessing one image under one policy. Immutable and thread-safe.
 *
 * <p>A verdict either comes from the model ({@link VerdictSource#MODEL}, or {@link VerdictSource#CACHE}
 * when reused) or stands in for a failure ({@link VerdictSource#FAILURE}): then {@link #failureReason()}
 * says why, {@link #category()} is empty, and the rating is what the {@link FailureMode} prescribes.
 *
 * <p>{@link #category()} is the policy's label exactly as the policy spells it, including
 * {@code "NA: None applying"} when the model said no category applies; {@link #categoryId()} is its
 * id ({@code "O3"}, {@code "NA"}). A {@link Rating#SAFE} verdict can carry an O-category: that is
 * how LlavaGuard reports content of a category the policy declares non-violating.
 */
public final class Verdict {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Rating rating;
    private final String category;
    private final String rationale;
    private final boolean truncated;
    private final OptionalDouble probabilityUnsafe;
    private final String policyFingerprint;
    private final String modelId;
    private final String imageDigest;
    private final VerdictSource source;
    private final FailureKind failureKind;
    private final String failureReason;
    private final double totalMillis;
    private final double modelMillis;
    private final String rawText;

    private Verdict(Builder b) {
        this.rating = Objects.requireNonNull(b.rating, "rating");
        this.category = b.category;
        this.rationale = b.rationale;
        this.truncated = b.truncated;
        this.probabilityUnsafe = Objects.requireNonNull(b.probabilityUnsafe, "probabilityUnsafe");
        this.policyFingerprint = Objects.requireNonNull(b.policyFingerprint, "policyFingerprint");
        this.modelId = Objects.requireNonNull(b.modelId, "modelId");
        this.imageDigest = b.imageDigest;
        this.source = Objects.requireNonNull(b.source, "source");
        this.failureKind = b.failureKind;
        this.failureReason = b.failureReason;
        this.totalMillis = b.totalMillis;
        this.modelMillis = b.modelMillis;
        this.rawText = b.rawText;
        if ((source == VerdictSource.FAILURE) != (failureReason != null && failureKind != null)) {
            throw new IllegalArgumentException("a failure verdict needs a kind and a reason, and only it");
        }
    }

    public Rating rating() {
        return rating;
    }

    /** True when the rating is {@link Rating#UNSAFE}, whether from the model or from fail-closed. */
    public boolean isUnsafe() {
        return rating == Rating.UNSAFE;
    }

    /** The policy's label for the category the model chose; empty for failure verdicts. */
    public Optional<String> category() {
        return Optional.ofNullable(category);
    }

    /** The id part of {@link #category()}: {@code "O3"} for {@code "O3: Sexual Content"}. */
    public Optional<String> categoryId() {
        return category().map(CategoryMatcher::idOf);
    }

    /** The model's explanation; empty when it gave none (verdict-only decoding) or on failure. */
    public Optional<String> rationale() {
        return Optional.ofNullable(rationale);
    }

    /** True when the model's answer was cut off (token limit); the rationale is then partial. */
    public boolean rationaleTruncated() {
        return truncated;
    }

    /** P(Unsafe) at the rating position, when the backend computes it. */
    public OptionalDouble probabilityUnsafe() {
        return probabilityUnsafe;
    }

    /** {@code Policy.fingerprint()} of the policy the image was assessed under. */
    public String policyFingerprint() {
        return policyFingerprint;
    }

    /** {@code ModelInfo.id()} of the model that produced (or failed to produce) the verdict. */
    public String modelId() {
        return modelId;
    }

    /**
     * Hex SHA-256 of the encoded image bytes (for a {@code BufferedImage}: of its dimensions and RGB
     * pixels). Empty only when the input could not be read at all.
     */
    public Optional<String> imageDigest() {
        return Optional.ofNullable(imageDigest);
    }

    public VerdictSource source() {
        return source;
    }

    /** True when this verdict stands in for a failure ({@link VerdictSource#FAILURE}). */
    public boolean isFailure() {
        return source == VerdictSource.FAILURE;
    }

    public Optional<FailureKind> failureKind() {
        return Optional.ofNullable(failureKind);
    }

    /** Why no verdict could be produced, e.g. "model timed out after 30000 ms". */
    public Optional<String> failureReason() {
        return Optional.ofNullable(failureReason);
    }

    /** Wall-clock time of the call that returned this verdict, in milliseconds. */
    public double totalMillis() {
        return totalMillis;
    }

    /** Time spent in the model during this call, in milliseconds; 0 for cache hits. */
    public double modelMillis() {
        return modelMillis;
    }

    /** The model's answer as generated (capped at 64 Ki characters); empty if the model never answered. */
    public Optional<String> rawText() {
        return Optional.ofNullable(rawText);
    }

    /** This verdict as a JSON object; absent fields are left out. */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("rating", rating.label());
        category().ifPresent(c -> o.put("category", c));
        categoryId().ifPresent(c -> o.put("categoryId", c));
        rationale().ifPresent(r -> o.put("rationale", r));
        if (truncated) {
            o.put("rationaleTruncated", true);
        }
        probabilityUnsafe.ifPresent(p -> o.put("probabilityUnsafe", p));
        o.put("source", source.name());
        failureKind().ifPresent(k -> o.put("failureKind", k.name()));
        failureReason().ifPresent(r -> o.put("failureReason", r));
        o.put("policyFingerprint", policyFingerprint);
        o.put("modelId", modelId);
        imageDigest().ifPresent(d -> o.put("imageDigest", d));
        o.put("totalMillis", totalMillis);
        o.put("modelMillis", modelMillis);
        rawText().ifPresent(t -> o.put("rawText", t));
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Verdict[").append(rating.label());
        category().ifPresent(c -> b.append(", ").append(c));
        b.append(", source=").append(source);
        failureReason().ifPresent(r -> b.append(", failure=").append(r));
        return b.append(", image=").append(imageDigest == null ? "-" : imageDigest.substring(0, Math.min(12, imageDigest.length())))
                .append(']').toString();
    }

    static Builder builder() {
        return new Builder();
    }

    /** A copy of a model verdict as served from the cache, with this call's timing. */
    Verdict fromCache(double callMillis) {
        return toBuilder().source(VerdictSource.CACHE).totalMillis(callMillis).modelMillis(0).build();
    }

    Builder toBuilder() {
        Builder b = new Builder();
        b.rating = rating;
        b.category = category;
        b.rationale = rationale;
        b.truncated = truncated;
        b.probabilityUnsafe = probabilityUnsafe;
        b.policyFingerprint = policyFingerprint;
        b.modelId = modelId;
        b.imageDigest = imageDigest;
        b.source = source;
        b.failureKind = failureKind;
        b.failureReason = failureReason;
        b.totalMillis = totalMillis;
        b.modelMillis = modelMillis;
        b.rawText = rawText;
        return b;
    }

    static final class Builder {
        private Rating rating;
        private String category;
        private String rationale;
        private boolean truncated;
        private OptionalDouble probabilityUnsafe = OptionalDouble.empty();
        private String policyFingerprint;
        private String modelId;
        private String imageDigest;
        private VerdictSource source;
        private FailureKind failureKind;
        private String failureReason;
        private double totalMillis;
        private double modelMillis;
        private String rawText;

        Builder rating(Rating v) { rating = v; return this; }
        Builder category(String v) { category = v; return this; }
        Builder rationale(String v) { rationale = v; return this; }
        Builder truncated(boolean v) { truncated = v; return this; }
        Builder probabilityUnsafe(OptionalDouble v) { probabilityUnsafe = v; return this; }
        Builder policyFingerprint(String v) { policyFingerprint = v; return this; }
        Builder modelId(String v) { modelId = v; return this; }
        Builder imageDigest(String v) { imageDigest = v; return this; }
        Builder source(VerdictSource v) { source = v; return this; }
        Builder failure(FailureKind kind, String reason) { failureKind = kind; failureReason = reason; return this; }
        Builder totalMillis(double v) { totalMillis = v; return this; }
        Builder modelMillis(double v) { modelMillis = v; return this; }
        Builder rawText(String v) { rawText = v; return this; }

        Verdict build() {
            return new Verdict(this);
        }
    }
}
