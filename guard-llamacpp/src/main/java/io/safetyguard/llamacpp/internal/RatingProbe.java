package io.safetyguard.llamacpp.internal;

import io.safetyguard.llamacpp.internal.jni.LlamaContext;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import io.safetyguard.llamacpp.internal.jni.Sampler;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Computes P(Unsafe) at the one generation step where the verdict grammar lets the model choose
 * between {@code "Safe"} and {@code "Unsafe"}.
 *
 * <p><b>The quantity.</b> Let the prefix be the generated text up to and including the opening
 * quote of the rating value ({@code {"rating": "}). Under the grammar-constrained distribution at
 * temperature 1 (softmax of the raw logits over the tokens the grammar accepts), every token the
 * grammar accepts after that quote starts with {@code S} or {@code U}, so it commits to one value,
 * and the rest of the value is then forced (probability 1 under the grammar). Hence
 *
 * <pre>
 *   P(Unsafe) = P(model writes Unsafe | prefix) = sum_{t in A, t starts with U} e^{l_t} / sum_{t in A} e^{l_t}
 * </pre>
 *
 * with A the accepted tokens and l their raw logits. The sum runs over every way of starting a
 * value ({@code U}, {@code Un}, {@code Unsafe"}...), so it is the probability of the value, not of
 * the single best token. It does not depend on temperature, top-k or top-p: those only change which
 * token is drawn.
 *
 * <p><b>Why the quote is kept separate.</b> Some vocabularies (qwen2) have tokens that write the
 * opening quote and the first letter at once ({@code "S}, {@code \n"Un}). If the model could pick
 * one of those, the decision would be spread over steps with different prefixes and the quantity
 * above would not exist at any single step (the other value might be reachable only through a
 * bare-quote token, whose continuation was never computed). So until the value has begun,
 * {@link #keepQuoteSeparate} removes such tokens from the choice: the model writes the quote as a
 * token of its own, as the trained layout {@code "rating": "Safe"} tokenizes anyway, and the text
 * it can produce is unchanged.
 *
 * <p>Built once per model from the vocabulary; instances are immutable and thread-safe.
 */
public final class RatingProbe {

    private static final Pattern VALUE_OPENED = Pattern.compile("\"rating\"\\s*:\\s*\"$");
    /**
     * The text ends where a token could start that runs on into the rating value: after the opening
     * brace, or anywhere from the key's opening quote to just before the value's opening quote.
     */
    private static final Pattern BEFORE_VALUE =
            Pattern.compile("(?:\\{\\s*|\"(?:r(?:a(?:t(?:i(?:n(?:g(?:\"\\s*(?::\\s*)?)?)?)?)?)?)?)?)$");

    /**
     * The verdict grammar opens the rating value within 59 characters ({@code {}, the key, the colon,
     * the quote and at most 16 whitespace characters in each of the three gaps); a generation that
     * has written more without opening it follows another grammar and is not probed further.
     */
    public static final int MAX_BYTES_BEFORE_VALUE = 96;

    /** Tokens whose text can start the Safe value ("S", "Safe", "Safe\","...): the Safe choices after the quote. */
    private final int[] safeStarts;
    /** Tokens whose text can start the Unsafe value. */
    private final int[] unsafeStarts;
    /** Tokens containing a quote directly followed by S or U (quote and value letter in one token). */
    private final int[] quoteWithValue;

    private RatingProbe(int[] safeStarts, int[] unsafeStarts, int[] quoteWithValue) {
        this.safeStarts = safeStarts;
        this.unsafeStarts = unsafeStarts;
        this.quoteWithValue = quoteWithValue;
    }

    /** Builds the token sets from the model's vocabulary (one native call per token, once). */
    public static RatingProbe build(LlamaModel model) {
        int n = model.vocabularySize();
        List<Integer> safe = new ArrayList<>();
        List<Integer> unsafe = new ArrayList<>();
        List<Integer> fused = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            String p = model.tokenText(t);
            switch (kind(p)) {
                case SAFE_START -> safe.add(t);
                case UNSAFE_START -> unsafe.add(t);
                case QUOTE_WITH_VALUE -> fused.add(t);
                case OTHER -> {}
            }
        }
        return new RatingProbe(toArray(safe), toArray(unsafe), toArray(fused));
    }

    /** What a token's text can do around the rating value. */
    enum Kind {
        SAFE_START,
        UNSAFE_START,
        QUOTE_WITH_VALUE,
        OTHER
    }

    static Kind kind(String piece) {
        // Only text that fits the value and its closing quote can follow the opening quote; the
        // grammar decides the rest (what may come after the quote). This keeps the sets small.
        if (startsValue("Safe", piece)) {
            return Kind.SAFE_START;
        }
        if (startsValue("Unsafe", piece)) {
            return Kind.UNSAFE_START;
        }
        if (piece.contains("\"S") || piece.contains("\"U")) {
            return Kind.QUOTE_WITH_VALUE;
        }
        return Kind.OTHER;
    }

    private static boolean startsValue(String value, String piece) {
        String closed = value + "\"";
        return !piece.isEmpty() && (closed.startsWith(piece) || piece.startsWith(closed));
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether the generated text ends right after the opening quote of the rating value. */
    public static boolean valueOpened(CharSequence generatedSoFar) {
        return VALUE_OPENED.matcher(generatedSoFar).find();
    }

    /** Whether the generated text ends between the opening brace and the value's opening quote. */
    public static boolean beforeValue(CharSequence generatedSoFar) {
        return BEFORE_VALUE.matcher(generatedSoFar).find();
    }

    /**
     * Before the value has begun: forbids, for the next sample only, the tokens that would write the
     * opening quote together with the value's first letter. The grammar accepts such a token only
     * where it writes the rating value, so elsewhere nothing changes.
     */
    public void keepQuoteSeparate(LlamaContext ctx, Sampler sampler) {
        int[] allowed = sampler.allowed(quoteWithValue);
        if (allowed.length > 0) {
            ctx.suppressTokens(allowed);
        }
    }

    /**
     * Right after the opening quote: reads the logits of every token the grammar accepts and returns
     * the decision, or null when the grammar accepts no value token here (not the verdict grammar).
     */
    public Decision read(LlamaContext ctx, Sampler sampler) {
        int[] safe = sampler.allowed(safeStarts);
        int[] unsafe = sampler.allowed(unsafeStarts);
        if (safe.length + unsafe.length == 0) {
            return null;
        }
        float[] safeLogits = new float[safe.length];
        float[] unsafeLogits = new float[unsafe.length];
        ctx.logitsOf(safe, safeLogits);
        ctx.logitsOf(unsafe, unsafeLogits);
        double p = probabilityOfSecond(safeLogits, unsafeLogits);
        return Double.isFinite(p) ? new Decision(safe, unsafe, p) : null;
    }

    /**
     * sum(exp(b)) / (sum(exp(a)) + sum(exp(b))), computed stably; NaN when every logit is -infinity
     * or one is NaN.
     */
    static double probabilityOfSecond(float[] a, float[] b) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : a) {
            max = Math.max(max, l);
        }
        for (float l : b) {
            max = Math.max(max, l);
        }
        if (!Double.isFinite(max)) {
            return Double.NaN;
        }
        double sa = 0;
        double sb = 0;
        for (float l : a) {
            sa += Math.exp(l - max);
        }
        for (float l : b) {
            sb += Math.exp(l - max);
        }
        return sb / (sa + sb);
    }

    /** The choice between the values at the decision step, read before sampling. */
    public static final class Decision {
        private final int[] safe;
        private final int[] unsafe;
        public final double probabilityUnsafe;

        private Decision(int[] safe, int[] unsafe, double p) {
            this.safe = safe;
            this.unsafe = unsafe;
            this.probabilityUnsafe = p;
        }

        /** The accepted tokens that start the Safe value (a copy). */
        public int[] safeTokens() {
            return safe.clone();
        }

        /** The accepted tokens that start the Unsafe value (a copy). */
        public int[] unsafeTokens() {
            return unsafe.clone();
        }

        /** Whether {@code token} is one of the value tokens this decision was computed over. */
        public boolean covers(int token) {
            for (int t : safe) {
                if (t == token) {
                    return true;
                }
            }
            for (int t : unsafe) {
                if (t == token) {
                    return true;
                }
            }
            return false;
        }
    }
}
