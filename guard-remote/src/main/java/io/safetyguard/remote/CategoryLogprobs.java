package io.safetyguard.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.policy.Policy;
import io.safetyguard.policy.VerdictGrammar;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * P(category = c | the rating written, the text before the category) from the per-token log-probabilities a server
 * returns, by the in-process backend's rule (the chain rule along the generated path; see {@code CategoryReading} in
 * guard-llamacpp), restricted to the alternatives the server lists.
 *
 * <p>The generated tokens are replayed until the text stands in the category slot. From the first token that
 * writes part of a value, each step's listed alternatives (and the chosen token) are matched against the values
 * still possible: an alternative that fits one value adds its share of that step, renormalised over the
 * alternatives that fit any value, times the probability of the path so far; the path continues with the chosen
 * token until it fits one value. An alternative that fits several values but was not chosen (for example
 * {@code "O"} when the model wrote {@code NA}), or a quote-only alternative where the chosen token wrote the quote
 * and the value's start together, leaves its share unknown, and then the distribution is not reported. A value
 * none of whose spellings is listed counts as 0, as for P(Unsafe). Empty when the server sent no
 * {@code top_logprobs} or the answer has no category slot.
 */
final class CategoryLogprobs {

    private static final Pattern BEFORE_QUOTE = Pattern.compile("\"category\"\\s*:\\s*$");
    private static final Pattern AFTER_QUOTE = Pattern.compile("\"category\"\\s*:\\s*\"$");

    private CategoryLogprobs() {}

    /**
     * @param content the {@code choices[0].logprobs.content} array (missing or null gives empty)
     * @param policy the policy whose values the answer is constrained to; null gives empty
     */
    static Map<String, Double> categoryProbabilities(JsonNode content, Policy policy) {
        if (content == null || !content.isArray() || policy == null) {
            return Map.of();
        }
        List<String> labels = policy.categoryLabels();
        List<String> values = new ArrayList<>(labels.size());
        for (String label : labels) {
            values.add(VerdictGrammar.categoryLiteral(label).substring(1)); // after the opening quote
        }
        StringBuilder text = new StringBuilder();
        int i = 0;
        for (; i < content.size(); i++) {
            String token = content.get(i).path("token").asText("");
            boolean afterQuote = AFTER_QUOTE.matcher(text).find();
            boolean beforeQuote = !afterQuote && BEFORE_QUOTE.matcher(text).find();
            if ((afterQuote || beforeQuote) && valuePart(token, afterQuote) != null) {
                return chainRule(content, i, afterQuote, values, policy, labels);
            }
            if (beforeQuote && !token.isBlank() && !token.strip().equals("\"")) {
                return Map.of(); // the slot was left without a value
            }
            text.append(token);
        }
        return Map.of();
    }

    /** The part of a token that writes the value (after the quote), or null when it writes none of it. */
    private static String valuePart(String token, boolean afterQuote) {
        String q = token;
        if (!afterQuote) {
            String s = token.stripLeading();
            if (!s.startsWith("\"")) {
                return null;
            }
            q = s.substring(1);
        }
        return q.isEmpty() ? null : q;
    }

    private static Map<String, Double> chainRule(
            JsonNode content, int start, boolean afterQuote, List<String> values, Policy policy, List<String> labels) {
        double[] mass = new double[values.size()];
        List<Integer> live = new ArrayList<>();
        for (int c = 0; c < values.size(); c++) {
            live.add(c);
        }
        String written = "";
        double path = 1;
        boolean quoteOpen = afterQuote;
        for (int i = start; i < content.size(); i++) {
            JsonNode step = content.get(i);
            String chosen = step.path("token").asText("");
            List<String> tokens = new ArrayList<>();
            List<Double> probs = new ArrayList<>();
            boolean chosenListed = false;
            for (JsonNode alt : step.path("top_logprobs")) {
                String t = alt.path("token").asText("");
                chosenListed |= t.equals(chosen);
                tokens.add(t);
                probs.add(Math.exp(alt.path("logprob").asDouble(Double.NEGATIVE_INFINITY)));
            }
            if (!chosenListed) {
                if (!step.has("logprob")) {
                    return Map.of();
                }
                tokens.add(chosen);
                probs.add(Math.exp(step.path("logprob").asDouble(Double.NEGATIVE_INFINITY)));
            }
            List<List<Integer>> fits = new ArrayList<>();
            double total = 0;
            int chosenAt = -1;
            for (int k = 0; k < tokens.size(); k++) {
                String part = valuePart(tokens.get(k), quoteOpen);
                List<Integer> f = new ArrayList<>();
                if (part == null) {
                    if (!quoteOpen && tokens.get(k).strip().equals("\"")) {
                        f.addAll(live); // the quote alone: the value starts at a step the server did not list
                    }
                } else {
                    for (int c : live) {
                        String rest = values.get(c).substring(written.length());
                        if (rest.startsWith(part) || part.startsWith(rest)) {
                            f.add(c);
                        }
                    }
                }
                fits.add(f);
                if (!f.isEmpty()) {
                    total += probs.get(k);
                }
                if (tokens.get(k).equals(chosen)) {
                    chosenAt = k;
                }
            }
            if (chosenAt < 0 || fits.get(chosenAt).isEmpty() || !(total > 0) || !Double.isFinite(total)) {
                return Map.of();
            }
            for (int k = 0; k < tokens.size(); k++) {
                List<Integer> f = fits.get(k);
                if (f.size() == 1) {
                    mass[f.get(0)] += path * probs.get(k) / total;
                } else if (f.size() > 1 && k != chosenAt) {
                    return Map.of(); // a shared prefix not taken: its split is unknown
                }
            }
            List<Integer> f = fits.get(chosenAt);
            if (f.size() == 1) {
                return result(mass, policy, labels);
            }
            path *= probs.get(chosenAt) / total;
            written += valuePart(chosen, quoteOpen);
            quoteOpen = true;
            live = f;
        }
        return Map.of(); // the answer ended inside the value
    }

    private static Map<String, Double> result(double[] mass, Policy policy, List<String> labels) {
        double sum = 0;
        for (double m : mass) {
            sum += m;
        }
        Map<String, Double> q = new LinkedHashMap<>();
        for (int c = 0; c < mass.length; c++) {
            q.put(policy.categoryIdForLabel(labels.get(c)).orElse(labels.get(c)), mass[c] / sum);
        }
        return Collections.unmodifiableMap(q);
    }
}
