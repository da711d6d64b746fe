package io.safetyguard.core.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What a backend returns: the raw generated text and, when it can read them, the probability
 * that the rating is {@code Unsafe} and timings.
 *
 * @param text            the generated text, untrusted
 * @param probabilityUnsafe P(Unsafe), if the backend computed it: the probability, at temperature 1,
 *                        that the model writes Unsafe where it chooses the rating, normalised over
 *                        Safe and Unsafe (the sum over every token that can start each value)
 * @param promptTokens    tokens evaluated for the prompt (image + text), or -1 if unknown
 * @param generatedTokens tokens generated, or -1 if unknown
 * @param encodeMillis    image encoding time, or -1
 * @param prefillMillis   prompt evaluation time, or -1
 * @param decodeMillis    generation time, or -1
 * @param decodeForwardMillis the part of {@code decodeMillis} spent in the model's forward passes (the rest is
 *                        sampling and bookkeeping per token), or -1 if unknown
 * @param categoryProbabilities P(category = id | the rating the model wrote, the text before the category), for
 *                        every category id the grammar allowed there ({@code "NA"} included), in policy order and
 *                        summing to 1; empty when the backend could not read it
 */
public record ModelOutput(
        String text,
        OptionalDouble probabilityUnsafe,
        int promptTokens,
        int generatedTokens,
        double encodeMillis,
        double prefillMillis,
        double decodeMillis,
        double decodeForwardMillis,
        Map<String, Double> categoryProbabilities) {

    public ModelOutput {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(probabilityUnsafe, "probabilityUnsafe");
        categoryProbabilities = Collections.unmodifiableMap(
                new LinkedHashMap<>(Objects.requireNonNull(categoryProbabilities, "categoryProbabilities")));
    }

    /** An output without the category distribution. */
    public ModelOutput(
            String text,
            OptionalDouble probabilityUnsafe,
            int promptTokens,
            int generatedTokens,
            double encodeMillis,
            double prefillMillis,
            double decodeMillis,
            double decodeForwardMillis) {
        this(
                text,
                probabilityUnsafe,
                promptTokens,
                generatedTokens,
                encodeMillis,
                prefillMillis,
                decodeMillis,
                decodeForwardMillis,
                Map.of());
    }

    /** This output with {@code probabilities} as its category distribution. */
    public ModelOutput withCategoryProbabilities(Map<String, Double> probabilities) {
        return new ModelOutput(
                text,
                probabilityUnsafe,
                promptTokens,
                generatedTokens,
                encodeMillis,
                prefillMillis,
                decodeMillis,
                decodeForwardMillis,
                probabilities);
    }

    /** An output whose backend does not split the generation time. */
    public ModelOutput(
            String text,
            OptionalDouble probabilityUnsafe,
            int promptTokens,
            int generatedTokens,
            double encodeMillis,
            double prefillMillis,
            double decodeMillis) {
        this(
                text,
                probabilityUnsafe,
                promptTokens,
                generatedTokens,
                encodeMillis,
                prefillMillis,
                decodeMillis,
                -1,
                Map.of());
    }

    /** An output that carries only text (test doubles, remote backends without logprobs). */
    public static ModelOutput ofText(String text) {
        return new ModelOutput(text, OptionalDouble.empty(), -1, -1, -1, -1, -1, -1, Map.of());
    }
}
