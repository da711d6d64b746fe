package io.safetyguard.llamacpp.internal;

import io.safetyguard.llamacpp.internal.jni.LlamaContext;
import io.safetyguard.llamacpp.internal.jni.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads P(category = c | the rating written, the text before the category) for one answer, along the path the
 * generation takes through the category value. Create it when the rating value has begun; call
 * {@link #beforeSample} before every sample and {@link #sampled} after it, until {@link #finished()}.
 *
 * <p><b>The quantity.</b> After the value's opening quote the grammar lets the model write exactly the policy's
 * category values (the label's JSON text and the closing quote), in any tokenization. With s the value bytes
 * written so far, the live values are those that start with s; the tokens the grammar accepts are those whose bytes
 * are a prefix of a live value's rest, or run past its closing quote. Each accepted token t is consistent with the
 * set C(t) of live values it fits. Under the grammar-constrained distribution at temperature 1 (softmax of the raw
 * logits over the accepted tokens) the chain rule gives
 *
 * <pre>
 *   P(c) = sum over the steps k of the path:  P(s_k) * sum_{t accepted at k, C(t) = {c}} p_k(t)
 * </pre>
 *
 * where s_k is the text the path had written at step k, P(s_k) the product of the path's own token probabilities
 * before k, and p_k(t) the softmax at step k. A token that fits one value decides it (the rest of the value is forced,
 * whatever its tokenization), so the sum is exact. The path stops branching when its own token fits a single value.
 *
 * <p><b>When it is unknown.</b> A token that fits several values (a shared prefix such as {@code O} of {@code O1:
 * ...} and {@code O2: ...}) and is not the one drawn splits its mass at a later step whose logits were never
 * computed. Then the distribution is not reported (empty), rather than guessed. With the LlavaGuard policies this
 * happens when the model writes {@code NA: None applying}: the tokens that start every {@code O} value were not
 * taken. When the model writes an O-category, every other value is decided by the token after the common prefix
 * (ids O1..O9 differ in one character), and the distribution is exact.
 *
 * <p>Before the value opens, tokens that write its opening quote together with a value's first byte are kept out
 * of the choice (as {@link RatingProbe} does for the rating), so that the value starts at a step of its own.
 */
public final class CategoryReading {

    /** After the rating's first byte: the rest of the rating value, up to the category value's opening quote. */
    private static final Pattern OPENED = Pattern.compile("^(?:Safe|Unsafe)\"\\s*,\\s*\"category\"\\s*:\\s*\"$");

    private static final Pattern BEFORE_VALUE = Pattern.compile("^(?:Safe|Unsafe)\"\\s*(?:,\\s*(?:\"(?:c(?:a(?:t(?:e"
            + "(?:g(?:o(?:r(?:y(?:\"\\s*(?::\\s*)?)?)?)?)?)?)?)?)?)?)?)?$");
    /** Longest text from the rating value to the category value's quote the verdict grammar allows (ws bounded). */
    private static final int MAX_CHARS_BEFORE_VALUE = 6 + 1 + 16 + 1 + 16 + 10 + 16 + 1 + 16 + 1;

    private enum State {
        BEFORE_VALUE,
        IN_VALUE,
        DONE,
        UNKNOWN
    }

    private final CategoryProbe probe;
    private final CategoryProbe.Labels labels;
    private final StringBuilder sinceRating = new StringBuilder();
    private State state = State.BEFORE_VALUE;

    /** The value bytes written so far, one char per byte. */
    private final StringBuilder written = new StringBuilder();

    private List<Integer> live = new ArrayList<>();
    private double pathProbability = 1;
    private final double[] mass;
    private boolean unresolved;

    /** The step read by the last beforeSample inside the value: accepted tokens, their probabilities, fits. */
    private int[] accepted;

    private double[] probability;
    private List<List<Integer>> fits;

    /**
     * @param ratingStart the text the rating value starts with (the first token drawn after its opening quote)
     */
    public CategoryReading(CategoryProbe probe, CategoryProbe.Labels labels, byte[] ratingStart) {
        this.probe = probe;
        this.labels = labels;
        this.mass = new double[labels.size()];
        sinceRating.append(CategoryProbe.bytes(ratingStart));
        for (int i = 0; i < labels.size(); i++) {
            live.add(i);
        }
    }

    /** True once the distribution is read or known to be unavailable: no more calls are needed. */
    public boolean finished() {
        return state == State.DONE || state == State.UNKNOWN;
    }

    /**
     * Before a sample: keeps the quote separate while the value has not begun, or reads the accepted tokens'
     * logits inside it.
     */
    public void beforeSample(LlamaContext ctx, Sampler sampler) {
        if (state == State.BEFORE_VALUE) {
            if (OPENED.matcher(sinceRating).find()) {
                state = State.IN_VALUE;
            } else if (BEFORE_VALUE.matcher(sinceRating).find()) {
                int[] fused = sampler.allowed(labels.quoteWithValue);
                if (fused.length > 0) {
                    ctx.suppressTokens(fused);
                }
                return;
            } else {
                if (sinceRating.length() > MAX_CHARS_BEFORE_VALUE) {
                    state = State.UNKNOWN; // not the verdict grammar's layout
                }
                return; // still inside the rating value
            }
        }
        if (state == State.IN_VALUE) {
            read(ctx, sampler);
        }
    }

    private void read(LlamaContext ctx, Sampler sampler) {
        Set<Integer> candidates = new LinkedHashSet<>();
        for (int c : live) {
            String rest = labels.values[c].substring(written.length());
            for (int len = 1; len <= rest.length(); len++) {
                for (int t : probe.tokensWriting(rest.substring(0, len))) {
                    candidates.add(t);
                }
            }
            for (int[] ts : probe.tokensExtending(rest)) {
                for (int t : ts) {
                    candidates.add(t);
                }
            }
        }
        accepted =
                sampler.allowed(candidates.stream().mapToInt(Integer::intValue).toArray());
        if (accepted.length == 0) {
            state = State.UNKNOWN;
            return;
        }
        float[] logits = new float[accepted.length];
        ctx.logitsOf(accepted, logits);
        probability = softmax(logits);
        if (probability == null) {
            state = State.UNKNOWN;
            return;
        }
        fits = new ArrayList<>(accepted.length);
        for (int t : accepted) {
            String p = probe.piece(t);
            List<Integer> f = new ArrayList<>(1);
            for (int c : live) {
                String rest = labels.values[c].substring(written.length());
                if (rest.startsWith(p) || p.startsWith(rest)) {
                    f.add(c);
                }
            }
            fits.add(f);
        }
    }

    /** After a sample: the token drawn. */
    public void sampled(int token) {
        if (state == State.BEFORE_VALUE) {
            sinceRating.append(probe.piece(token));
            if (sinceRating.length() > MAX_CHARS_BEFORE_VALUE + 1) {
                state = State.UNKNOWN;
            }
            return;
        }
        if (state != State.IN_VALUE || accepted == null) {
            return;
        }
        int drawn = -1;
        for (int i = 0; i < accepted.length; i++) {
            if (accepted[i] == token) {
                drawn = i;
            }
        }
        if (drawn < 0) {
            state = State.UNKNOWN; // a token outside the values: not the verdict grammar
            return;
        }
        for (int i = 0; i < accepted.length; i++) {
            List<Integer> f = fits.get(i);
            if (f.size() == 1) {
                mass[f.get(0)] += pathProbability * probability[i];
            } else if (i != drawn && !f.isEmpty()) {
                unresolved = true;
            }
        }
        List<Integer> f = fits.get(drawn);
        accepted = null;
        if (f.size() == 1) {
            state = unresolved ? State.UNKNOWN : State.DONE;
            return;
        }
        pathProbability *= probability[drawn];
        written.append(probe.piece(token));
        live = f;
    }

    /** The distribution by category id in policy order, or empty when it is unknown. */
    public Map<String, Double> result() {
        if (state != State.DONE) {
            return Map.of();
        }
        double sum = Arrays.stream(mass).sum();
        Map<String, Double> q = new LinkedHashMap<>();
        for (int i = 0; i < mass.length; i++) {
            q.put(labels.ids[i], mass[i] / sum);
        }
        return Collections.unmodifiableMap(q);
    }

    /** Softmax of {@code logits}; null when none is finite or one is NaN. */
    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            if (Float.isNaN(l)) {
                return null;
            }
            max = Math.max(max, l);
        }
        if (!Double.isFinite(max)) {
            return null;
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
