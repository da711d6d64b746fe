package io.safetyguard.llamacpp.reference;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How far SafetyGuard's numbers are from the reference's for one image, and whether that is within the tolerances.
 *
 * @param image           what was evaluated
 * @param embeddingError  max |SafetyGuard - reference| over the packed image embeddings / max |reference|
 *                        (infinite when the token counts differ)
 * @param firstLogitError max |difference| of the logits at the first generated position / the reference's logit
 *                        spread (max - min)
 * @param ratingLogitError the same at the rating step (teacher-forced with SafetyGuard's generated tokens)
 * @param pUnsafeError    |P(Unsafe) SafetyGuard - P(Unsafe) reference|
 */
public record Agreement(
        String image, double embeddingError, double firstLogitError, double ratingLogitError, double pUnsafeError) {

    /**
     * The tolerances of {@link #within}.
     *
     * @param embedding       for {@link #embeddingError}
     * @param promptLogits    for {@link #firstLogitError} (the prompt is decoded as one batch)
     * @param generatedLogits for {@link #ratingLogitError} (generated tokens are decoded one at a time)
     * @param pUnsafe         for {@link #pUnsafeError}
     */
    public record Tolerances(double embedding, double promptLogits, double generatedLogits, double pUnsafe) {}

    /** The quantities beyond their tolerance (empty: agreement). */
    public List<String> violations(Tolerances t) {
        List<String> v = new ArrayList<>();
        if (!(embeddingError <= t.embedding())) {
            v.add(String.format(Locale.ROOT, "embeddings %.2e > %.1e", embeddingError, t.embedding()));
        }
        if (!(firstLogitError <= t.promptLogits())) {
            v.add(String.format(Locale.ROOT, "first logits %.2e > %.1e", firstLogitError, t.promptLogits()));
        }
        if (!(ratingLogitError <= t.generatedLogits())) {
            v.add(String.format(Locale.ROOT, "rating logits %.2e > %.1e", ratingLogitError, t.generatedLogits()));
        }
        if (!(pUnsafeError <= t.pUnsafe())) {
            v.add(String.format(Locale.ROOT, "P(Unsafe) %.2e > %.1e", pUnsafeError, t.pUnsafe()));
        }
        return v;
    }

    /** The largest ratio of a quantity to its tolerance (above 1: outside). */
    public double worstRatio(Tolerances t) {
        return Math.max(
                Math.max(embeddingError / t.embedding(), firstLogitError / t.promptLogits()),
                Math.max(ratingLogitError / t.generatedLogits(), pUnsafeError / t.pUnsafe()));
    }

    /** Whether every quantity is within its tolerance. */
    public boolean within(Tolerances t) {
        return violations(t).isEmpty();
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%s: embeddings %.2e, first logits %.2e, rating logits %.2e, P(Unsafe) %.2e",
                image,
                embeddingError,
                firstLogitError,
                ratingLogitError,
                pUnsafeError);
    }

    /** max |a - b| / max |b| over token-major blocks; infinite when the shapes differ. */
    public static double relativeToMagnitude(float[] a, float[][] b) {
        if (b.length == 0 || a.length != b.length * b[0].length) {
            return Double.POSITIVE_INFINITY;
        }
        int dim = b[0].length;
        double maxDiff = 0;
        double maxRef = 0;
        for (int t = 0; t < b.length; t++) {
            for (int i = 0; i < dim; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[t * dim + i] - b[t][i]));
                maxRef = Math.max(maxRef, Math.abs(b[t][i]));
            }
        }
        return maxDiff / maxRef;
    }

    /** max |a - b| / (max b - min b); infinite when the lengths differ. */
    public static double relativeToSpread(float[] a, double[] b) {
        if (a == null || a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double maxDiff = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < b.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            min = Math.min(min, b[i]);
            max = Math.max(max, b[i]);
        }
        return maxDiff / (max - min);
    }

    /** sum exp(l[unsafe]) / (sum exp(l[safe]) + sum exp(l[unsafe])), computed stably. */
    public static double probabilityUnsafe(double[] logits, int[] safe, int[] unsafe) {
        double max = Double.NEGATIVE_INFINITY;
        for (int t : safe) {
            max = Math.max(max, logits[t]);
        }
        for (int t : unsafe) {
            max = Math.max(max, logits[t]);
        }
        double s = 0;
        double u = 0;
        for (int t : safe) {
            s += Math.exp(logits[t] - max);
        }
        for (int t : unsafe) {
            u += Math.exp(logits[t] - max);
        }
        return u / (s + u);
    }
}
