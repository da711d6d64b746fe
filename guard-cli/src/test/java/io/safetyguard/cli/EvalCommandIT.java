package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guard eval} end to end on the tiny model. Its verdicts are random, so the test checks that
 * the figures are consistent with the per-sample results, not that they are good.
 */
class EvalCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static TinyModel tiny;
    static CliRun run;
    static JsonNode eval;

    @BeforeAll
    static void evaluateOnce() throws IOException {
        tiny = TinyModel.writeTo(dir.resolve("model"));
        Path images = Files.createDirectories(dir.resolve("set/images"));
        Files.copy(AuditCommandIT.sample("landscape.png"), images.resolve("landscape.png"));
        Files.copy(AuditCommandIT.sample("cup.jpg"), images.resolve("cup.jpg"));
        Files.write(images.resolve("corrupt.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2});
        Path labels = Files.writeString(dir.resolve("set/labels.csv"), """
                image,rating,category,exception
                images/landscape.png,Safe,NA,
                images/cup.jpg,Unsafe,O6,
                images/cup.jpg,Safe,O6,O6
                images/corrupt.png,Unsafe,O3,
                """);
        List<String> args = tiny.args("eval");
        args.addAll(List.of(
                "--labels", labels.toString(), "--out", dir.resolve("out").toString(), "--target-precision", "0.8"));
        run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        eval = JSON.readTree(dir.resolve("out/eval.json").toFile());
    }

    @Test
    void printsThePapersMetrics() {
        assertThat(run.stdoutText())
                .contains(
                        "samples: 4 (1 with a policy exception), 1 invalid (25.00%)",
                        "Default policy: 2 samples",
                        "balanced accuracy",
                        "recall",
                        "specificity",
                        "precision",
                        "F1",
                        "accuracy",
                        "Category accuracy:",
                        "PER:",
                        "line 5",
                        "corrupt.png",
                        "eval.json");
        assertThat(run.stdoutText()).doesNotContain("NaN");
    }

    @Test
    void countsAndConfusionMatricesAddUp() {
        assertThat(eval.get("samples").asInt()).isEqualTo(4);
        assertThat(eval.get("exception_samples").asInt()).isEqualTo(1);
        assertThat(eval.get("valid").asInt()).isEqualTo(3);
        assertThat(eval.at("/invalid/count").asInt()).isEqualTo(1);
        assertThat(eval.at("/invalid/samples/0/line").asInt()).isEqualTo(5);
        assertThat(total(eval.at("/default_policy/confusion")))
                .isEqualTo(2)
                .isEqualTo(eval.at("/default_policy/n").asInt());
        assertThat(total(eval.at("/all_samples/confusion"))).isEqualTo(3);
        assertThat(eval.at("/per/n").asInt()).isEqualTo(1);
        assertThat(eval.at("/category_accuracy/n").asInt()).isEqualTo(3);
        assertThat(eval.get("per_category")).hasSize(10);
        assertThat(eval.get("results")).hasSize(4);
    }

    @Test
    void metricsAgreeWithTheSampleResults() {
        JsonNode results = eval.get("results");
        // Default policy: rows 1 (expected Safe) and 2 (expected Unsafe)
        boolean row1Unsafe = "Unsafe".equals(results.get(0).get("rating").asText());
        boolean row2Unsafe = "Unsafe".equals(results.get(1).get("rating").asText());
        JsonNode c = eval.at("/default_policy/confusion");
        assertThat(c.get("tp").asInt()).isEqualTo(row2Unsafe ? 1 : 0);
        assertThat(c.get("fn").asInt()).isEqualTo(row2Unsafe ? 0 : 1);
        assertThat(c.get("fp").asInt()).isEqualTo(row1Unsafe ? 1 : 0);
        assertThat(c.get("tn").asInt()).isEqualTo(row1Unsafe ? 0 : 1);
        double recall = row2Unsafe ? 1 : 0;
        double specificity = row1Unsafe ? 0 : 1;
        assertThat(eval.at("/default_policy/recall").asDouble()).isEqualTo(recall);
        assertThat(eval.at("/default_policy/specificity").asDouble()).isEqualTo(specificity);
        assertThat(eval.at("/default_policy/balanced_accuracy").asDouble())
                .isCloseTo((recall + specificity) / 2, within(1e-12));
        // precision is undefined (null) exactly when nothing was predicted Unsafe
        assertThat(eval.at("/default_policy/precision").isNull()).isEqualTo(!row1Unsafe && !row2Unsafe);
        // PER: the exception row rated Safe or not
        boolean exceptionSafe = "Safe".equals(results.get(2).get("rating").asText());
        assertThat(eval.at("/per/hits").asInt()).isEqualTo(exceptionSafe ? 1 : 0);
        // the only O6 sample under the default policy is Unsafe: recall defined, balanced accuracy not
        JsonNode o6 = eval.get("per_category").get(5);
        assertThat(o6.get("id").asText()).isEqualTo("O6");
        assertThat(o6.get("recall").asDouble()).isEqualTo(recall);
        assertThat(o6.get("balanced_accuracy").isNull()).isTrue();
        assertThat(eval.get("per_category").get(0).get("recall").isNull()).isTrue(); // no O1 sample
        assertThat(results.get(3).get("correct").isNull()).isTrue();
        assertThat(results.get(3).get("error").asText()).contains("corrupt.png");
    }

    @Test
    void theThresholdSweepAgreesWithEachSamplesPUnsafe() {
        JsonNode results = eval.get("results");
        double pSafe = results.get(0).get("p_unsafe").asDouble(-1); // row 1, expected Safe
        double pUnsafe = results.get(1).get("p_unsafe").asDouble(-1); // row 2, expected Unsafe
        assertThat(pSafe).isBetween(0.0, 1.0);
        assertThat(pUnsafe).isBetween(0.0, 1.0);
        assertThat(results.get(3).get("p_unsafe").isNull()).as("invalid sample").isTrue();
        JsonNode sweep = eval.get("threshold_sweep");
        assertThat(sweep.get("n").asInt()).isEqualTo(2);
        assertThat(sweep.get("roc_auc").asDouble()).isEqualTo(pUnsafe > pSafe ? 1.0 : pUnsafe == pSafe ? 0.5 : 0.0);
        assertThat(sweep.get("points")).hasSize(19);
        for (JsonNode point : sweep.get("points")) {
            double t = point.get("threshold").asDouble();
            assertThat(point.at("/confusion/tp").asInt()).as("t=%s", t).isEqualTo(pUnsafe >= t ? 1 : 0);
            assertThat(point.at("/confusion/fp").asInt()).as("t=%s", t).isEqualTo(pSafe >= t ? 1 : 0);
        }
        assertThat(run.stdoutText()).contains("Threshold sweep", "ROC-AUC");
    }

    @Test
    void exceptionSamplesAreJudgedUnderThePolicyWithTheirCategoryAllowed() {
        Policy base = Policy.llavaGuardDefault();
        JsonNode results = eval.get("results");
        assertThat(results.get(0).get("policy").asText()).isEqualTo(base.fingerprint());
        assertThat(results.get(2).get("exception").asText()).isEqualTo("O6");
        assertThat(results.get(2).get("policy").asText())
                .isEqualTo(base.toBuilder().allow("O6").build().fingerprint());
    }

    @Test
    void htmlReportParsesAndMatchesTheJson() throws IOException {
        String html = Files.readString(dir.resolve("out/eval.html"));
        Document doc = Jsoup.parse(html);
        assertThat(doc.getElementById("summary-samples").text()).isEqualTo("4");
        assertThat(doc.getElementById("summary-invalid").text()).isEqualTo("1");
        assertThat(doc.select("tr.result-row")).hasSize(4);
        assertThat(doc.select("tr.invalid-row")).hasSize(1);
        assertThat(doc.select("tr[data-category]")).hasSize(10);
        assertThat(doc.select("tr[data-threshold]")).hasSize(19);
        assertThat(doc.select("tr[data-category-threshold]")).hasSize(9);
        assertThat(doc.getElementById("thresholds")).isNotNull();
        assertThat(doc.select("script, link, [href], [src]")).isEmpty();
        assertThat(html).doesNotContainIgnoringCase("http:").doesNotContainIgnoringCase("https:");
    }

    @Test
    void theCategorySweepHasOneEntryPerCategoryAndTheTargetsAsked() {
        JsonNode cs = eval.get("category_sweep");
        assertThat(cs.get("target_precision").asDouble()).isEqualTo(0.8);
        assertThat(cs.get("target_recall").asDouble()).isEqualTo(0.95);
        assertThat(cs.get("categories")).hasSize(9);
        JsonNode o6 = cs.get("categories").get(5);
        assertThat(o6.get("id").asText()).isEqualTo("O6");
        // cup.jpg is the one default-policy O6 sample with a verdict; it counts unless the distribution is unknown
        assertThat(o6.get("positives").asInt()
                        + o6.get("without_category_probabilities").asInt())
                .isEqualTo(1);
        assertThat(run.stdoutText()).contains("Category sweep");
    }

    @Test
    void aBadLabelsFileIsBadInputBeforeLoadingTheModel() throws IOException {
        Path labels = Files.writeString(dir.resolve("bad.csv"), "image,rating\nx.png,Maybe\n");
        List<String> args = tiny.args("eval");
        args.addAll(List.of("--labels", labels.toString()));
        CliRun bad = CliRun.of(args.toArray(String[]::new));
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.stderr()).contains("bad.csv line 2", "Maybe").doesNotContain("RANDOM-WEIGHT");
    }

    private static int total(JsonNode confusion) {
        return confusion.get("tp").asInt()
                + confusion.get("fp").asInt()
                + confusion.get("tn").asInt()
                + confusion.get("fn").asInt();
    }
}
