package io.safetyguard.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * P(Unsafe) from the per-token log-probabilities a server returns ({@code logprobs: true,
 * top_logprobs: N}; OpenAI format {@code choices[0].logprobs.content[] = {token, logprob,
 * top_logprobs[] = {token, logprob}}}, which SGLang, vLLM and llama-server all produce).
 *
 * <p>The generated tokens are replayed until the text stands in the rating slot (after
 * {@code "rating":} and optional whitespace, before or after the opening quote). The first token there
 * that commits to a value, i.e. its text continues the slot with a non-empty prefix of {@code Safe} or
 * {@code Unsafe} (or the whole value and its closing quote), is the decision step. Tokens that only add
 * the quote or whitespace are skipped. At the decision step, every alternative in its
 * {@code top_logprobs} (and the chosen token) is classified the same way, and
 * <pre>P(Unsafe) = Σ p(Unsafe alternatives) / (Σ p(Safe alternatives) + Σ p(Unsafe alternatives))</pre>
 * This is the in-process backend's definition, restricted to the alternatives the server lists:
 * a value whose every spelling is outside the top N counts as 0, so with a small N the result can be
 * 0 or 1 exactly. Servers report the model's own distribution (llama-server, vLLM and SGLang by default
 * compute logprobs before temperature and top-p), so the value does not depend on the sampling settings.
 * Empty when the answer has no rating slot or the server sent no log-probabilities.
 */
final class RatingLogprobs {

    private static final Pattern BEFORE_QUOTE = Pattern.compile("\"rating\"\\s*:\\s*$");
    private static final Pattern AFTER_QUOTE = Pattern.compile("\"rating\"\\s*:\\s*\"$");

    private enum Value {
        SAFE,
        UNSAFE,
        NONE
    }

    private RatingLogprobs() {}

    /** @param content the {@code choices[0].logprobs.content} array (missing or null gives empty) */
    static OptionalDouble probabilityUnsafe(JsonNode content) {
        if (content == null || !content.isArray()) {
            return OptionalDouble.empty();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode step : content) {
            String token = step.path("token").asText("");
            boolean afterQuote = AFTER_QUOTE.matcher(text).find();
            boolean beforeQuote = !afterQuote && BEFORE_QUOTE.matcher(text).find();
            if (afterQuote || beforeQuote) {
                Value chosen = classify(token, afterQuote);
                if (chosen != Value.NONE) {
                    return decide(step, afterQuote);
                }
                if (!token.isBlank() && !(beforeQuote && token.strip().equals("\""))) {
                    return OptionalDouble.empty(); // the slot was left without a value: not a verdict
                }
            }
            text.append(token);
        }
        return OptionalDouble.empty();
    }

    private static OptionalDouble decide(JsonNode step, boolean afterQuote) {
        double safe = 0;
        double unsafe = 0;
        boolean chosenListed = false;
        String chosenToken = step.path("token").asText("");
        for (JsonNode alt : step.path("top_logprobs")) {
            String t = alt.path("token").asText("");
            double p = Math.exp(alt.path("logprob").asDouble(Double.NEGATIVE_INFINITY));
            chosenListed |= t.equals(chosenToken);
            switch (classify(t, afterQuote)) {
                case SAFE -> safe += p;
                case UNSAFE -> unsafe += p;
                case NONE -> {}
            }
        }
        if (!chosenListed && step.has("logprob")) {
            double p = Math.exp(step.path("logprob").asDouble(Double.NEGATIVE_INFINITY));
            if (classify(chosenToken, afterQuote) == Value.SAFE) {
                safe += p;
            } else {
                unsafe += p;
            }
        }
        double total = safe + unsafe;
        return total > 0 && Double.isFinite(total) ? OptionalDouble.of(unsafe / total) : OptionalDouble.empty();
    }

    /** Which value a token commits to when written at the slot. */
    private static Value classify(String token, boolean afterQuote) {
        String q = token;
        if (!afterQuote) {
            String s = token.stripLeading();
            if (!s.startsWith("\"")) {
                return Value.NONE;
            }
            q = s.substring(1);
        }
        if (q.isEmpty()) {
            return Value.NONE;
        }
        if (commits("Safe", q)) {
            return Value.SAFE;
        }
        return commits("Unsafe", q) ? Value.UNSAFE : Value.NONE;
    }

    private static boolean commits(String value, String q) {
        return value.startsWith(q) || q.startsWith(value + "\"");
    }
}
