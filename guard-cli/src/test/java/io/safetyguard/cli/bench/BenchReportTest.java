package io.safetyguard.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static MtmdCliRun ref(double wall, double work, String text) {
        MtmdCliTimings t = new MtmdCliTimings(
                OptionalDouble.of(500),
                40,
                OptionalDouble.of(100),
                830,
                OptionalDouble.of(60),
                30,
                OptionalDouble.of(work),
                729);
        return new MtmdCliRun("a.png", wall, t, text, OptionalLong.of(2048 * 1024));
    }

    private static GuardRun run(GuardRun.Mode mode, double total, int generated, String text) {
        // encode 40 + prefill 100 + decode (total - 150): 10 ms outside llama.cpp
        return new GuardRun(
                "a.png", mode, total, 40, 100, total - 150, total - 150 - 0.2 * generated, 830, generated, text, null);
    }

    private static BenchResult result() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("cpu", "Test CPU");
        env.put("cores", "2");
        return new BenchResult(
                env,
                1234,
                101,
                List.of(
                        ref(1500, 400, "{\"rating\":\"Safe\"}"),
                        ref(1700, 500, "{\"rating\":\"Safe\"}"),
                        ref(1600, 600, "other")),
                List.of(
                        run(GuardRun.Mode.FULL, 350, 30, "{\"rating\":\"Safe\"}\n"),
                        run(GuardRun.Mode.FULL, 450, 30, "{\"rating\":\"Safe\"}"),
                        run(GuardRun.Mode.FULL, 400, 30, "{\"rating\":\"Unsafe\"}")),
                List.of(run(GuardRun.Mode.VERDICT_ONLY, 200, 12, "{}"), run(GuardRun.Mode.VERDICT_ONLY, 210, 12, "{}")),
                List.of(new CacheHit("a.png", 2 * 1024 * 1024, 1000, 800)),
                List.of(new Throughput(1, 2, 8, 8000, 7200, 500_000), new Throughput(2, 1, 8, 5000, 9000, 600_000)),
                OptionalLong.of(400 * 1024));
    }

    @Test
    void summaryComputesMediansRatiosAndSavings() {
        BenchSummary s = new BenchSummary(result());

        assertThat(s.referenceInvocationMillis()).hasValue(1600);
        assertThat(s.referenceImageMillis()).hasValue(500);
        assertThat(s.referenceModelMillis()).hasValue(160); // prompt eval 100 (encode 40 inside) + eval 60
        assertThat(s.referencePrefillMillis()).hasValue(60); // prompt eval without the encode
        assertThat(s.referenceGenerationMillisPerToken()).hasValue((500 - 100) / 30.0);
        assertThat(s.totalMillis(result().full())).hasValue(400);
        assertThat(s.ratioToReference(result().full())).hasValue(0.8);
        assertThat(s.ratioToReference(result().verdictOnly())).hasValue(0.41);
        assertThat(s.decodeTokensSaved()).hasValue(18);
        assertThat(s.overheadMillis(result().full())).hasValue(10);
        assertThat(s.overheadShare(result().full()).getAsDouble()).isCloseTo(10.0 / 400, within(1e-9));
        assertThat(s.imageTokens(result().full())).hasValue(830 - 101);
        assertThat(s.identicalAnswers()).isEqualTo(2); // trailing whitespace does not count
        assertThat(s.answersIdenticalBeforeRatingValue()).isEqualTo(2); // "other" has no rating key
        assertThat(s.sameRatings()).isEqualTo(2);
        assertThat(s.speedup(2)).hasValue(1.6);
        assertThat(s.referencePeakRssKib()).hasValue(2048 * 1024);
        assertThat(result().cacheHits().get(0).hitMicrosPerMib()).isEqualTo(500);
        assertThat(result().cacheHits().get(0).hashShare()).isEqualTo(0.8);
    }

    @Test
    void textReportHasEveryRowAndTheTargets() {
        String text = BenchReport.text(new BenchSummary(result()));
        assertThat(text)
                .contains(
                        "cpu:",
                        "Test CPU",
                        "llama-mtmd-cli, per invocation",
                        "1600.0",
                        "llama-mtmd-cli, excluding model load",
                        "500.0",
                        "SafetyGuard, full rationale",
                        "400.0",
                        "SafetyGuard, verdict-only",
                        "205.0",
                        "SafetyGuard, cached (a.png)",
                        "full rationale / mtmd-cli without load:  0.80x",
                        "verdict-only / mtmd-cli without load:    0.41x",
                        "identical answers (full rationale vs mtmd-cli, greedy): 2 of 3",
                        "verdict-only saves 18 decode tokens",
                        "2048 MiB",
                        "400 MiB",
                        "1.60x",
                        "0.90"); // cores used at parallelism 1: 7200 ms CPU in 8000 ms
    }

    @Test
    void perTokenTimeOutsideTheForwardPassIsTheGenerationTimeLessTheForwardTimePerToken() {
        BenchSummary s = new BenchSummary(result());
        // each run spends 0.2 ms per generated token outside llama_decode (see run())
        assertThat(s.millisPerTokenOutsideForward(s.result().full()).getAsDouble())
                .isCloseTo(0.2, within(1e-9));
        assertThat(BenchReport.text(s))
                .contains("generation ms per token outside llama_decode (sampling, grammar, Java loop): full 0.200 ms");
        GuardRun unknown = new GuardRun("a.png", GuardRun.Mode.FULL, 100, 1, 1, 50, -1, 830, 10, "{}", null);
        assertThat(unknown.millisPerTokenOutsideForward()).isNaN();
    }

    @Test
    void answersAreComparedWholeUpToTheRatingValueAndByRating() {
        // 1: identical; 2: mtmd-cli took a quote+letter token and wrote another rationale (parts after the quote);
        // 3: parts after the quote with another rating; 4: parts before the rating value.
        BenchResult r = result();
        String ref =
                "{\n    \"rating\": \"Safe\",\n    \"category\": \"NA: None applying\",\n    \"rationale\": \"a\"\n}";
        List<MtmdCliRun> refs = List.of(ref(1, 1, ref), ref(1, 1, ref), ref(1, 1, ref), ref(1, 1, ref));
        List<GuardRun> full = List.of(
                run(GuardRun.Mode.FULL, 400, 30, ref + "\n"),
                run(GuardRun.Mode.FULL, 400, 30, ref.replace("\"a\"", "\"b\"")),
                run(GuardRun.Mode.FULL, 400, 30, ref.replace("Safe", "Unsafe")),
                run(GuardRun.Mode.FULL, 400, 30, ref.replace("{\n    ", "{ ")));
        BenchSummary s = new BenchSummary(new BenchResult(
                r.environment(), 1, 1, refs, full, r.verdictOnly(), List.of(), List.of(), r.jvmPeakRssKib()));

        assertThat(s.comparedAnswers()).isEqualTo(4);
        assertThat(s.identicalAnswers()).isEqualTo(1);
        assertThat(s.answersIdenticalBeforeRatingValue()).isEqualTo(3);
        assertThat(s.sameRatings()).isEqualTo(3);
        assertThat(BenchReport.text(s))
                .contains(
                        "identical answers (full rationale vs mtmd-cli, greedy): 1 of 4",
                        "identical up to the rating value: 3 of 4; same rating: 3 of 4");
        assertThat(BenchSummary.rating("{\"rating\" :\"Unsafe\"")).hasValue("Unsafe");
        assertThat(BenchSummary.rating("{\"rating\": \"Sa")).isEmpty();
    }

    @Test
    void withoutReferenceTheReportSaysNothingAboutIt() {
        BenchResult r = result();
        BenchResult alone = new BenchResult(
                r.environment(),
                r.modelLoadMillis(),
                r.policyTextTokens(),
                List.of(),
                r.full(),
                r.verdictOnly(),
                r.cacheHits(),
                List.of(),
                r.jvmPeakRssKib());
        String text = BenchReport.text(new BenchSummary(alone));
        assertThat(text)
                .doesNotContain("llama-mtmd-cli, per invocation", "identical answers", "batch throughput")
                .contains("SafetyGuard, full rationale", "peak RSS: llama-mtmd-cli n/a");
    }

    @Test
    void jsonHoldsTheSummaryAndEveryRawRun() throws Exception {
        JsonNode json = new ObjectMapper().readTree(BenchReport.json(new BenchSummary(result())));
        assertThat(json.at("/environment/cpu").asText()).isEqualTo("Test CPU");
        assertThat(json.at("/summary/mtmdCli/perImageMillisExcludingLoad").asDouble())
                .isEqualTo(500);
        assertThat(json.at("/summary/fullOverReference").asDouble()).isEqualTo(0.8);
        assertThat(json.at("/summary/full/totalMillis").asDouble()).isEqualTo(400);
        assertThat(json.at("/summary/decodeTokensSaved").asDouble()).isEqualTo(18);
        assertThat(json.at("/summary/identicalAnswers").asInt()).isEqualTo(2);
        assertThat(json.at("/summary/answersIdenticalBeforeRatingValue").asInt())
                .isEqualTo(2);
        assertThat(json.at("/summary/sameRatings").asInt()).isEqualTo(2);
        assertThat(json.at("/summary/speedup/1/overSequential").asDouble()).isEqualTo(1.6);
        assertThat(json.at("/runs/mtmdCli")).hasSize(3);
        assertThat(json.at("/runs/mtmdCli/0/workMillis").asDouble()).isEqualTo(400);
        assertThat(json.at("/runs/full")).hasSize(3);
        assertThat(json.at("/runs/verdictOnly/0/generatedTokens").asInt()).isEqualTo(12);
        assertThat(json.at("/runs/cacheHits/0/hitMicrosPerMib").asDouble()).isEqualTo(500);
        assertThat(json.at("/runs/throughput/1/imagesPerSecond").asDouble()).isEqualTo(1.6);
        assertThat(json.at("/runs/throughput/1/coresUsed").asDouble()).isEqualTo(1.8);
    }

    @Test
    void batchedDecodingRowsShowSpeedupOverOneSequenceAndTheShares() throws Exception {
        BenchResult base = result();
        BenchResult r = new BenchResult(
                base.environment(),
                base.modelLoadMillis(),
                base.policyTextTokens(),
                base.reference(),
                base.full(),
                base.verdictOnly(),
                base.cacheHits(),
                base.throughput(),
                base.jvmPeakRssKib(),
                List.of(
                        new BatchedThroughput(
                                1,
                                false,
                                4,
                                8000,
                                OptionalDouble.empty(),
                                OptionalDouble.empty(),
                                OptionalDouble.empty()),
                        new BatchedThroughput(
                                4,
                                false,
                                8,
                                6400,
                                OptionalDouble.of(0.6),
                                OptionalDouble.of(0.4),
                                OptionalDouble.of(3.5))));
        String text = BenchReport.text(new BenchSummary(r));
        assertThat(text).contains("batched decoding");
        assertThat(text).containsPattern("4 +full +8 +6400 +1\\.250 +2\\.50x +60\\.0% +40\\.0% +3\\.50");
        assertThat(text).containsPattern("1 +full +4 +8000 +0\\.500 +1\\.00x +n/a +n/a +n/a");
        JsonNode json = new ObjectMapper().readTree(BenchReport.json(new BenchSummary(r)));
        assertThat(json.at("/summary/batched/1/decodeShare").asDouble()).isEqualTo(0.6);
        assertThat(json.at("/summary/batched/1/imagesPerSecond").asDouble()).isEqualTo(1.25);
    }
}
