package io.safetyguard.cli.eval;

import io.safetyguard.core.Rating;
import io.safetyguard.policy.Category;
import io.safetyguard.policy.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Per-category scores and suggested category thresholds. For category c a sample's score is the joint
 * probability the per-category rule compares with c's threshold, P(Unsafe) * P(c | Unsafe): for a sample the model
 * rated Unsafe with a known distribution it is {@code p_unsafe * category_probabilities[c]}; for one the model rated
 * Safe it is 0 (the rule never flags a Safe-written answer through a category threshold). Samples the model rated
 * Unsafe without a distribution are left out and counted. Positives are the samples labelled Unsafe with category
 * c; every other valid default-policy sample is a negative.
 *
 * <p>The suggested threshold for a target precision is the lowest score t &gt; 0 whose precision (over samples with
 * score &gt;= t) reaches the target (the most recall at that precision); for a target recall, the highest t whose
 * recall reaches it (the most precision at that recall). None when the target cannot be reached.
 *
 * @param categories one entry per policy category, in policy order
 * @param targetPrecision the precision the suggestions aim for, or NaN for none
 * @param targetRecall the recall the suggestions aim for, or NaN for none
 */
public record CategorySweep(List<Entry> categories, double targetPrecision, double targetRecall) {

    /** Used when {@code guard eval} is given no target. */
    public static final double DEFAULT_TARGET_PRECISION = 0.9;

    public static final double DEFAULT_TARGET_RECALL = 0.95;

    /**
     * One category.
     *
     * @param id the category id
     * @param positives samples labelled Unsafe with this category (and a score)
     * @param negatives the other samples with a score
     * @param withoutDistribution samples rated Unsafe by the model without a category distribution
     * @param rocAuc the probability that a random positive scores higher than a random negative (ties half); NaN
     *     without both kinds
     * @param forPrecision the suggestion for the target precision, or null
     * @param forRecall the suggestion for the target recall, or null
     */
    public record Entry(
            String id,
            int positives,
            int negatives,
            int withoutDistribution,
            double rocAuc,
            Suggestion forPrecision,
            Suggestion forRecall) {}

    /** A category threshold and what it gives on these samples. */
    public record Suggestion(double threshold, double precision, double recall) {}

    /** The sweep over the valid default-policy samples of {@code results}. */
    public static CategorySweep of(
            List<SampleResult> results, Policy policy, double targetPrecision, double targetRecall) {
        List<Entry> entries = new ArrayList<>();
        for (Category c : policy.categories()) {
            List<double[]> scored = new ArrayList<>(); // {score, 1 if positive}
            int without = 0;
            for (SampleResult r : results) {
                if (!r.isValid() || r.sample().hasException() || r.pUnsafe() == null) {
                    continue;
                }
                Double score = score(r, c.id());
                if (score == null) {
                    without++;
                    continue;
                }
                boolean positive = r.sample().expected() == Rating.UNSAFE
                        && c.id().equals(r.sample().expectedCategory());
                scored.add(new double[] {score, positive ? 1 : 0});
            }
            int pos = (int) scored.stream().filter(s -> s[1] == 1).count();
            entries.add(new Entry(
                    c.id(),
                    pos,
                    scored.size() - pos,
                    without,
                    ThresholdSweep.rocAuc(scored),
                    Double.isNaN(targetPrecision) ? null : forPrecision(scored, targetPrecision),
                    Double.isNaN(targetRecall) ? null : forRecall(scored, targetRecall)));
        }
        return new CategorySweep(List.copyOf(entries), targetPrecision, targetRecall);
    }

    /** P(Unsafe) * P(id | Unsafe), 0 for a Safe-written answer, null when it is unknown. */
    static Double score(SampleResult r, String id) {
        if (r.modelRating() == Rating.SAFE) {
            return 0.0;
        }
        Map<String, Double> q = r.categoryProbabilities();
        if (q.isEmpty()) {
            return null;
        }
        return r.pUnsafe() * q.getOrDefault(id, 0.0);
    }

    private static Suggestion at(List<double[]> scored, double t) {
        int tp = 0;
        int fp = 0;
        int positives = 0;
        for (double[] s : scored) {
            positives += (int) s[1];
            if (s[0] >= t) {
                if (s[1] == 1) {
                    tp++;
                } else {
                    fp++;
                }
            }
        }
        double precision = tp + fp == 0 ? Double.NaN : tp / (double) (tp + fp);
        double recall = positives == 0 ? Double.NaN : tp / (double) positives;
        return new Suggestion(t, precision, recall);
    }

    private static TreeSet<Double> candidates(List<double[]> scored) {
        TreeSet<Double> ts = new TreeSet<>();
        for (double[] s : scored) {
            if (s[0] > 0) {
                ts.add(s[0]);
            }
        }
        return ts;
    }

    static Suggestion forPrecision(List<double[]> scored, double target) {
        for (double t : candidates(scored)) { // ascending: the first that reaches it keeps the most recall
            Suggestion s = at(scored, t);
            if (s.precision() >= target) {
                return s;
            }
        }
        return null;
    }

    static Suggestion forRecall(List<double[]> scored, double target) {
        for (double t : candidates(scored).descendingSet()) { // the first that reaches it keeps the most precision
            Suggestion s = at(scored, t);
            if (s.recall() >= target) {
                return s;
            }
        }
        return null;
    }
}
