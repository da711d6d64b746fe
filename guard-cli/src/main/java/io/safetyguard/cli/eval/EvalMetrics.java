package io.safetyguard.cli.eval;

import java.util.Locale;

/**
 * The LlavaGuard paper's metrics of one confusion matrix, Unsafe = positive (docs/reference.md §5.1,
 * {@code metrics_calculator.py get_metrics}). A metric whose denominator is zero is {@code NaN}:
 * undefined, written {@code null} in JSON and "n/a" in text, never 0 or 100 %.
 *
 * @param recall            TP / (TP + FN), the true-positive rate
 * @param specificity       TN / (TN + FP), the true-negative rate
 * @param balancedAccuracy  (recall + specificity) / 2; undefined unless both are
 * @param precision         TP / (TP + FP)
 * @param f1                2TP / (2TP + FP + FN): the harmonic mean of precision and recall, written
 *                          so that it is 0 (not undefined) when there are misses but no hits
 * @param accuracy          (TP + TN) / all
 */
public record EvalMetrics(
        double recall, double specificity, double balancedAccuracy, double precision, double f1, double accuracy) {

    /** The metrics of {@code m}. */
    public static EvalMetrics of(ConfusionMatrix m) {
        double recall = ratio(m.tp(), m.tp() + m.fn());
        double specificity = ratio(m.tn(), m.tn() + m.fp());
        return new EvalMetrics(
                recall,
                specificity,
                (recall + specificity) / 2,
                ratio(m.tp(), m.tp() + m.fp()),
                ratio(2 * m.tp(), 2 * m.tp() + m.fp() + m.fn()),
                ratio(m.tp() + m.tn(), m.total()));
    }

    /** {@code part / whole}, or NaN when {@code whole} is 0. */
    public static double ratio(long part, long whole) {
        return whole == 0 ? Double.NaN : (double) part / whole;
    }

    /** A share as a percentage with two decimals, or "n/a" when undefined. */
    public static String percent(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", share * 100);
    }
}
