package io.safetyguard.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pmod;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * Audits image datasets on Spark: one row per image with the verdict columns of
 * {@link VerdictColumns#schema()}, the same fields as {@code guard audit}'s {@code verdicts.jsonl}.
 *
 * <p>Input: Spark's {@code binaryFile} source ({@code spark.read().format("binaryFile").load(dir)})
 * or any DataFrame with a string column {@code path} (paths or URIs the executors read through
 * Hadoop's FileSystem: local, HDFS, S3A). Identical images (same SHA-256) are judged once per job
 * and every path gets the verdict. The model is loaded once per executor JVM ({@link GuardJob}),
 * or the executors send images to servers.
 *
 * <pre>{@code
 * GuardJob job = GuardJob.builder().model("/models/llavaguard.gguf", "/models/mmproj.gguf").greedy(true).build();
 * Dataset<Row> verdicts = GuardSpark.assess(spark.read().format("binaryFile").load("s3a://bucket/images"), job);
 * }</pre>
 */
public final class GuardSpark {

    /** The Parquet dataset under an audit's output folder. */
    public static final String PARQUET_DIR = "verdicts.parquet";
    /** The same rows as JSON lines ({@code part-*.json}), for {@code guard audit --report-only --from}. */
    public static final String JSONL_DIR = "verdicts-jsonl";

    private GuardSpark() {}

    /**
     * The verdicts for {@code images}, one row per input row. Loads the model on one executor first:
     * a model that cannot load fails here, with its message. The rest is lazy (Spark's usual way):
     * judging happens when the result is written or collected, and again for each action, so
     * write it once ({@link #audit}) or persist it.
     *
     * @throws GuardSparkException when the model does not load or {@code images} has no {@code path} column
     */
    public static Dataset<Row> assess(Dataset<Row> images, GuardJob job) {
        SparkSession spark = images.sparkSession();
        HadoopFiles files = HadoopFiles.of(spark.sparkContext().hadoopConfiguration());
        String modelId = modelId(spark, job, files);
        Dataset<Row> digests = digests(images, files);
        return verdicts(digests, null, job, files, modelId, null);
    }

    /**
     * Audits {@code images} into {@code out}: {@code out/verdicts.parquet} (the rows of
     * {@link #assess}) and {@code out/verdicts-jsonl} (the same rows as {@code guard audit}'s JSON
     * lines). With {@code resume}, paths already in the output under the same policy and model are
     * skipped, and images whose digest was judged before are not judged again. The unique images
     * are written in {@code slices} commits: a job killed midway keeps the slices it finished, and
     * {@code resume} continues from there.
     */
    public static SparkAuditResult audit(Dataset<Row> images, GuardJob job, String out, boolean resume, int slices) {
        if (slices < 1) {
            throw new IllegalArgumentException("slices must be at least 1, got " + slices);
        }
        SparkSession spark = images.sparkSession();
        HadoopFiles files = HadoopFiles.of(spark.sparkContext().hadoopConfiguration());
        String parquet = new Path(out, PARQUET_DIR).toString();
        boolean exists = exists(parquet, files);
        if (exists && !resume) {
            throw new GuardSparkException(parquet + " already holds verdicts: add --resume to continue that audit, "
                    + "or give another --out");
        }
        String modelId = modelId(spark, job, files);
        Dataset<Row> existing = exists
                ? spark.read()
                        .schema(VerdictColumns.schema())
                        .parquet(parquet)
                        .where(col(VerdictColumns.POLICY)
                                .equalTo(job.policyColumn())
                                .and(col(VerdictColumns.MODEL_ID).equalTo(modelId)))
                : null;
        Dataset<Row> digests = digests(images, files).persist(StorageLevel.MEMORY_AND_DISK());
        LongAccumulator judged = spark.sparkContext().longAccumulator("safetyguard images judged");
        long before = exists ? spark.read().parquet(parquet).count() : 0;
        try {
            for (int slice = 0; slice < slices; slice++) {
                Dataset<Row> part = slices == 1 ? digests : slice(digests, slice, slices);
                Dataset<Row> rows = verdicts(part, existing, job, files, modelId, judged);
                failFast(spark, "safetyguard audit slice " + (slice + 1) + "/" + slices, () -> {
                    rows.write().mode(SaveMode.Append).parquet(parquet);
                    return null;
                });
            }
        } finally {
            digests.unpersist();
        }
        Dataset<Row> all = spark.read().schema(VerdictColumns.schema()).parquet(parquet);
        all.write()
                .mode(SaveMode.Overwrite)
                .option("ignoreNullFields", false)
                .json(new Path(out, JSONL_DIR).toString());
        Row counts = all.selectExpr(
                        "count(*)",
                        "count_if(rating = 'Safe')",
                        "count_if(rating = 'Unsafe')",
                        "count_if(error is not null)")
                .first();
        return new SparkAuditResult(
                counts.getLong(0),
                counts.getLong(1),
                counts.getLong(2),
                counts.getLong(3),
                counts.getLong(0) - before,
                judged.value(),
                modelId);
    }

    /** The paths with their digests (or read errors); see {@link DigestPartition}. */
    static Dataset<Row> digests(Dataset<Row> images, HadoopFiles files) {
        List<String> names = Arrays.asList(images.columns());
        if (!names.contains(VerdictColumns.PATH)) {
            throw new GuardSparkException("the images need a string column \"path\" (Spark's binaryFile source "
                    + "has one); found columns " + names);
        }
        boolean content = names.contains("content");
        Dataset<Row> input = content
                ? images.select(col(VerdictColumns.PATH).cast("string"), col("content"))
                : images.select(col(VerdictColumns.PATH).cast("string"));
        return input.mapPartitions(new DigestPartition(files, content), Encoders.row(DigestPartition.SCHEMA));
    }

    /** The rows of slice {@code i} of {@code n}: split by digest, so an image and its duplicates stay together. */
    private static Dataset<Row> slice(Dataset<Row> digests, int i, int n) {
        Column bucket = pmod(hash(col(VerdictColumns.DIGEST)), lit(n));
        Column mine = bucket.equalTo(i);
        // unreadable files (no digest) are written with the first slice
        return digests.where(i == 0 ? mine.or(col(VerdictColumns.DIGEST).isNull()) : mine);
    }

    /**
     * The output rows for {@code digests}: readable paths joined with the verdict of their digest
     * (judged now, once per digest, or found in {@code existing}); unreadable paths as error rows.
     */
    private static Dataset<Row> verdicts(
            Dataset<Row> digests,
            Dataset<Row> existing,
            GuardJob job,
            HadoopFiles files,
            String modelId,
            LongAccumulator judged) {
        Dataset<Row> todo = digests;
        Dataset<Row> known = null;
        if (existing != null) {
            todo = todo.join(
                    existing.select(VerdictColumns.PATH),
                    todo.col(VerdictColumns.PATH).equalTo(existing.col(VerdictColumns.PATH)),
                    "left_anti");
            List<Column> verdictCols = new ArrayList<>();
            verdictCols.add(col(VerdictColumns.DIGEST));
            VerdictColumns.verdictNames().forEach(n -> verdictCols.add(col(n)));
            known = existing.where(col(VerdictColumns.ERROR)
                            .isNull()
                            .and(col(VerdictColumns.DIGEST).isNotNull()))
                    .select(verdictCols.toArray(Column[]::new))
                    .dropDuplicates(VerdictColumns.DIGEST);
        }
        Dataset<Row> readable = todo.where(col(VerdictColumns.DIGEST).isNotNull());
        Dataset<Row> unique = readable.groupBy(VerdictColumns.DIGEST)
                .agg(min(VerdictColumns.PATH).as(VerdictColumns.PATH));
        if (known != null) {
            unique = unique.join(
                    known.select(VerdictColumns.DIGEST),
                    unique.col(VerdictColumns.DIGEST).equalTo(known.col(VerdictColumns.DIGEST)),
                    "left_anti");
        }
        unique = job.partitions() > 0
                ? unique.repartition(job.partitions(), col(VerdictColumns.DIGEST))
                : unique.repartition(col(VerdictColumns.DIGEST));
        Dataset<Row> judgedRows = unique.select(VerdictColumns.DIGEST, VerdictColumns.PATH)
                .mapPartitions(new JudgePartition(job, files, judged), Encoders.row(VerdictColumns.judgedSchema()));
        Dataset<Row> byDigest = known == null ? judgedRows : judgedRows.unionByName(known);

        List<Column> out = new ArrayList<>();
        out.add(readable.col(VerdictColumns.PATH));
        out.add(readable.col(VerdictColumns.DIGEST));
        VerdictColumns.verdictNames().forEach(n -> out.add(byDigest.col(n)));
        // never broadcast the verdicts: building a broadcast has a timeout (spark.sql.broadcastTimeout), and
        // judging a partition takes as long as it takes; a sort-merge join has no such limit
        Dataset<Row> joined = readable.join(
                        byDigest.hint("merge"),
                        readable.col(VerdictColumns.DIGEST).equalTo(byDigest.col(VerdictColumns.DIGEST)),
                        "inner")
                .select(out.toArray(Column[]::new));
        Dataset<Row> unreadable = todo.where(col(VerdictColumns.DIGEST).isNull())
                .map(
                        (org.apache.spark.api.java.function.MapFunction<Row, Row>) r -> VerdictColumns.row(
                                r.getString(0),
                                null,
                                ImageOutcome.error(r.getString(2), job.policyFingerprint(), modelId)),
                        Encoders.row(VerdictColumns.schema()));
        return joined.unionByName(unreadable);
    }

    /** The model's identity, from one executor that loads it: fails at once when it does not load. */
    static String modelId(SparkSession spark, GuardJob job, HadoopFiles files) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return failFast(
                spark,
                "safetyguard: load the model",
                () -> jsc.parallelize(List.of(0), 1)
                        .map(x -> ExecutorGuards.get(job, files)
                                .guard()
                                .modelInfo()
                                .id())
                        .collect()
                        .get(0));
    }

    /**
     * Runs {@code action} in its own job group, cancelled at the first task whose model did not
     * load; that failure is then thrown as a {@link GuardSparkException} with the loader's message.
     */
    static <T> T failFast(SparkSession spark, String description, Supplier<T> action) {
        SparkContext sc = spark.sparkContext();
        String group = "safetyguard-" + UUID.randomUUID();
        String previousGroup = sc.getLocalProperty("spark.jobGroup.id");
        FailFastListener listener = new FailFastListener(sc, group);
        sc.addSparkListener(listener);
        sc.setJobGroup(group, description, true);
        try {
            return action.get();
        } catch (Exception e) { // Spark's own exceptions are checked ones Scala does not declare
            String failure = awaitFailure(listener);
            if (failure != null) {
                throw new GuardSparkException(failure, e);
            }
            throw e;
        } finally {
            sc.clearJobGroup();
            if (previousGroup != null) {
                sc.setLocalProperty("spark.jobGroup.id", previousGroup);
            }
            sc.removeSparkListener(listener);
        }
    }

    /** The listener bus delivers task ends asynchronously: give it a moment to report the cause. */
    private static String awaitFailure(FailFastListener listener) {
        for (int i = 0; i < 50 && listener.failure() == null; i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return listener.failure();
    }

    private static boolean exists(String path, HadoopFiles files) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(files.conf());
            return fs.exists(p);
        } catch (IOException e) {
            throw new GuardSparkException("cannot check the output " + path + ": " + e.getMessage(), e);
        }
    }
}
