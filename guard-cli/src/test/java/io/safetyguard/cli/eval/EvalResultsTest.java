package io.safetyguard.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.core.Rating;
import io.safetyguard.policy.Policy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/** The eval figures from hand-made results, whose counts are worked out in the comments. */
class EvalResultsTest {
    private static final Policy POLICY = Policy.llavaGuardDefault();
    private int line = 1;

    private SampleResult result(
            Rating expected, String expectedCat, String exception, Rating predicted, String predictedCat) {
        LabeledSample s = new LabeledSample(++line, Path.of("/img/" + line + ".png"), expected, expectedCat, exception);
        String label = predictedCat == null
                ? null
                : predictedCat.equals("NA")
                        ? Policy.NONE_APPLYING_LABEL
                        : POLICY.categoryById(predictedCat).orElseThrow().label();
        return new SampleResult(s, predicted, predictedCat, label, null, 12.5, "fp");
    }

    private SampleResult invalid(Rating expected, String expectedCat, String exception) {
        LabeledSample s = new LabeledSample(++line, Path.of("/img/" + line + ".png"), expected, expectedCat, exception);
        return new SampleResult(s, null, null, null, "corrupt", 1, "fp");
    }

    /**
     * Default policy: O3 Unsafe×3 (2 caught, one as O2), O6 Unsafe×1 (missed), NA Safe×3 (1 false alarm), O6 Safe×1 (ok).
     * TP 2, FN 2, TN 3, FP 1. Exceptions: 3 valid (2 Safe) + 1 invalid. Another invalid default sample.
     */
    private List<SampleResult> results() {
        List<SampleResult> r = new ArrayList<>();
        r.add(result(Rating.UNSAFE, "O3", null, Rating.UNSAFE, "O3"));
        r.add(result(Rating.UNSAFE, "O3", null, Rating.UNSAFE, "O2"));
        r.add(result(Rating.UNSAFE, "O3", null, Rating.SAFE, "NA"));
        r.add(result(Rating.UNSAFE, "O6", null, Rating.SAFE, "O6"));
        r.add(result(Rating.SAFE, "NA", null, Rating.SAFE, "NA"));
        r.add(result(Rating.SAFE, "NA", null, Rating.UNSAFE, "O1"));
        r.add(result(Rating.SAFE, "NA", null, Rating.SAFE, "NA"));
        r.add(result(Rating.SAFE, "O6", null, Rating.SAFE, "O6"));
        r.add(result(Rating.SAFE, "O6", "O6", Rating.SAFE, "O6"));
        r.add(result(Rating.SAFE, "O3", "O3", Rating.UNSAFE, "O3"));
        r.add(result(Rating.SAFE, null, "O1", Rating.SAFE, "NA"));
        r.add(invalid(Rating.SAFE, "O6", "O6"));
        r.add(invalid(Rating.UNSAFE, "O3", null));
        return r;
    }

    @Test
    void defaultPolicyMetricsUseValidSamplesWithoutException() {
        EvalResults e = EvalResults.compute(results(), POLICY);
        assertThat(e.defaultPolicy()).isEqualTo(new ConfusionMatrix(2, 1, 3, 2));
        EvalMetrics m = EvalMetrics.of(e.defaultPolicy());
        assertThat(m.recall()).isEqualTo(0.5);
        assertThat(m.specificity()).isEqualTo(0.75);
        assertThat(m.balancedAccuracy()).isEqualTo(0.625);
        assertThat(m.precision()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.f1()).isCloseTo(4.0 / 7, within(1e-12));
        assertThat(m.accuracy()).isEqualTo(5.0 / 8);
    }

    @Test
    void allSamplesAddTheExceptionSamplesExpectedSafe() {
        // + 2 TN and 1 FP from the valid exception samples
        assertThat(EvalResults.compute(results(), POLICY).allSamples()).isEqualTo(new ConfusionMatrix(2, 2, 5, 2));
    }

    @Test
    void perIsTheShareOfValidExceptionSamplesRatedSafe() {
        EvalResults e = EvalResults.compute(results(), POLICY);
        assertThat(e.per()).isEqualTo(new Proportion(2, 3));
        assertThat(e.exceptionSamples()).isEqualTo(4);
    }

    @Test
    void categoryAccuracyComparesIdsOfValidSamplesWithAnExpectedCategory() {
        // valid with a category: 10 (the O1-exception row has none)
        // rows: O3=O3 ✓, O3≠O2, O3≠NA, O6=O6 ✓, NA=NA ✓, NA≠O1, NA=NA ✓, O6=O6 ✓, O6=O6 ✓, O3=O3 ✓ → 7/10
        assertThat(EvalResults.compute(results(), POLICY).categoryAccuracy()).isEqualTo(new Proportion(7, 10));
    }

    @Test
    void perCategoryGroupsDefaultSamplesByExpectedCategory() {
        EvalResults e = EvalResults.compute(results(), POLICY);
        assertThat(e.perCategory())
                .extracting(CategoryStats::id)
                .containsExactly("O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8", "O9", "NA");
        CategoryStats o3 = stats(e, "O3");
        assertThat(o3.matrix()).isEqualTo(new ConfusionMatrix(2, 0, 0, 1));
        assertThat(o3.recall()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(o3.balancedAccuracy()).isNaN(); // no Safe O3 sample under the default policy
        CategoryStats o6 = stats(e, "O6");
        assertThat(o6.matrix()).isEqualTo(new ConfusionMatrix(0, 0, 1, 1));
        assertThat(o6.recall()).isZero();
        assertThat(o6.balancedAccuracy()).isEqualTo(0.5);
        assertThat(stats(e, "NA").accuracy()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(stats(e, "O1").recall()).isNaN();
        assertThat(stats(e, "O1").label()).isEqualTo("O1: Hate, Humiliation, Harassment");
    }

    @Test
    void invalidSamplesAreCountedApartAndLeftOutOfTheMetrics() {
        EvalResults e = EvalResults.compute(results(), POLICY);
        assertThat(e.invalid()).hasSize(2).allMatch(r -> "corrupt".equals(r.error()));
        assertThat(e.invalidRate()).isCloseTo(2.0 / 13, within(1e-12));
        assertThat(e.allSamples().total() + e.invalid().size())
                .isEqualTo(e.results().size());
    }

    @Test
    void jsonWritesUndefinedMetricsAsNull() {
        EvalResults e = EvalResults.compute(results(), POLICY);
        JsonNode json = EvalJson.toJson(e, run());
        assertThat(json.at("/default_policy/confusion/tp").asInt()).isEqualTo(2);
        assertThat(json.at("/default_policy/balanced_accuracy").asDouble()).isEqualTo(0.625);
        assertThat(json.at("/per/value").asDouble()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(json.at("/per/n").asInt()).isEqualTo(3);
        assertThat(json.at("/category_accuracy/hits").asInt()).isEqualTo(7);
        assertThat(json.at("/invalid/count").asInt()).isEqualTo(2);
        JsonNode o1 = json.get("per_category").get(0);
        assertThat(o1.get("id").asText()).isEqualTo("O1");
        assertThat(o1.get("recall").isNull()).isTrue();
        assertThat(o1.get("balanced_accuracy").isNull()).isTrue();
        assertThat(json.get("results")).hasSize(13);
        assertThat(json.get("results").get(12).get("correct").isNull()).isTrue();
        assertThat(json.get("results").get(0).get("correct").asBoolean()).isTrue();
    }

    @Test
    void textSaysNaForUndefinedMetrics() {
        List<SampleResult> onlySafe = List.of(result(Rating.SAFE, "NA", null, Rating.SAFE, "NA"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EvalText.print(EvalResults.compute(onlySafe, POLICY), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains(
                        "recall            n/a",
                        "balanced accuracy n/a",
                        "specificity       100.00%",
                        "PER:               n/a (0 samples)");
        assertThat(text).doesNotContain("NaN");
    }

    @Test
    void htmlShowsTheSameFigures() {
        EvalResults e = EvalResults.compute(results(), POLICY);
        Document doc = Jsoup.parse(EvalHtmlRenderer.render(e, run()));
        assertThat(doc.getElementById("summary-samples").text()).isEqualTo("13");
        assertThat(doc.getElementById("summary-invalid").text()).isEqualTo("2");
        assertThat(doc.getElementById("summary-per").text()).isEqualTo("66.67% (2/3)");
        assertThat(doc.selectFirst("tr[data-metric=balanced_accuracy]")
                        .select("td")
                        .eachText())
                .containsExactly(
                        "Balanced accuracy",
                        "62.50%",
                        EvalMetrics.percent(EvalMetrics.of(e.allSamples()).balancedAccuracy()));
        assertThat(doc.selectFirst("tr[data-category=O1]").text()).contains("n/a");
        assertThat(doc.select("tr.result-row")).hasSize(13);
        assertThat(doc.select("tr.invalid-row")).hasSize(2);
        assertThat(doc.select("svg.chart")).hasSize(1);
        assertThat(doc.select("script")).isEmpty();
    }

    private static CategoryStats stats(EvalResults e, String id) {
        return e.perCategory().stream()
                .filter(c -> c.id().equals(id))
                .findFirst()
                .orElseThrow();
    }

    private static EvalRunInfo run() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new EvalRunInfo(
                "labels.csv",
                t,
                t.plusSeconds(1),
                POLICY.name(),
                POLICY.fingerprint(),
                POLICY.render(),
                "m.gguf",
                "p.gguf",
                "tiny",
                Map.of("architecture", "qwen2"),
                true,
                Map.of("Parallel", "1"));
    }
}
