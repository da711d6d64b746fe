package io.safetyguard.cli.eval;

import io.safetyguard.core.Rating;
import io.safetyguard.policy.Category;
import io.safetyguard.policy.Policy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every figure {@code guard eval} reports, computed from the per-sample results. Rules:
 *
 * <ul>
 *   <li><b>Invalid</b> samples (no verdict: unreadable image, timeout, unparsable answer) are left out
 *       of every metric and reported separately with their count and share, as the reference counts
 *       unparsable answers as "invalid". They are not charged as errors: with grammar-constrained
 *       decoding an invalid sample is a pipeline failure, not a judgement, and a high invalid rate is
 *       shown on its own rather than hidden in recall.</li>
 *   <li><b>Default policy</b> metrics use the valid samples without an exception; <b>all samples</b>
 *       adds the exception samples (expected Safe).</li>
 *   <li><b>Per category</b>: default-policy samples grouped by expected category; recall and balanced
 *       accuracy for each policy category, accuracy for NA.</li>
 *   <li><b>Category accuracy</b>: over valid samples with an expected category, the share whose
 *       predicted category id equals the expected id exactly (the reference's lower-cased substring
 *       test, made exact: ids are unique, and a label spelled differently across policy versions still
 *       matches by id).</li>
 *   <li><b>PER</b> (policy exception rate): the share of valid exception samples rated Safe.</li>
 *   <li><b>Threshold sweep</b>: ROC-AUC and the default-policy metrics at other unsafe thresholds,
 *       from P(Unsafe) ({@link ThresholdSweep}).</li>
 * </ul>
 */
public final class EvalResults {
    private final List<SampleResult> results;
    private final ConfusionMatrix defaultPolicy;
    private final ConfusionMatrix allSamples;
    private final List<CategoryStats> perCategory;
    private final Proportion categoryAccuracy;
    private final Proportion per;
    private final List<SampleResult> invalid;
    private final ThresholdSweep sweep;
    private CategorySweep categorySweep;

    private EvalResults(
            List<SampleResult> results,
            ConfusionMatrix defaultPolicy,
            ConfusionMatrix allSamples,
            List<CategoryStats> perCategory,
            Proportion categoryAccuracy,
            Proportion per,
            List<SampleResult> invalid) {
        this.sweep = ThresholdSweep.of(results);
        this.results = results;
        this.defaultPolicy = defaultPolicy;
        this.allSamples = allSamples;
        this.perCategory = perCategory;
        this.categoryAccuracy = categoryAccuracy;
        this.per = per;
        this.invalid = invalid;
    }

    /** Computes the figures; {@code policy} names and orders the categories. */
    public static EvalResults compute(List<SampleResult> results, Policy policy) {
        return compute(results, policy, CategorySweep.DEFAULT_TARGET_PRECISION, CategorySweep.DEFAULT_TARGET_RECALL);
    }

    /**
     * Computes the figures, with per-category threshold suggestions for a target precision and recall (NaN: none).
     */
    public static EvalResults compute(
            List<SampleResult> results, Policy policy, double targetPrecision, double targetRecall) {
        EvalResults r = computeFigures(results, policy);
        r.categorySweep = CategorySweep.of(r.results, policy, targetPrecision, targetRecall);
        return r;
    }

    private static EvalResults computeFigures(List<SampleResult> results, Policy policy) {
        ConfusionMatrix def = ConfusionMatrix.EMPTY;
        ConfusionMatrix all = ConfusionMatrix.EMPTY;
        Map<String, ConfusionMatrix> byCategory = new LinkedHashMap<>();
        policy.categories().forEach(c -> byCategory.put(c.id(), ConfusionMatrix.EMPTY));
        byCategory.put(Policy.NONE_APPLYING_ID, ConfusionMatrix.EMPTY);
        long categoryHits = 0;
        long categoryN = 0;
        long perHits = 0;
        long perN = 0;
        List<SampleResult> invalid = new ArrayList<>();
        for (SampleResult r : results) {
            if (!r.isValid()) {
                invalid.add(r);
                continue;
            }
            LabeledSample s = r.sample();
            boolean expectedUnsafe = s.expected() == Rating.UNSAFE;
            boolean predictedUnsafe = r.predicted() == Rating.UNSAFE;
            all = all.plus(expectedUnsafe, predictedUnsafe);
            if (s.hasException()) {
                perN++;
                perHits += r.predicted() == Rating.SAFE ? 1 : 0;
            } else {
                def = def.plus(expectedUnsafe, predictedUnsafe);
                if (s.expectedCategory() != null) {
                    byCategory.merge(
                            s.expectedCategory(),
                            ConfusionMatrix.EMPTY.plus(expectedUnsafe, predictedUnsafe),
                            EvalResults::sum);
                }
            }
            if (s.expectedCategory() != null) {
                categoryN++;
                categoryHits += s.expectedCategory().equals(r.categoryId()) ? 1 : 0;
            }
        }
        List<CategoryStats> stats = new ArrayList<>();
        byCategory.forEach((id, m) -> stats.add(new CategoryStats(id, label(policy, id), m)));
        return new EvalResults(
                List.copyOf(results),
                def,
                all,
                List.copyOf(stats),
                new Proportion(categoryHits, categoryN),
                new Proportion(perHits, perN),
                List.copyOf(invalid));
    }

    private static ConfusionMatrix sum(ConfusionMatrix a, ConfusionMatrix b) {
        return new ConfusionMatrix(a.tp() + b.tp(), a.fp() + b.fp(), a.tn() + b.tn(), a.fn() + b.fn());
    }

    private static String label(Policy policy, String id) {
        return Policy.NONE_APPLYING_ID.equals(id)
                ? Policy.NONE_APPLYING_LABEL
                : policy.categoryById(id).map(Category::label).orElse(id);
    }

    /** Every sample's result, in labels-file order. */
    public List<SampleResult> results() {
        return results;
    }

    /** Valid samples without a policy exception. */
    public ConfusionMatrix defaultPolicy() {
        return defaultPolicy;
    }

    /** All valid samples, exception samples included (expected Safe). */
    public ConfusionMatrix allSamples() {
        return allSamples;
    }

    /** One entry per policy category, then NA. */
    public List<CategoryStats> perCategory() {
        return perCategory;
    }

    public Proportion categoryAccuracy() {
        return categoryAccuracy;
    }

    /** Policy exception rate: valid exception samples rated Safe. */
    public Proportion per() {
        return per;
    }

    /** ROC-AUC and the metrics at other unsafe thresholds, from P(Unsafe). */
    public ThresholdSweep thresholdSweep() {
        return sweep;
    }

    /** Per-category ROC-AUC of P(Unsafe) * P(c | Unsafe) and suggested category thresholds. */
    public CategorySweep categorySweep() {
        return categorySweep;
    }

    /** Samples with no verdict, in file order. */
    public List<SampleResult> invalid() {
        return invalid;
    }

    /** Samples with a policy exception, valid or not. */
    public long exceptionSamples() {
        return results.stream().filter(r -> r.sample().hasException()).count();
    }

    /** Invalid samples over all samples; NaN for an empty run. */
    public double invalidRate() {
        return EvalMetrics.ratio(invalid.size(), results.size());
    }
}
