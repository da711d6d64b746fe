package io.safetyguard.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.cli.GuardCli;
import io.safetyguard.cli.audit.VerdictRecord;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark audit end to end on a local cluster with two executor JVMs, on the tiny random-weight
 * model: every image exactly once, duplicates judged once, corrupt files and a bomb as error rows,
 * the same verdicts as {@code guard audit}, a killed executor, resume, and a model that cannot load.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkAuditIT {

    /** Judging partitions: the judge stage is the only one with this many tasks (the test's shuffles have 4). */
    private static final int JUDGE_PARTITIONS = 6;

    @TempDir
    static Path dir;

    private SparkSession spark;
    private TinyModelPair pair;
    private TestImages images;
    private Map<String, Row> reference;

    @BeforeAll
    void setUp() throws IOException {
        spark = SparkTestCluster.start(2);
        pair = TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir.resolve("model"));
        images = TestImages.write(dir.resolve("images"), 100, 20, 42);
    }

    @AfterAll
    void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
    }

    private GuardJob job() {
        return GuardJob.builder()
                .model(pair.model().toString(), pair.mmproj().toString())
                .threads(1)
                .greedy(true)
                .verdictOnly(true)
                .maxNewTokens(120)
                .partitions(JUDGE_PARTITIONS)
                .build();
    }

    private List<String> mainArgs(Path out) {
        return new ArrayList<>(List.of(
                "--model",
                pair.model().toString(),
                "--mmproj",
                pair.mmproj().toString(),
                "--threads",
                "1",
                "--greedy",
                "--verdict-only",
                "--max-new-tokens",
                "120",
                "--partitions",
                Integer.toString(JUDGE_PARTITIONS),
                "--out",
                out.toString()));
    }

    @Test
    @Order(1)
    void everyImageOnceDuplicatesJudgedOnceSameVerdictsAsGuardAudit() throws IOException {
        Path out = dir.resolve("audit-api");
        Dataset<Row> input = spark.read()
                .format("binaryFile")
                .option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "*.{png,jpg}")
                .load(images.dir().toString());

        long started = System.nanoTime();
        SparkAuditResult result = GuardSpark.audit(input, job(), out.toString(), false, 1);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "spark audit: %d images, %d judged in %.1f s on 2 executors%n",
                result.images(), result.judged(), seconds);

        Map<String, Row> rows = readByName(out);
        reference = rows;
        assertThat(result.images()).isEqualTo(images.all().size());
        assertThat(rows).hasSize(images.all().size());
        // the unique images, the two corrupt files and the bomb: the copies are not judged again
        assertThat(result.judged())
                .isEqualTo(images.unique().size() + images.corrupt().size() + 1);
        assertThat(result.errors()).isEqualTo(images.corrupt().size() + 1);
        for (Path p : images.unique()) {
            Row r = rows.get(name(p));
            assertThat(r.<String>getAs("error")).as(p.toString()).isNull();
            assertThat(r.<String>getAs("rating")).isIn("Safe", "Unsafe");
            assertThat(r.<String>getAs("model_id")).isEqualTo(result.modelId());
            assertThat(r.<String>getAs("policy")).isEqualTo(job().policyColumn());
        }
        for (int i = 0; i < images.duplicates().size(); i++) {
            Row copy = rows.get(name(images.duplicates().get(i)));
            Row original =
                    rows.get(name(images.unique().get((i * 7) % images.unique().size())));
            assertThat(verdictOf(copy)).isEqualTo(verdictOf(original));
            assertThat(copy.<Double>getAs("ms")).isEqualTo(original.<Double>getAs("ms"));
        }
        for (Path p : images.corrupt()) {
            assertThat(rows.get(name(p)).<String>getAs("error"))
                    .as(p.toString())
                    .isNotNull();
            assertThat(rows.get(name(p)).<String>getAs("rating")).isNull();
        }
        assertThat(rows.get(name(images.bomb())).<String>getAs("error")).containsIgnoringCase("pixels");

        // guard audit on the same folder, in this JVM: the same verdicts, field by field
        Path cliOut = dir.resolve("guard-audit");
        int code = GuardCli.run(
                "audit",
                "--model",
                pair.model().toString(),
                "--mmproj",
                pair.mmproj().toString(),
                "--threads",
                "1",
                "--greedy",
                "--verdict-only",
                "--max-new-tokens",
                "120",
                "--quiet",
                "--out",
                cliOut.toString(),
                images.dir().toString());
        assertThat(code).isZero();
        Map<String, VerdictRecord> cli = new HashMap<>();
        for (String line : Files.readAllLines(cliOut.resolve("verdicts.jsonl"), StandardCharsets.UTF_8)) {
            VerdictRecord r = VerdictRecord.parse(line);
            cli.put(images.dir().relativize(Path.of(r.path())).toString(), r);
        }
        assertThat(cli.keySet()).isEqualTo(rows.keySet());
        rows.forEach((name, row) -> {
            VerdictRecord r = cli.get(name);
            assertThat(verdictOf(row))
                    .as(name)
                    .isEqualTo(List.of(
                            Objects.toString(r.digest()),
                            Objects.toString(r.rating()),
                            Objects.toString(r.category()),
                            Objects.toString(r.rationale()),
                            Objects.toString(r.pUnsafe()),
                            Objects.toString(r.modelRating()),
                            Objects.toString(r.generatedTokens())));
            assertThat(row.<String>getAs("error") != null).as(name).isEqualTo(r.isError());
        });

        // the familiar report from the job's JSON lines, without a model
        Path report = dir.resolve("report");
        assertThat(GuardCli.run(
                        "audit",
                        "--report-only",
                        "--from",
                        out.resolve(GuardSpark.JSONL_DIR).toString(),
                        "--out",
                        report.toString(),
                        "--quiet"))
                .isZero();
        assertThat(Files.readAllLines(report.resolve("verdicts.jsonl")))
                .hasSize(images.all().size());
        assertThat(report.resolve("report.html")).isNotEmptyFile();
    }

    @Test
    @Order(2)
    void aKilledExecutorLosesAndDoublesNothing() throws IOException {
        Path out = dir.resolve("audit-killed");
        AtomicBoolean killed = new AtomicBoolean();
        Set<Integer> judgeStages = java.util.concurrent.ConcurrentHashMap.newKeySet();
        SparkListener killer = new SparkListener() {
            @Override
            public void onStageSubmitted(SparkListenerStageSubmitted s) {
                if (s.stageInfo().numTasks() == JUDGE_PARTITIONS) {
                    judgeStages.add(s.stageInfo().stageId());
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (judgeStages.contains(e.stageId())
                        && e.taskInfo().successful()
                        && killed.compareAndSet(false, true)) {
                    // kill -9 an executor JVM while the other judge tasks run
                    SparkTestCluster.executorProcesses().stream().findFirst().ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        };
        spark.sparkContext().addSparkListener(killer);
        try {
            List<String> args = mainArgs(out);
            args.add(pathList("kill", subset()).toString());
            assertThat(GuardSparkMain.run(args.toArray(String[]::new))).isZero();
        } finally {
            spark.sparkContext().removeSparkListener(killer);
        }
        assertThat(killed).as("an executor was killed during judging").isTrue();
        assertSameVerdicts(readByName(out), subset());
    }

    @Test
    @Order(3)
    void resumeJudgesOnlyTheMissingImages() throws IOException {
        Path out = dir.resolve("audit-resumed");
        List<Path> all = subset();
        List<String> firstHalf =
                all.subList(0, all.size() / 2).stream().map(Path::toString).toList();
        Dataset<Row> paths = spark.createDataset(firstHalf, Encoders.STRING()).toDF("path");
        SparkAuditResult first = GuardSpark.audit(paths, job(), out.toString(), false, 1);
        assertThat(first.images()).isEqualTo(firstHalf.size());
        Set<String> judgedBefore = readByName(out).values().stream()
                .filter(r -> r.getAs("error") == null)
                .map(r -> r.<String>getAs("digest"))
                .collect(Collectors.toSet());

        assertThatThrownBy(() -> GuardSpark.audit(paths, job(), out.toString(), false, 1))
                .isInstanceOf(GuardSparkException.class)
                .hasMessageContaining("--resume");
        Dataset<Row> list =
                GuardSparkMain.images(spark, List.of(pathList("resume", all).toString()));
        SparkAuditResult second = GuardSpark.audit(list, job(), out.toString(), true, 3);

        Map<String, Row> rows = readByName(out);
        Set<String> missing = new HashSet<>();
        for (Path p : all.subList(all.size() / 2, all.size())) {
            String digest = rows.get(name(p)).getAs("digest");
            if (digest != null && !judgedBefore.contains(digest)) {
                missing.add(digest);
            }
        }
        assertThat(second.newRows()).isEqualTo(all.size() - firstHalf.size());
        assertThat(second.judged()).isEqualTo(missing.size());
        assertSameVerdicts(rows, all);
    }

    @Test
    @Order(4)
    void aModelThatCannotLoadFailsTheJobAtOnceWithItsMessage() throws IOException {
        Path broken = dir.resolve("broken.gguf");
        Files.write(broken, "GGUF but not really".getBytes(StandardCharsets.US_ASCII));
        GuardJob job = GuardJob.builder()
                .model(broken.toString(), pair.mmproj().toString())
                .threads(1)
                .build();
        Path out = dir.resolve("audit-broken");
        long started = System.nanoTime();
        assertThatThrownBy(() -> GuardSpark.audit(
                        GuardSparkMain.images(spark, List.of(images.dir().toString())), job, out.toString(), false, 1))
                .isInstanceOf(GuardSparkException.class)
                .hasMessageContaining("did not load")
                .hasMessageContaining("broken.gguf");
        assertThat((System.nanoTime() - started) / 1e9)
                .as("seconds until the job failed")
                .isLessThan(60);
        assertThat(out.resolve(GuardSpark.PARQUET_DIR)).doesNotExist();
    }

    /**
     * A smaller set for the fault tests (the tiny model judges about one image per second per core): 30
     * originals, 5 copies of them, the corrupt files and the bomb, as a path list.
     */
    private List<Path> subset() {
        List<Path> subset = new ArrayList<>(images.unique().subList(0, 30));
        subset.addAll(images.duplicates().subList(0, 5));
        subset.addAll(images.corrupt());
        subset.add(images.bomb());
        return subset;
    }

    private Path pathList(String name, List<Path> paths) throws IOException {
        Path list = dir.resolve(name + ".txt");
        Files.write(list, paths.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
        return list;
    }

    /** The verdict columns that depend on the image only: what a copy shares with its original. */
    private static List<String> verdictOf(Row r) {
        return List.of(
                Objects.toString(r.getAs("digest")),
                Objects.toString(r.getAs("rating")),
                Objects.toString(r.getAs("category")),
                Objects.toString(r.getAs("rationale")),
                Objects.toString(r.getAs("p_unsafe")),
                Objects.toString(r.getAs("model_rating")),
                Objects.toString(r.getAs("generated_tokens")));
    }

    private void assertSameVerdicts(Map<String, Row> rows, List<Path> expected) {
        assertThat(reference).as("the first test's output").isNotNull();
        assertThat(rows.keySet()).isEqualTo(expected.stream().map(this::name).collect(Collectors.toSet()));
        rows.forEach((name, row) -> assertThat(verdictOf(row)).as(name).isEqualTo(verdictOf(reference.get(name))));
    }

    /** The output rows by path relative to the image folder; fails when a path occurs twice. */
    private Map<String, Row> readByName(Path out) {
        List<Row> list = spark.read()
                .parquet(out.resolve(GuardSpark.PARQUET_DIR).toString())
                .collectAsList();
        Map<String, Row> byName = new HashMap<>();
        for (Row r : list) {
            String path = r.getAs("path");
            String name = images.dir()
                    .toUri()
                    .relativize(java.net.URI.create(path.replace("file:/", "file:///")))
                    .toString();
            assertThat(byName.put(name, r)).as("a second row for " + path).isNull();
        }
        return byName;
    }

    private String name(Path p) {
        return images.dir().relativize(p).toString();
    }
}
