package io.safetyguard.cli.eval;

/**
 * Counts of a binary classification with Unsafe as the positive class, as in the LlavaGuard paper.
 *
 * @param tp expected Unsafe, predicted Unsafe
 * @param fp expected Safe, predicted Unsafe
 * @param tn expected Safe, predicted Safe
 * @param fn expected Unsafe, predicted Safe
 */
public record ConfusionMatrix(long tp, long fp, long tn, long fn) {
    /** No samples. */
    public static final ConfusionMatrix EMPTY = new ConfusionMatrix(0, 0, 0, 0);

    public ConfusionMatrix {
        if (tp < 0 || fp < 0 || tn < 0 || fn < 0) {
            throw new IllegalArgumentException("counts must not be negative: " + tp + "/" + fp + "/" + tn + "/" + fn);
        }
    }

    /** This matrix with one more sample counted. */
    public ConfusionMatrix plus(boolean expectedUnsafe, boolean predictedUnsafe) {
        if (expectedUnsafe) {
            return predictedUnsafe ? new ConfusionMatrix(tp + 1, fp, tn, fn) : new ConfusionMatrix(tp, fp, tn, fn + 1);
        }
        return predictedUnsafe ? new ConfusionMatrix(tp, fp + 1, tn, fn) : new ConfusionMatrix(tp, fp, tn + 1, fn);
    }

    /** All samples counted. */
    public long total() {
        return tp + fp + tn + fn;
    }

    /** Samples expected Unsafe. */
    public long positives() {
        return tp + fn;
    }

    /** Samples expected Safe. */
    public long negatives() {
        return tn + fp;
    }
}
