package io.safetyguard.cli.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.frames.FrameVerdict;
import io.safetyguard.core.frames.FramesVerdict;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of {@code verdicts.jsonl}: the outcome for one image. Every key is always written (null
 * when it does not apply), in this order:
 *
 * <pre>{"path":…,"digest":…,"rating":…,"category":…,"rationale":…,"p_unsafe":…,"ms":…,"error":…,"policy":…,
 *  "model_rating":…,"unsafe_threshold":…,"generated_tokens":…,"category_probabilities":…}</pre>
 *
 * The last three keys before {@code category_probabilities} were added later; lines without them still parse
 * (as null). {@code "category_probabilities"} is an object from category id to P(category | the rating the model
 * wrote), in the policy's order (e.g. {@code {"NA":0.7,"O3":0.2,…}}), null when unknown. Animated images judged
 * frame by frame ({@code --frames}) add {@code frame_count}, {@code frame_rule} and {@code frames} at the end (see
 * {@link FramesRecord}); other lines do not have them.
 *
 * @param path      the image file, absolute; the key {@code --resume} matches on
 * @param digest    hex SHA-256 of the file's bytes; null when the file could not be read
 * @param rating    {@code "Safe"} or {@code "Unsafe"}; null when no verdict could be made
 * @param category  the policy label the model chose (e.g. {@code "O3: Sexual Content"}); null on error
 * @param rationale the model's explanation; null on error or with {@code --verdict-only}
 * @param pUnsafe   P(Unsafe) at the rating token, when the backend computes it
 * @param ms        wall-clock milliseconds for this image
 * @param error     why no verdict could be made (unreadable image, timeout, ...); null on success
 * @param policy    the first 12 hex digits of the policy fingerprint the image was judged under
 * @param modelRating the rating the model wrote; differs from {@code rating} only when the
 *                  {@code --unsafe-threshold} decided; null on error
 * @param unsafeThreshold the threshold that decided {@code rating}; null when the model's rating stands
 * @param generatedTokens tokens the model generated for the answer; null when unknown
 * @param categoryProbabilities category id to P(category | the rating the model wrote), in policy order (written
 *                  as a JSON object, null when empty); empty when unknown or on error
 * @param frames    the per-frame verdicts of an animated image judged frame by frame; null otherwise
 */
public record VerdictRecord(
        String path,
        String digest,
        String rating,
        String category,
        String rationale,
        Double pUnsafe,
        double ms,
        String error,
        String policy,
        String modelRating,
        Double unsafeThreshold,
        Integer generatedTokens,
        Map<String, Double> categoryProbabilities,
        FramesRecord frames) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CATEGORY_PROBABILITIES = "category_probabilities";

    public VerdictRecord {
        Objects.requireNonNull(path, "path");
        categoryProbabilities = categoryProbabilities == null
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(categoryProbabilities));
        categoryProbabilities.forEach((id, p) -> {
            Objects.requireNonNull(id, "category id");
            Objects.requireNonNull(p, () -> "P(" + id + ")");
        });
    }

    /** A record without category probabilities (unknown). */
    public VerdictRecord(
            String path,
            String digest,
            String rating,
            String category,
            String rationale,
            Double pUnsafe,
            double ms,
            String error,
            String policy,
            String modelRating,
            Double unsafeThreshold,
            Integer generatedTokens) {
        this(
                path,
                digest,
                rating,
                category,
                rationale,
                pUnsafe,
                ms,
                error,
                policy,
                modelRating,
                unsafeThreshold,
                generatedTokens,
                Map.of(),
                null);
    }

    /** A record of a still image (no per-frame verdicts). */
    public VerdictRecord(
            String path,
            String digest,
            String rating,
            String category,
            String rationale,
            Double pUnsafe,
            double ms,
            String error,
            String policy,
            String modelRating,
            Double unsafeThreshold,
            Integer generatedTokens,
            Map<String, Double> categoryProbabilities) {
        this(
                path,
                digest,
                rating,
                category,
                rationale,
                pUnsafe,
                ms,
                error,
                policy,
                modelRating,
                unsafeThreshold,
                generatedTokens,
                categoryProbabilities,
                null);
    }

    /** A record without the later fields (no threshold, token count unknown). */
    public VerdictRecord(
            String path,
            String digest,
            String rating,
            String category,
            String rationale,
            Double pUnsafe,
            double ms,
            String error,
            String policy) {
        this(path, digest, rating, category, rationale, pUnsafe, ms, error, policy, rating, null, null);
    }

    /**
     * The record for a verdict. A failure verdict (no verdict could be made) is recorded as an
     * error with no rating: it says nothing about the image's content, so it must not count
     * towards the unsafe share. Scripts that filter on {@code rating != "Safe"} still fail closed.
     */
    public static VerdictRecord of(Path image, Verdict v, String policyFingerprint) {
        String policy = policyFingerprint.substring(0, Math.min(12, policyFingerprint.length()));
        double ms = Math.round(v.totalMillis() * 10) / 10.0;
        String digest = v.imageDigest().orElse(null);
        if (v.isFailure()) {
            return new VerdictRecord(
                    image.toString(),
                    digest,
                    null,
                    null,
                    null,
                    null,
                    ms,
                    v.failureReason().orElse("no verdict"),
                    policy);
        }
        Double p = v.probabilityUnsafe().isPresent() ? v.probabilityUnsafe().getAsDouble() : null;
        Double threshold = v.unsafeThreshold().isPresent() ? v.unsafeThreshold().getAsDouble() : null;
        Integer tokens = v.generatedTokens().isPresent() ? v.generatedTokens().getAsInt() : null;
        return new VerdictRecord(
                image.toString(),
                digest,
                v.rating().label(),
                v.categoryLabel().orElse(null),
                v.rationale().orElse(null),
                p,
                ms,
                null,
                policy,
                v.modelRating().map(r -> r.label()).orElse(null),
                threshold,
                tokens,
                v.categoryProbabilities());
    }

    /**
     * The record for an image judged frame by frame. A still image gets the same record as
     * {@link #of(Path, Verdict, String)}. For an animation: the clip's rating and category (see
     * {@link FramesVerdict}), the deciding frame's rationale, the highest P(Unsafe) of its frames, the
     * summed time of the frame assessments, and the frames; an error only when no frame could be
     * judged (then no rating, as for any image without a verdict).
     */
    public static VerdictRecord ofFrames(Path image, FramesVerdict v, String digest, String policyFingerprint) {
        if (!v.isAnimated() && v.frames().size() == 1) {
            return of(image, v.frames().get(0).verdict(), policyFingerprint);
        }
        String policy = policyFingerprint.substring(0, Math.min(12, policyFingerprint.length()));
        double ms = Math.round(v.totalMillis() * 10) / 10.0;
        FramesRecord frames = v.isAnimated() ? FramesRecord.of(v) : null;
        if (v.isFailure()) {
            return new VerdictRecord(
                    image.toString(),
                    digest,
                    null,
                    null,
                    null,
                    null,
                    ms,
                    v.failureReason().orElse("no verdict"),
                    policy,
                    null,
                    null,
                    null,
                    null,
                    frames);
        }
        Optional<Verdict> decisive = v.decisiveFrame().map(FrameVerdict::verdict);
        Double threshold = decisive.flatMap(d -> d.unsafeThreshold().isPresent()
                        ? Optional.of(d.unsafeThreshold().getAsDouble())
                        : Optional.empty())
                .orElse(null);
        return new VerdictRecord(
                image.toString(),
                digest,
                v.rating().label(),
                v.categoryLabel().orElse(null),
                decisive.flatMap(Verdict::rationale).orElse(null),
                v.maxProbabilityUnsafe().isPresent() ? v.maxProbabilityUnsafe().getAsDouble() : null,
                ms,
                null,
                policy,
                v.rating().label(),
                threshold,
                null,
                null,
                frames);
    }

    /** The record for an image whose assessment ended with an exception instead of a verdict. */
    public static VerdictRecord ofException(Path image, Throwable error, String policyFingerprint) {
        String policy = policyFingerprint.substring(0, Math.min(12, policyFingerprint.length()));
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return new VerdictRecord(image.toString(), null, null, null, null, null, 0, message, policy);
    }

    /** True when no verdict could be made. */
    public boolean isError() {
        return error != null;
    }

    /** True when the model rated the image Unsafe. */
    public boolean isUnsafe() {
        return "Unsafe".equals(rating);
    }

    /** The category id ({@code "O3"} for {@code "O3: Sexual Content"}), or null. */
    public String categoryId() {
        if (category == null) {
            return null;
        }
        int colon = category.indexOf(':');
        return colon < 0 ? category : category.substring(0, colon);
    }

    /** The JSON line, without the line break. */
    public String toJsonLine() {
        ObjectNode o = JSON.createObjectNode();
        o.put("path", path);
        o.put("digest", digest);
        o.put("rating", rating);
        o.put("category", category);
        o.put("rationale", rationale);
        o.put("p_unsafe", pUnsafe);
        o.put("ms", ms);
        o.put("error", error);
        o.put("policy", policy);
        o.put("model_rating", modelRating);
        o.put("unsafe_threshold", unsafeThreshold);
        o.put("generated_tokens", generatedTokens);
        if (categoryProbabilities.isEmpty()) {
            o.putNull(CATEGORY_PROBABILITIES);
        } else {
            ObjectNode q = o.putObject(CATEGORY_PROBABILITIES);
            categoryProbabilities.forEach(q::put);
        }
        if (frames != null) {
            frames.writeTo(o);
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }

    /**
     * Parses one line.
     *
     * @throws IllegalArgumentException when the line is not a JSON object with a {@code path}
     */
    public static VerdictRecord parse(String line) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (o == null || !o.isObject() || !o.path("path").isTextual()) {
            throw new IllegalArgumentException("not a verdict line (a JSON object with a \"path\" string)");
        }
        JsonNode p = o.path("p_unsafe");
        JsonNode t = o.path("unsafe_threshold");
        JsonNode n = o.path("generated_tokens");
        String rating = text(o, "rating");
        // lines written before model_rating existed carry the model's rating in "rating"
        String modelRating = o.has("model_rating") ? text(o, "model_rating") : rating;
        return new VerdictRecord(
                o.get("path").asText(),
                text(o, "digest"),
                rating,
                text(o, "category"),
                text(o, "rationale"),
                p.isNumber() ? p.asDouble() : null,
                o.path("ms").asDouble(0),
                text(o, "error"),
                text(o, "policy"),
                modelRating,
                t.isNumber() ? t.asDouble() : null,
                n.canConvertToInt() && n.isIntegralNumber() ? n.asInt() : null,
                categoryProbabilities(o.get(CATEGORY_PROBABILITIES)),
                FramesRecord.parse(o));
    }

    private static Map<String, Double> categoryProbabilities(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(
                    "\"" + CATEGORY_PROBABILITIES + "\" is not an object of category id -> number");
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isNumber()) {
                throw new IllegalArgumentException(
                        "\"" + CATEGORY_PROBABILITIES + "\"." + e.getKey() + " is not a number: " + e.getValue());
            }
            probabilities.put(e.getKey(), e.getValue().asDouble());
        }
        return probabilities;
    }

    private static String text(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
