package io.safetyguard.spark;

import io.safetyguard.policy.Policy;
import io.safetyguard.policy.PolicyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code spark-submit} entry point: {@code guard audit}'s flags, run as a Spark job.
 *
 * <pre>
 * spark-submit --class io.safetyguard.spark.GuardSparkMain guard-spark-job.jar \
 *     --model /models/m.gguf --mmproj /models/mmproj.gguf --out hdfs:///audits/a1 hdfs:///images
 * </pre>
 */
@Command(
        name = "guard-spark",
        mixinStandardHelpOptions = true,
        description = {
            "Audit image folders or path lists on a Spark cluster: OUT/verdicts.parquet (one row per image,",
            "the fields of guard audit's verdicts.jsonl) and OUT/verdicts-jsonl (the same as JSON lines;",
            "guard audit --report-only --from OUT/verdicts-jsonl renders report.html).",
            "",
            "SOURCE: a folder or glob (local, hdfs://, s3a://; read recursively; files ending .png .jpg",
            "  .jpeg .jpe .gif .bmp .webp), or a .txt/.lst/.list file with one path or URI per line."
        })
public final class GuardSparkMain implements Callable<Integer> {

    static final List<String> IMAGE_SUFFIXES = List.of(".png", ".jpg", ".jpeg", ".jpe", ".gif", ".bmp", ".webp");

    @Option(
            names = "--model",
            paramLabel = "FILE.gguf",
            description = "The text model (GGUF) each executor loads: a path all executors see, a Hadoop URI, "
                    + "or a name shipped with --files.")
    String model;

    @Option(names = "--mmproj", paramLabel = "FILE.gguf", description = "Its vision projector, found the same way.")
    String mmproj;

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            description = "An OpenAI-compatible server (SGLang, vLLM, llama-server) instead of --model/--mmproj; "
                    + "repeat for several. Executors are its clients.")
    List<String> endpoints = new ArrayList<>();

    @Option(
            names = "--api-key-file",
            paramLabel = "FILE",
            description = "File with the servers' API key "
                    + "(default: the SAFETYGUARD_API_KEY environment variable of the driver).")
    Path apiKeyFile;

    @Option(
            names = "--endpoint-concurrency",
            paramLabel = "N",
            defaultValue = "4",
            description = "Requests in flight per server from each executor. Default: ${DEFAULT-VALUE}.")
    int endpointConcurrency;

    @Option(
            names = "--request-timeout",
            paramLabel = "SECONDS",
            defaultValue = "120",
            description = "Limit for one request to a server. Default: ${DEFAULT-VALUE}.")
    int requestTimeout;

    @Option(names = "--server-model", paramLabel = "NAME", description = "The model name to ask the servers for.")
    String serverModel;

    static final class PolicySource {
        @Option(names = "--preset", paramLabel = "NAME", description = "A built-in policy (default llavaguard-v1.2).")
        String preset;

        @Option(
                names = "--policy",
                paramLabel = "FILE",
                description = "A policy file (.json, .yaml or .yml) on the driver.")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    PolicySource policySource;

    @Option(names = "--allow", paramLabel = "ID", description = "Declare a category non-violating. Repeatable.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--sensitive", paramLabel = "ID", description = "Declare a category sensitive. Repeatable.")
    List<String> sensitive = new ArrayList<>();

    @Option(names = "--greedy", description = "Deterministic decoding.")
    boolean greedy;

    @Option(names = "--verdict-only", description = "Stop after the category: no rationale.")
    boolean verdictOnly;

    @Option(
            names = "--max-new-tokens",
            paramLabel = "N",
            defaultValue = "500",
            description = "Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--seed", paramLabel = "N", description = "Sampling seed.")
    Long seed;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description = "Give up on one image after this many seconds (an error row); 0 = no limit.")
    long timeoutSeconds;

    @Option(names = "--unsafe-threshold", paramLabel = "P", description = "Rate Unsafe iff P(Unsafe) >= P.")
    Double unsafeThreshold;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "llama.cpp threads per executor; 0 = all cores (set it to spark.executor.cores).")
    int threads;

    @Option(names = "--gpu-layers", paramLabel = "N", defaultValue = "-1", description = "Layers on the GPU; -1 = all.")
    int gpuLayers;

    @Option(names = "--ctx-size", paramLabel = "N", defaultValue = "0", description = "Context size; 0 = automatic.")
    int contextSize;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "1",
            description = "llama.cpp contexts per executor. Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(
            names = "--in-flight",
            paramLabel = "N",
            defaultValue = "0",
            description = "Images in flight per executor; 0 = twice what the model takes at once.")
    int inFlight;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "0",
            description = "Partitions of unique images to judge; 0 = spark.sql.shuffle.partitions.")
    int partitions;

    @Option(
            names = "--slices",
            paramLabel = "N",
            defaultValue = "1",
            description = "Commit the output in N slices: a killed job keeps the finished ones for --resume. "
                    + "Default: ${DEFAULT-VALUE}.")
    int slices;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Output folder (local, hdfs://, s3a://).")
    String out;

    @Option(names = "--resume", description = "Continue the audit in DIR: skip paths already in it.")
    boolean resume;

    @Parameters(paramLabel = "SOURCE", arity = "1..*", description = "Folders, globs or path lists.")
    List<String> sources = new ArrayList<>();

    public static void main(String[] args) {
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs with {@code args} and returns the exit code (0: audited; 1: failed; 2: bad options). */
    public static int run(String[] args) {
        return new CommandLine(new GuardSparkMain())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("guard-spark: error: " + e.getMessage());
                    return e instanceof IllegalArgumentException ? 2 : 1;
                })
                .execute(args);
    }

    @Override
    public Integer call() throws IOException {
        GuardJob job = job();
        SparkSession spark = SparkSession.builder().appName("SafetyGuard audit").getOrCreate();
        Dataset<Row> images = images(spark, sources);
        SparkAuditResult r = GuardSpark.audit(images, job, out, resume, slices);
        System.out.printf(
                Locale.ROOT,
                "images:   %d in %s (%d added by this run, %d judged by the model)%n"
                        + "verdicts: %d Safe, %d Unsafe, %d errors%n"
                        + "model:    %s%n",
                r.images(),
                out,
                r.newRows(),
                r.judged(),
                r.safe(),
                r.unsafe(),
                r.errors(),
                r.modelId());
        return 0;
    }

    GuardJob job() throws IOException {
        GuardJob.Builder b = GuardJob.builder()
                .policy(policy())
                .greedy(greedy)
                .verdictOnly(verdictOnly)
                .maxNewTokens(maxNewTokens)
                .timeoutSeconds(timeoutSeconds)
                .threads(threads)
                .gpuLayers(gpuLayers)
                .contextSize(contextSize)
                .parallel(parallel)
                .inFlight(inFlight)
                .partitions(partitions);
        if (!endpoints.isEmpty()) {
            b.endpoints(endpoints)
                    .endpointConcurrency(endpointConcurrency)
                    .requestTimeoutSeconds(requestTimeout)
                    .serverModel(serverModel)
                    .apiKey(
                            apiKeyFile != null
                                    ? Files.readString(apiKeyFile, StandardCharsets.UTF_8)
                                            .strip()
                                    : System.getenv("SAFETYGUARD_API_KEY"));
        }
        if (model != null || mmproj != null) {
            if (model == null || mmproj == null) {
                throw new IllegalArgumentException("give both --model and --mmproj");
            }
            b.model(model, mmproj);
        }
        if (seed != null) {
            b.seed(seed);
        }
        if (unsafeThreshold != null) {
            b.unsafeThreshold(unsafeThreshold);
        }
        return b.build();
    }

    private Policy policy() {
        Policy base = policySource != null && policySource.file != null
                ? PolicyFiles.load(policySource.file)
                : policySource != null && policySource.preset != null
                        ? Policy.preset(policySource.preset)
                        : Policy.llavaGuardDefault();
        if (allow.isEmpty() && sensitive.isEmpty()) {
            return base;
        }
        Policy.Builder builder = base.toBuilder();
        allow.forEach(builder::allow);
        sensitive.forEach(builder::sensitive);
        return builder.build();
    }

    /** The images of the sources: folders through Spark's binaryFile lister, lists as paths. */
    static Dataset<Row> images(SparkSession spark, List<String> sources) {
        Dataset<Row> all = null;
        for (String source : sources) {
            String lower = source.toLowerCase(Locale.ROOT);
            Dataset<Row> part;
            if (lower.endsWith(".txt") || lower.endsWith(".lst") || lower.endsWith(".list")) {
                part = spark.read()
                        .text(source)
                        .selectExpr("trim(value) as path")
                        .where("path <> '' and not startswith(path, '#')");
            } else {
                // only the listing: the content column is pruned, executors read the files themselves
                part = spark.read()
                        .format("binaryFile")
                        .option("recursiveFileLookup", "true")
                        .load(source)
                        .select("path")
                        .where(suffixFilter());
            }
            all = all == null ? part : all.union(part);
        }
        return all;
    }

    private static String suffixFilter() {
        StringBuilder sb = new StringBuilder();
        for (String s : IMAGE_SUFFIXES) {
            sb.append(sb.length() == 0 ? "" : " or ")
                    .append("endswith(lower(path), '")
                    .append(s)
                    .append("')");
        }
        return sb.toString();
    }
}
