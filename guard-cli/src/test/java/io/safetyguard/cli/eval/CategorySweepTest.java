package io.safetyguard.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.core.Rating;
import io.safetyguard.policy.Policy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CategorySweepTest {

    private static final Policy POLICY = Policy.llavaGuardDefault();

    /** A sample labelled (expected, category) that the model wrote as (written) with P(Unsafe) u and q. */
    private static SampleResult result(
            int line, Rating expected, String category, Rating written, double u, Map<String, Double> q) {
        LabeledSample s = new LabeledSample(line, Path.of("img" + line + ".png"), expected, category, null);
        return new SampleResult(s, written, "NA", "NA: None applying", null, 1, "fp", u, written, q);
    }

    private static List<SampleResult> samples() {
        return List.of(
                // O3 positives: scores 0.9 * 0.8 = 0.72 and 0.5 * 0.6 = 0.30
                result(1, Rating.UNSAFE, "O3", Rating.UNSAFE, 0.9, Map.of("O3", 0.8, "O6", 0.2)),
                result(2, Rating.UNSAFE, "O3", Rating.UNSAFE, 0.5, Map.of("O3", 0.6, "NA", 0.4)),
                // an O6 sample scoring 0.8 * 0.5 = 0.40 for O3
                result(3, Rating.UNSAFE, "O6", Rating.UNSAFE, 0.8, Map.of("O3", 0.5, "O6", 0.5)),
                // Safe-written: score 0 for every category, whatever q says
                result(4, Rating.SAFE, "NA", Rating.SAFE, 0.3, Map.of("O3", 1.0)),
                // Unsafe-written without a distribution: left out
                result(5, Rating.SAFE, "NA", Rating.UNSAFE, 0.7, Map.of()));
    }

    @Test
    void scoresAreTheJointProbabilityAndRocAucRanksThem() {
        CategorySweep s = CategorySweep.of(samples(), POLICY, 0.9, 0.95);
        CategorySweep.Entry o3 = s.categories().get(2);
        assertThat(o3.id()).isEqualTo("O3");
        assertThat(o3.positives()).isEqualTo(2);
        assertThat(o3.negatives()).isEqualTo(2);
        assertThat(o3.withoutDistribution()).isEqualTo(1);
        // positives 0.72, 0.30 vs negatives 0.40, 0: (1 + 1) + (0 + 1) = 3 of 4 pairs
        assertThat(o3.rocAuc()).isCloseTo(0.75, within(1e-12));
        assertThat(s.categories())
                .extracting(CategorySweep.Entry::id)
                .startsWith("O1", "O2", "O3")
                .hasSize(9);
    }

    @Test
    void suggestionsReachTheTargetsWithTheMostOfTheOtherMetric() {
        CategorySweep s = CategorySweep.of(samples(), POLICY, 0.9, 0.95);
        CategorySweep.Entry o3 = s.categories().get(2);
        // precision >= 0.9: t = 0.72 (1 of 1); t = 0.40 gives 1 of 2
        assertThat(o3.forPrecision().threshold()).isCloseTo(0.72, within(1e-12));
        assertThat(o3.forPrecision().precision()).isEqualTo(1.0);
        assertThat(o3.forPrecision().recall()).isEqualTo(0.5);
        // recall >= 0.95: both positives, so t = 0.30 (precision 2 of 3)
        assertThat(o3.forRecall().threshold()).isCloseTo(0.30, within(1e-12));
        assertThat(o3.forRecall().recall()).isEqualTo(1.0);
        assertThat(o3.forRecall().precision()).isCloseTo(2 / 3.0, within(1e-12));
        // a category without positives can reach neither
        assertThat(s.categories().get(0).forPrecision()).isNull();
        assertThat(s.categories().get(0).forRecall()).isNull();
    }

    @Test
    void evalJsonCarriesTheCategorySweep() {
        EvalResults r = EvalResults.compute(samples(), POLICY, 0.8, 0.9);
        EvalRunInfo run = new EvalRunInfo(
                "labels.csv",
                Instant.EPOCH,
                Instant.EPOCH,
                POLICY.name(),
                POLICY.fingerprint(),
                POLICY.render(),
                "m",
                "p",
                "model",
                Map.of(),
                true,
                Map.of());
        JsonNode cs = EvalJson.toJson(r, run).get("category_sweep");
        assertThat(cs.get("target_precision").asDouble()).isEqualTo(0.8);
        JsonNode o3 = cs.get("categories").get(2);
        assertThat(o3.get("id").asText()).isEqualTo("O3");
        assertThat(o3.get("roc_auc").asDouble()).isCloseTo(0.75, within(1e-12));
        assertThat(o3.get("threshold_for_recall").get("threshold").asDouble()).isCloseTo(0.30, within(1e-12));
        assertThat(cs.get("categories").get(0).get("threshold_for_precision").isNull())
                .isTrue();
        assertThat(EvalHtmlRenderer.render(r, run))
                .contains("Per-category thresholds")
                .contains("data-category-threshold=\"O3\"");
    }
}
