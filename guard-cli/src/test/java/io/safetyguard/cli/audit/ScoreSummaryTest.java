package io.safetyguard.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.cli.report.UnitHistogram;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The score figures and the threshold the report draws, from hand-made log lines. */
class ScoreSummaryTest {
    static VerdictRecord scored(String path, String rating, Double p, Double threshold) {
        return new VerdictRecord(path, "d", rating, "NA: None applying", "r", p, 1, null, "p", rating, threshold, null);
    }

    static VerdictRecord withCategories(String path, String category, Map<String, Double> probabilities) {
        return new VerdictRecord(
                path, "d", "Unsafe", category, "r", 0.9, 1, null, "p", "Unsafe", null, null, probabilities);
    }

    private static ScoreSummary summarise(List<VerdictRecord> records) {
        ScoreSummary.Builder b = ScoreSummary.builder();
        records.forEach(b);
        return b.build();
    }

    @Test
    void withoutAThresholdTheLineIsWhereTheModelsChoiceFlips() {
        ScoreSummary s = summarise(List.of(scored("/a", "Safe", 0.1, null), scored("/b", "Unsafe", 0.7, null)));
        assertThat(s.threshold()).isEqualTo(0.5);
        assertThat(s.thresholdFromOption()).isFalse();
        assertThat(s.thresholdsSeen()).containsExactly("model's choice");
    }

    @Test
    void theLatestThresholdIsDrawnAndAMixIsReported() {
        ScoreSummary s = summarise(List.of(
                scored("/a", "Safe", 0.1, null),
                scored("/b", "Unsafe", 0.35, 0.3),
                new VerdictRecord("/e", null, null, null, null, null, 0, "corrupt", "p"),
                scored("/c", "Safe", null, null))); // no P(Unsafe): says nothing about the threshold
        assertThat(s.threshold()).isEqualTo(0.3);
        assertThat(s.thresholdFromOption()).isTrue();
        assertThat(s.thresholdsSeen()).containsExactly("model's choice", "--unsafe-threshold 0.3");
    }

    @Test
    void histogramCountsJudgedLinesWithAProbabilityAndMarksTheUnsafeOnes() {
        ScoreSummary s = summarise(List.of(
                scored("/a", "Safe", 0.01, null),
                scored("/b", "Safe", 0.02, null),
                scored("/c", "Unsafe", 0.99, null),
                scored("/d", "Unsafe", 0.03, null), // the model's choice can disagree with P(Unsafe)
                scored("/n", "Safe", null, null),
                scored("/bad", "Safe", Double.NaN, null),
                new VerdictRecord("/e", null, null, null, null, null, 0, "corrupt", "p")));
        UnitHistogram h = s.pUnsafe();
        assertThat(h.total()).isEqualTo(4);
        assertThat(h.count(0)).isEqualTo(3);
        assertThat(h.marked(0)).isEqualTo(1);
        assertThat(h.count(19)).isEqualTo(1);
        assertThat(h.marked(19)).isEqualTo(1);
        assertThat(s.judgedWithoutP()).isEqualTo(2);
        assertThat(s.categories()).isEmpty();
    }

    @Test
    void categoryHistogramsFollowThePolicyOrderAndMarkTheChosenCategory() {
        ScoreSummary.Builder b = ScoreSummary.builder().categoryOrder(List.of("O1", "O2", "O3", "NA"));
        b.accept(withCategories("/a", "O3: Sexual Content", Map.of("O3", 0.8, "NA", 0.2)));
        b.accept(withCategories("/b", "NA: None applying", Map.of("O3", 0.3, "NA", 0.7, "X9", 0.0)));
        b.accept(scored("/c", "Safe", 0.1, null)); // no category probabilities: not counted there
        ScoreSummary s = b.build();
        assertThat(s.withCategoryProbabilities()).isEqualTo(2);
        assertThat(s.categories().keySet()).containsExactly("O3", "NA", "X9"); // O1, O2 never seen
        UnitHistogram o3 = s.categories().get("O3");
        assertThat(o3.total()).isEqualTo(2);
        assertThat(o3.count(o3.binOf(0.8))).isEqualTo(1);
        assertThat(o3.marked(o3.binOf(0.8))).isEqualTo(1);
        assertThat(o3.marked(o3.binOf(0.3))).isZero();
        assertThat(s.categories().get("NA").marked(o3.binOf(0.7))).isEqualTo(1);
    }
}
