package io.safetyguard.cli.eval;

/**
 * A share of samples that met a condition, e.g. PER: exception samples rated Safe.
 *
 * @param hits samples that met it
 * @param n    samples considered
 */
public record Proportion(long hits, long n) {
    public Proportion {
        if (hits < 0 || n < 0 || hits > n) {
            throw new IllegalArgumentException("need 0 <= hits <= n, got " + hits + "/" + n);
        }
    }

    /** hits / n, or NaN when no sample was considered. */
    public double value() {
        return EvalMetrics.ratio(hits, n);
    }

    /** E.g. {@code "50.00% (1/2)"} or {@code "n/a (0 samples)"}. */
    @Override
    public String toString() {
        return n == 0 ? "n/a (0 samples)" : EvalMetrics.percent(value()) + " (" + hits + "/" + n + ")";
    }
}
