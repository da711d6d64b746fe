package io.safetyguard.llamacpp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads P(Unsafe) from the logits at the step where the model chooses the rating value.
 *
 * <p>The verdict grammar writes {@code "rating": "Safe"} or {@code "rating": "Unsafe"}. While the
 * generated text ends inside that slot (after {@code "rating":} and optional whitespace, with or
 * without the opening quote), every step looks at the raw logits of the tokens that would commit
 * to one of the two values: tokens whose text continues the slot with a non-empty prefix of
 * {@code Safe} or {@code Unsafe} (or the whole value followed by its closing quote) and that the
 * grammar accepts at that point. When the token actually sampled is one of them, P(Unsafe) is the
 * softmax mass of the Unsafe tokens over the mass of both sets, at temperature 1 (the model's own
 * probability, independent of sampling settings). It sums over every way of starting the value
 * ("U", "Uns", "Unsafe"...), so it can exceed 0.5 while the single most likely token is a Safe one.
 * Tokens that only add the quote or whitespace are skipped and the next step is examined.
 *
 * <p>Built once per model from the vocabulary; instances are immutable and thread-safe.
 */
final class RatingProbe {

    private static final Pattern SLOT_BEFORE_QUOTE = Pattern.compile("\"rating\"\\s*:\\s*$");
    private static final Pattern SLOT_AFTER_QUOTE = Pattern.compile("\"rating\"\\s*:\\s*\"$");

    /** Where the generated text stands relative to the rating value. */
    enum Slot { NONE, BEFORE_QUOTE, AFTER_QUOTE }

    private final int[] safeAfterQuote;
    private final int[] unsafeAfterQuote;
    private final int[] safeBeforeQuote;
    private final int[] unsafeBeforeQuote;

    private RatingProbe(int[] sa, int[] ua, int[] sb, int[] ub) {
        this.safeAfterQuote = sa;
        this.unsafeAfterQuote = ua;
        this.safeBeforeQuote = sb;
        this.unsafeBeforeQuote = ub;
    }

    /** Builds the token sets from the model's vocabulary (one native call per token, once). */
    static RatingProbe build(long model) {
        int n = NativeBridge.modelNVocab(model);
        List<Integer> sa = new ArrayList<>();
        List<Integer> ua = new ArrayList<>();
        List<Integer> sb = new ArrayList<>();
        List<Integer> ub = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            byte[] piece = NativeBridge.tokenPiece(model, t, false);
            if (piece.length == 0 || piece.length > 24) {
                continue;
            }
            String p = new String(piece, StandardCharsets.UTF_8);
            classify(p, t, sa, ua);
            String trimmed = p.stripLeading();
            if (trimmed.startsWith("\"")) {
                classify(trimmed.substring(1), t, sb, ub);
            }
        }
        return new RatingProbe(toArray(sa), toArray(ua), toArray(sb), toArray(ub));
    }

    private static void classify(String q, int token, List<Integer> safe, List<Integer> unsafe) {
        if (commits("Safe", q)) {
            safe.add(token);
        } else if (commits("Unsafe", q)) {
            unsafe.add(token);
        }
    }

    /** Whether text q, written right after the opening quote, commits to the value. */
    static boolean commits(String value, String q) {
        return !q.isEmpty() && (value.startsWith(q) || q.startsWith(value + "\""));
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Where {@code generatedSoFar} stands relative to the rating value. */
    static Slot slot(CharSequence generatedSoFar) {
        if (SLOT_AFTER_QUOTE.matcher(generatedSoFar).find()) {
            return Slot.AFTER_QUOTE;
        }
        if (SLOT_BEFORE_QUOTE.matcher(generatedSoFar).find()) {
            return Slot.BEFORE_QUOTE;
        }
        return Slot.NONE;
    }

    /** The Safe and Unsafe token sets for a slot. */
    int[][] tokens(Slot slot) {
        return switch (slot) {
            case AFTER_QUOTE -> new int[][] {safeAfterQuote, unsafeAfterQuote};
            case BEFORE_QUOTE -> new int[][] {safeBeforeQuote, unsafeBeforeQuote};
            case NONE -> new int[][] {new int[0], new int[0]};
        };
    }

    /** A pending measurement: the logits of both sets at one step, read before sampling. */
    static final class Reading {
        final int[] safe;
        final int[] unsafe;
        final double probabilityUnsafe;

        private Reading(int[] safe, int[] unsafe, double p) {
            this.safe = safe;
            this.unsafe = unsafe;
            this.probabilityUnsafe = p;
        }

        /** Whether the sampled token commits to a value (then {@link #probabilityUnsafe} applies). */
        boolean decidedBy(int token) {
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

    /**
     * Reads the logits of both token sets for the slot at the context's last output, keeping only
     * the tokens the sampler's grammar accepts here.
     */
    Reading read(long ctx, long sampler, Slot slot) {
        int[][] sets = tokens(slot);
        int[] safe = NativeBridge.samplerAllowed(sampler, sets[0]);
        int[] unsafe = NativeBridge.samplerAllowed(sampler, sets[1]);
        if (safe.length == 0 || unsafe.length == 0) {
            return null;
        }
        int[] all = new int[safe.length + unsafe.length];
        System.arraycopy(safe, 0, all, 0, safe.length);
        System.arraycopy(unsafe, 0, all, safe.length, unsafe.length);
        float[] logits = new float[all.length];
        NativeBridge.logitsOf(ctx, all, logits);
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        if (!Double.isFinite(max)) {
            return null;
        }
        double ms = 0;
        double mu = 0;
        for (int i = 0; i < all.length; i++) {
            double e = Math.exp(logits[i] - max);
            if (i < safe.length) {
                ms += e;
            } else {
                mu += e;
            }
        }
        double p = mu / (ms + mu);
        return Double.isFinite(p) ? new Reading(safe, unsafe, p) : null;
    }
}
