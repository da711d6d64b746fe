package io.safetyguard.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.policy.Category;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The outcome of assessing one image under one policy. Immutable and thread-safe.
 *
 * <p>A verdict either comes from the model ({@link VerdictSource#MODEL}, or {@link VerdictSource#CACHE}
 * when reused) or stands in for a failure ({@link VerdictSource#FAILURE}): then {@link #failureReason()}
 * says why, {@link #categoryLabel()} is empty, and the rating is what the {@link FailureMode} prescribes.
 *
 * <p>{@link #category()} is the policy's {@link Category} the model chose (its id and name); it is
 * empty when the model said no category applies. {@link #categoryLabel()} is the label exactly as
 * the policy spells it, including {@code "NA: None applying"}; {@link #categoryId()} is its id
 * ({@code "O3"}, {@code "NA"}). A {@link Rating#SAFE} verdict can carry an O-category: that is
 * how LlavaGuard reports content of a category the policy declares non-violating.
 *
 * <p><b>Threshold.</b> With an unsafe threshold ({@link SafetyGuard.Builder#unsafeThreshold(double)},
 * {@link #withUnsafeThreshold(double)}) and a known {@link #probabilityUnsafe()}, the rating is
 * Unsafe iff P(Unsafe) &gt;= the threshold; {@link #ratingSource()} is then
 * {@link RatingSource#THRESHOLD} and {@link #modelRating()} keeps what the model wrote. The category
 * and rationale stay the model's, written together with its own rating: a verdict the threshold
 * turned Unsafe can carry {@code "NA: None applying"} (the model named no category), one it turned
 * Safe can carry the O-category the model chose.
 *
 * <p><b>Per-category thresholds.</b> {@link #withThresholds(OptionalDouble, Map)} adds thresholds t_c for
 * single categories. With u = P(Unsafe), q = {@link #categoryProbabilities()} (read where the model wrote
 * Unsafe, so q(c) = P(c | Unsafe)) and T the unsafe threshold (0.5 when only category thresholds are set):
 *
 * <pre>
 *   Unsafe  iff  u * q(c) &gt;= t_c for some category c with its own threshold
 *           or   u * (1 - sum of q(c) over the categories with their own threshold) &gt;= T
 * </pre>
 *
 * u * q(c) is the joint probability P(Unsafe, c); the second line is the Unsafe mass of every other
 * category ({@code NA} included) against the global threshold. Without category thresholds the rule is
 * exactly {@code u >= T}. When q is unknown or was read after the model wrote Safe (then it is P(c | Safe)
 * and says nothing about P(c | Unsafe)), only {@code u >= T} applies.
 */
public final class Verdict {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Rating rating;
    private final Rating modelRating;
    private final OptionalDouble unsafeThreshold;
    private final int promptTokens;
    private final int generatedTokens;
    private final String category;
    private final Category policyCategory;
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
    private final Map<String, Double> categoryProbabilities;
    private final Map<String, Double> categoryThresholds;

    private Verdict(Builder b) {
        this.rating = Objects.requireNonNull(b.rating, "rating");
        // a model verdict built with rating(...) alone is the model's own rating
        this.modelRating = b.modelRating != null || b.source == VerdictSource.FAILURE ? b.modelRating : b.rating;
        this.unsafeThreshold = Objects.requireNonNull(b.unsafeThreshold, "unsafeThreshold");
        this.promptTokens = b.promptTokens;
        this.generatedTokens = b.generatedTokens;
        this.category = b.category;
        this.policyCategory = b.policyCategory;
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
        this.categoryProbabilities = Collections.unmodifiableMap(new LinkedHashMap<>(b.categoryProbabilities));
        this.categoryThresholds = Collections.unmodifiableMap(new LinkedHashMap<>(b.categoryThresholds));
        if ((source == VerdictSource.FAILURE) != (failureReason != null && failureKind != null)) {
            throw new IllegalArgumentException("a failure verdict needs a kind and a reason, and only it");
        }
        if (source == VerdictSource.FAILURE && modelRating != null) {
            throw new IllegalArgumentException("a failure verdict has no model rating");
        }
        if (unsafeThreshold.isPresent() && probabilityUnsafe.isEmpty()) {
            throw new IllegalArgumentException("a threshold can only decide a verdict that has P(Unsafe)");
        }
    }

    public Rating rating() {
        return rating;
    }

    /**
     * The rating the model wrote, before any threshold; empty for failure verdicts. Equal to
     * {@link #rating()} unless {@link #ratingSource()} is {@link RatingSource#THRESHOLD}.
     */
    public Optional<Rating> modelRating() {
        return Optional.ofNullable(modelRating);
    }

    /** What decided {@link #rating()}: the model, the host's threshold, or the failure mode. */
    public RatingSource ratingSource() {
        if (source == VerdictSource.FAILURE) {
            return RatingSource.FAILURE_MODE;
        }
        return unsafeThreshold.isPresent() ? RatingSource.THRESHOLD : RatingSource.MODEL;
    }

    /**
     * The threshold that decided {@link #rating()}; empty when none did (none was set, or
     * P(Unsafe) is unknown, or this is a failure verdict).
     */
    public OptionalDouble unsafeThreshold() {
        return unsafeThreshold;
    }

    /**
     * This verdict re-rated by a threshold: Unsafe iff P(Unsafe) &gt;= {@code threshold}, always from
     * the model's own answer (so re-thresholding a thresholded verdict works as expected). Returns
     * this verdict unchanged when P(Unsafe) is unknown or it is a failure verdict.
     *
     * @param threshold in [0, 1]; 0 rates everything with a known P(Unsafe) Unsafe
     * @throws IllegalArgumentException when the threshold is NaN or outside [0, 1]
     */
    public Verdict withUnsafeThreshold(double threshold) {
        checkThreshold(threshold);
        if (modelRating == null || probabilityUnsafe.isEmpty()) {
            return this;
        }
        Builder b = toBuilder();
        b.rating = probabilityUnsafe.getAsDouble() >= threshold ? Rating.UNSAFE : Rating.SAFE;
        b.unsafeThreshold = OptionalDouble.of(threshold);
        b.categoryThresholds = Map.of();
        return b.build();
    }

    /**
     * This verdict re-rated by an unsafe threshold and per-category thresholds, always from the model's own answer
     * (see the class comment for the rule). With no category thresholds it is {@link #withUnsafeThreshold(double)}
     * (or the model's own rating when {@code unsafeThreshold} is empty too). Returns this verdict unchanged when
     * P(Unsafe) is unknown or it is a failure verdict.
     *
     * @param unsafeThreshold the global threshold T; empty means 0.5 where category thresholds are given
     * @param categoryThresholds category id to threshold, each in [0, 1]; {@code NA} is not a category
     * @throws IllegalArgumentException for a threshold outside [0, 1] or a threshold for {@code NA}
     */
    public Verdict withThresholds(OptionalDouble unsafeThreshold, Map<String, Double> categoryThresholds) {
        unsafeThreshold.ifPresent(Verdict::checkThreshold);
        checkCategoryThresholds(categoryThresholds);
        if (categoryThresholds.isEmpty()) {
            return unsafeThreshold.isPresent()
                    ? withUnsafeThreshold(unsafeThreshold.getAsDouble())
                    : withoutUnsafeThreshold();
        }
        if (modelRating == null || probabilityUnsafe.isEmpty()) {
            return this;
        }
        double global = unsafeThreshold.orElse(DEFAULT_UNSAFE_THRESHOLD);
        Builder b = toBuilder();
        b.rating = unsafeUnder(global, categoryThresholds) ? Rating.UNSAFE : Rating.SAFE;
        b.unsafeThreshold = OptionalDouble.of(global);
        b.categoryThresholds = categoryThresholds;
        return b.build();
    }

    /** The global threshold {@link #withThresholds} uses when only category thresholds are set. */
    public static final double DEFAULT_UNSAFE_THRESHOLD = 0.5;

    private boolean unsafeUnder(double global, Map<String, Double> thresholds) {
        double u = probabilityUnsafe.getAsDouble();
        if (modelRating != Rating.UNSAFE || categoryProbabilities.isEmpty()) {
            return u >= global; // no P(c | Unsafe) to split u with
        }
        double own = 0;
        for (Map.Entry<String, Double> t : thresholds.entrySet()) {
            double q = categoryProbabilities.getOrDefault(t.getKey(), 0.0);
            if (u * q >= t.getValue()) {
                return true;
            }
            own += q;
        }
        return u * Math.max(0, 1 - own) >= global;
    }

    static void checkCategoryThresholds(Map<String, Double> thresholds) {
        for (Map.Entry<String, Double> t : thresholds.entrySet()) {
            if (io.safetyguard.policy.Policy.NONE_APPLYING_ID.equals(t.getKey())) {
                throw new IllegalArgumentException("\"NA\" is not a category and takes no threshold;"
                        + " the global unsafe threshold covers its share");
            }
            double p = t.getValue() == null ? Double.NaN : t.getValue();
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(
                        "the threshold of category " + t.getKey() + " must be in [0, 1], got " + t.getValue());
            }
        }
    }

    /**
     * P(category = id | the rating the model wrote, the text before the category), for every category the
     * verdict grammar allowed at that step ({@code "NA"} included), in policy order, summing to 1. Empty when the
     * backend could not read it (no logits, or a branch of the distribution it did not evaluate). Read it together
     * with {@link #modelRating()}: after Safe it is P(c | Safe).
     */
    public Map<String, Double> categoryProbabilities() {
        return categoryProbabilities;
    }

    /** The per-category thresholds that decided {@link #rating()}; empty when none did. */
    public Map<String, Double> categoryThresholds() {
        return categoryThresholds;
    }

    /** This verdict with the model's own rating (no threshold applied). */
    public Verdict withoutUnsafeThreshold() {
        if (unsafeThreshold.isEmpty()) {
            return this;
        }
        Builder b = toBuilder();
        b.rating = modelRating;
        b.unsafeThreshold = OptionalDouble.empty();
        b.categoryThresholds = Map.of();
        return b.build();
    }

    static void checkThreshold(double threshold) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(
                    "the unsafe threshold is a probability and must be in [0, 1], got " + threshold);
        }
    }

    /** Tokens the model evaluated for the prompt (image and text), when the backend reports it. */
    public OptionalInt promptTokens() {
        return promptTokens >= 0 ? OptionalInt.of(promptTokens) : OptionalInt.empty();
    }

    /**
     * Tokens the model generated for this answer, when the backend reports it (kept on cache hits:
     * it describes the answer, not the call). Verdict-only decoding makes it smaller.
     */
    public OptionalInt generatedTokens() {
        return generatedTokens >= 0 ? OptionalInt.of(generatedTokens) : OptionalInt.empty();
    }

    /** True when the rating is {@link Rating#UNSAFE}, whether from the model or from fail-closed. */
    public boolean isUnsafe() {
        return rating == Rating.UNSAFE;
    }

    /**
     * The policy's category the model chose, with its {@link Category#id() id} and
     * {@link Category#name() name}; empty when the model said none applies
     * ({@code "NA: None applying"}) and for failure verdicts.
     */
    public Optional<Category> category() {
        return Optional.ofNullable(policyCategory);
    }

    /**
     * The policy's label for the category the model chose, such as {@code "O3: Sexual Content"} or
     * {@code "NA: None applying"}; empty for failure verdicts.
     */
    public Optional<String> categoryLabel() {
        return Optional.ofNullable(category);
    }

    /** The id part of {@link #categoryLabel()}: {@code "O3"} for {@code "O3: Sexual Content"}, or {@code "NA"}. */
    public Optional<String> categoryId() {
        return categoryLabel().map(CategoryMatcher::idOf);
    }

    /** The model's explanation; empty when it gave none (verdict-only decoding) or on failure. */
    public Optional<String> rationale() {
        return Optional.ofNullable(rationale);
    }

    /** True when the model's answer was cut off (token limit); the rationale is then partial. */
    public boolean rationaleTruncated() {
        return truncated;
    }

    /**
     * P(Unsafe): the probability the model gives to writing Unsafe where it chooses the rating, at
     * temperature 1, normalised over Safe and Unsafe. Present when the backend computes it (the
     * llama.cpp backend does whenever the verdict grammar is used). Independent of sampling settings.
     */
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
        modelRating().ifPresent(r -> o.put("modelRating", r.label()));
        o.put("ratingSource", ratingSource().name());
        unsafeThreshold.ifPresent(t -> o.put("unsafeThreshold", t));
        categoryLabel().ifPresent(c -> o.put("category", c));
        categoryId().ifPresent(c -> o.put("categoryId", c));
        rationale().ifPresent(r -> o.put("rationale", r));
        if (truncated) {
            o.put("rationaleTruncated", true);
        }
        probabilityUnsafe.ifPresent(p -> o.put("probabilityUnsafe", p));
        if (!categoryProbabilities.isEmpty()) {
            ObjectNode q = o.putObject("categoryProbabilities");
            categoryProbabilities.forEach(q::put);
        }
        if (!categoryThresholds.isEmpty()) {
            ObjectNode t = o.putObject("categoryThresholds");
            categoryThresholds.forEach(t::put);
        }
        o.put("source", source.name());
        failureKind().ifPresent(k -> o.put("failureKind", k.name()));
        failureReason().ifPresent(r -> o.put("failureReason", r));
        o.put("policyFingerprint", policyFingerprint);
        o.put("modelId", modelId);
        imageDigest().ifPresent(d -> o.put("imageDigest", d));
        o.put("totalMillis", totalMillis);
        o.put("modelMillis", modelMillis);
        promptTokens().ifPresent(n -> o.put("promptTokens", n));
        generatedTokens().ifPresent(n -> o.put("generatedTokens", n));
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
        categoryLabel().ifPresent(c -> b.append(", ").append(c));
        unsafeThreshold.ifPresent(t -> b.append(" (P(unsafe) ")
                .append(probabilityUnsafe.getAsDouble())
                .append(" vs threshold ")
                .append(t)
                .append(", model said ")
                .append(modelRating.label())
                .append(')'));
        b.append(", source=").append(source);
        failureReason().ifPresent(r -> b.append(", failure=").append(r));
        return b.append(", image=")
                .append(imageDigest == null ? "-" : imageDigest.substring(0, Math.min(12, imageDigest.length())))
                .append(']')
                .toString();
    }

    static Builder builder() {
        return new Builder();
    }

    /** A copy of a model verdict as served from the cache, with this call's timing. */
    Verdict fromCache(double callMillis) {
        return toBuilder()
                .source(VerdictSource.CACHE)
                .totalMillis(callMillis)
                .modelMillis(0)
                .build();
    }

    Builder toBuilder() {
        Builder b = new Builder();
        b.rating = rating;
        b.modelRating = modelRating;
        b.unsafeThreshold = unsafeThreshold;
        b.promptTokens = promptTokens;
        b.generatedTokens = generatedTokens;
        b.category = category;
        b.policyCategory = policyCategory;
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
        b.categoryProbabilities = categoryProbabilities;
        b.categoryThresholds = categoryThresholds;
        return b;
    }

    static final class Builder {
        private Rating rating;
        private Rating modelRating;
        private OptionalDouble unsafeThreshold = OptionalDouble.empty();
        private int promptTokens = -1;
        private int generatedTokens = -1;
        private String category;
        private Category policyCategory;
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
        private Map<String, Double> categoryProbabilities = Map.of();
        private Map<String, Double> categoryThresholds = Map.of();

        Builder categoryProbabilities(Map<String, Double> v) {
            categoryProbabilities = Objects.requireNonNull(v, "categoryProbabilities");
            return this;
        }

        Builder rating(Rating v) {
            rating = v;
            return this;
        }
        /** The model's rating: sets both the rating and the model rating. */
        Builder modelRating(Rating v) {
            rating = v;
            modelRating = v;
            return this;
        }

        Builder tokens(int prompt, int generated) {
            promptTokens = prompt;
            generatedTokens = generated;
            return this;
        }
        /** The label the model chose and the policy's category for it (null for "NA: None applying"). */
        Builder category(String label, Category c) {
            category = label;
            policyCategory = c;
            return this;
        }

        Builder rationale(String v) {
            rationale = v;
            return this;
        }

        Builder truncated(boolean v) {
            truncated = v;
            return this;
        }

        Builder probabilityUnsafe(OptionalDouble v) {
            probabilityUnsafe = v;
            return this;
        }

        Builder policyFingerprint(String v) {
            policyFingerprint = v;
            return this;
        }

        Builder modelId(String v) {
            modelId = v;
            return this;
        }

        Builder imageDigest(String v) {
            imageDigest = v;
            return this;
        }

        Builder source(VerdictSource v) {
            source = v;
            return this;
        }

        Builder failure(FailureKind kind, String reason) {
            failureKind = kind;
            failureReason = reason;
            return this;
        }

        Builder totalMillis(double v) {
            totalMillis = v;
            return this;
        }

        Builder modelMillis(double v) {
            modelMillis = v;
            return this;
        }

        Builder rawText(String v) {
            rawText = v;
            return this;
        }

        Verdict build() {
            return new Verdict(this);
        }
    }
}
