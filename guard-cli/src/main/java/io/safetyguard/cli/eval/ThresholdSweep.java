package io.safetyguard.cli.eval;

import io.safetyguard.core.Rating;
import java.util.ArrayList;
import java.util.List;

/**
 * How the rating would score at other unsafe thresholds, from each sample's P(Unsafe): ROC-AUC and
 * the metrics at thresholds 0.05, 0.10, ... 0.95 (Unsafe iff P(Unsafe) &gt;= threshold). Uses the
 * valid default-policy samples that have a P(Unsafe), like the default-policy metrics; samples
 * without one (a backend that does not compute it) are counted in {@link #withoutProbability()}.
 *
 * @param n                  samples with a P(Unsafe)
 * @param withoutProbability valid default-policy samples without one
 * @param rocAuc             the probability that a random Unsafe sample gets a higher P(Unsafe) than a
 *                           random Safe one (ties count half); NaN without both kinds of sample
 * @param points             one entry per threshold, ascending
 */
public record ThresholdSweep(int n, int withoutProbability, double rocAuc, List<Point> points) {

    /** The thresholds of the sweep. */
    static final double STEP = 0.05;

    /**
     * The metrics at one threshold.
     *
     * @param threshold the unsafe threshold
     * @param matrix    the confusion matrix with that threshold
     */
    public record Point(double threshold, ConfusionMatrix matrix) {
        public EvalMetrics metrics() {
            return EvalMetrics.of(matrix);
        }
    }

    /** The sweep over {@code results} (only valid samples without a policy exception count). */
    public static ThresholdSweep of(List<SampleResult> results) {
        List<double[]> scored = new ArrayList<>(); // {P(Unsafe), 1 if expected Unsafe}
        int without = 0;
        for (SampleResult r : results) {
            if (!r.isValid() || r.sample().hasException()) {
                continue;
            }
            if (r.pUnsafe() == null) {
                without++;
                continue;
            }
            scored.add(new double[] {r.pUnsafe(), r.sample().expected() == Rating.UNSAFE ? 1 : 0});
        }
        List<Point> points = new ArrayList<>();
        for (int i = 1; i * STEP < 1 - 1e-9; i++) {
            double t = Math.round(i * STEP * 100) / 100.0;
            ConfusionMatrix m = ConfusionMatrix.EMPTY;
            for (double[] s : scored) {
                m = m.plus(s[1] == 1, s[0] >= t);
            }
            points.add(new Point(t, m));
        }
        return new ThresholdSweep(scored.size(), without, rocAuc(scored), List.copyOf(points));
    }

    /** Mann-Whitney form of the area under the ROC curve; quadratic, fine for evaluation sets. */
    static double rocAuc(List<double[]> scored) {
        long pairs = 0;
        double wins = 0;
        for (double[] pos : scored) {
            if (pos[1] != 1) {
                continue;
            }
            for (double[] neg : scored) {
                if (neg[1] == 1) {
                    continue;
                }
                pairs++;
                wins += pos[0] > neg[0] ? 1 : pos[0] == neg[0] ? 0.5 : 0;
            }
        }
        return pairs == 0 ? Double.NaN : wins / pairs;
    }
}
