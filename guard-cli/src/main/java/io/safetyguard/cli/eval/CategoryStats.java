package io.safetyguard.cli.eval;

/**
 * The samples whose expected category is one category (default policy, valid verdicts only).
 *
 * @param id     the category id
 * @param label  the policy's label for it
 * @param matrix their confusion matrix
 */
public record CategoryStats(String id, String label, ConfusionMatrix matrix) {
    /** Share of this category's Unsafe samples rated Unsafe (the paper's per-category recall). */
    public double recall() {
        return EvalMetrics.of(matrix).recall();
    }

    /** Balanced accuracy over this category's samples (Safe-labelled ones included). */
    public double balancedAccuracy() {
        return EvalMetrics.of(matrix).balancedAccuracy();
    }

    /** Plain accuracy, the paper's figure for NA. */
    public double accuracy() {
        return EvalMetrics.of(matrix).accuracy();
    }
}
