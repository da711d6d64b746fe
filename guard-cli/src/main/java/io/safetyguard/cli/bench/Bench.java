package io.safetyguard.cli.bench;

import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.BatchStatistics;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Runs the benchmark: llama-mtmd-cli and SafetyGuard on the same model, images, prompt, grammar and greedy settings,
 * alternating run by run so that slow drift of a shared machine hits both alike; then cache hits and batch
 * throughput.
 */
public final class Bench {
    private final BenchOptions options;
    private final Optional<Path> mtmdCli;
    private final PrintStream progress;

    /**
     * @param mtmdCli  the reference binary, or empty to benchmark SafetyGuard alone
     * @param progress where one line per step goes (stderr in the CLI)
     */
    public Bench(BenchOptions options, Optional<Path> mtmdCli, PrintStream progress) {
        this.options = options;
        this.mtmdCli = mtmdCli;
        this.progress = progress;
    }

    public BenchResult run() throws IOException, InterruptedException, ModelException {
        for (Path image : options.images()) {
            if (!Files.isRegularFile(image)) {
                throw new BenchException(image + ": no such image file");
            }
        }
        Path work = Files.createTempDirectory("guard-bench-");
        try {
            return runIn(work);
        } finally {
            deleteQuietly(work);
        }
    }

    private BenchResult runIn(Path work) throws IOException, InterruptedException, ModelException {
        List<MtmdCliRun> reference = new ArrayList<>();
        List<GuardRun> full = new ArrayList<>();
        List<GuardRun> verdictOnly = new ArrayList<>();
        List<CacheHit> cache = new ArrayList<>();
        Map<String, String> env;
        double loadMillis;
        int textTokens;
        OptionalLong jvmPeak;

        long t0 = System.nanoTime();
        LlamaCppConfig config = options.modelConfig(1);
        try (LlamaCppModel model = LlamaCppModel.open(config)) {
            loadMillis = (System.nanoTime() - t0) / 1e6;
            textTokens = model.promptTextTokens(options.policy().render());
            env = environment(model);
            Optional<MtmdCliRunner> ref = mtmdCli.map(cli -> referenceRunner(cli, model, work));
            progress.printf(
                    "guard bench: model loaded in %.0f ms; %d image(s) x %d round(s)%s%n",
                    loadMillis,
                    options.images().size(),
                    options.rounds(),
                    ref.isPresent() ? ", alternating with llama-mtmd-cli" : "");
            try (GuardRunner fullRunner = new GuardRunner(
                            model, options.policy(), options.generation(false), GuardRun.Mode.FULL, options.grammar());
                    GuardRunner verdictRunner = new GuardRunner(
                            model, options.policy(), options.generation(true), GuardRun.Mode.VERDICT_ONLY, true)) {
                // one untimed pass so that first-call costs (class loading, JIT, page faults) are not measured
                if (options.warmup()) {
                    fullRunner.run(options.images().get(0));
                }
                for (int round = 1; round <= options.rounds(); round++) {
                    for (Path image : options.images()) {
                        if (ref.isPresent()) {
                            MtmdCliRun r = ref.get().run(image);
                            reference.add(r);
                            progress.printf(
                                    "  round %d %s: llama-mtmd-cli %.0f ms (%.0f ms without load)%n",
                                    round,
                                    image.getFileName(),
                                    r.wallMillis(),
                                    r.timings().workMillis().orElse(Double.NaN));
                        }
                        GuardRun f = fullRunner.run(image);
                        full.add(f);
                        progress.printf(
                                "  round %d %s: SafetyGuard full %.0f ms (%d tokens)%n",
                                round, image.getFileName(), f.totalMillis(), f.generatedTokens());
                        // verdict-only stops by the grammar; without it there is nothing to compare
                        if (options.grammar()) {
                            GuardRun v = verdictRunner.run(image);
                            verdictOnly.add(v);
                            progress.printf(
                                    "  round %d %s: SafetyGuard verdict-only %.0f ms (%d tokens)%n",
                                    round, image.getFileName(), v.totalMillis(), v.generatedTokens());
                        }
                    }
                }
            }
            jvmPeak = ProcStatus.selfPeakRssKib();
            CacheProbe probe = new CacheProbe(model, options.policy(), options.cacheRepeats());
            for (Path image : options.cacheRepeats() > 0 ? options.images() : List.<Path>of()) {
                probe.measure(
                                image,
                                why -> progress.println(
                                        "  cache hit not measured for " + image.getFileName() + ": " + why))
                        .ifPresent(cache::add);
            }
            progress.printf("  cache hits measured on %d image(s)%n", cache.size());
        }
        List<Throughput> throughput = new ArrayList<>();
        for (int p : options.parallelLevels()) {
            throughput.add(throughput(p));
        }
        List<BatchedThroughput> batched = new ArrayList<>();
        for (int n : options.batchLevels()) {
            batched.add(batched(n, false));
            if (options.grammar()) {
                batched.add(batched(n, true));
            }
        }
        env.put("load average", env.get("load average") + " at the start, " + loadAverage() + " at the end");
        return new BenchResult(
                env, loadMillis, textTokens, reference, full, verdictOnly, cache, throughput, jvmPeak, batched);
    }

    private MtmdCliRunner referenceRunner(Path cli, LlamaCppModel model, Path work) {
        try {
            Path prompt = PromptFiles.writePrompt(model.promptLayout(), options.policy(), work.resolve("prompt.txt"));
            Path grammar = options.grammar()
                    ? PromptFiles.writeGrammar(options.policy(), false, work.resolve("verdict.gbnf"))
                    : null;
            LlamaCppConfig c = model.config();
            ReferenceSetup setup = new ReferenceSetup(
                    cli,
                    options.model(),
                    options.mmproj(),
                    prompt,
                    grammar,
                    c.threads(),
                    c.gpuLayers(),
                    model.contextSize(),
                    c.batchSize(),
                    c.ubatchSize(),
                    options.maxNewTokens());
            return new MtmdCliRunner(setup, work, options.referenceTimeoutSeconds() * 1000);
        } catch (IOException e) {
            throw new BenchException(
                    "cannot write the prompt and grammar files for llama-mtmd-cli in " + work + ": " + e, e);
        }
    }

    /** The bench images repeated in order: every round of them, and at least {@code atLeast} entries. */
    private List<ImageInput> repeatedImages(int atLeast) {
        int count = Math.max(atLeast, options.images().size() * options.rounds());
        List<ImageInput> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(
                    ImageInput.ofPath(options.images().get(i % options.images().size())));
        }
        return batch;
    }

    /** A guard over {@code model} (not owned) with the bench's policy, no cache and {@code parallelism}. */
    private SafetyGuard uncachedGuard(LlamaCppModel model, boolean verdictOnly, int parallelism) {
        return SafetyGuard.builder()
                .model(model)
                .ownsModel(false)
                .policy(options.policy())
                .generationOptions(options.generation(verdictOnly))
                .cache(CacheConfig.disabled())
                .parallelism(parallelism)
                .build();
    }

    /** Full-rationale batch throughput with a pool of {@code p} contexts; the batch repeats the images. */
    private Throughput throughput(int p) throws ModelException {
        LlamaCppConfig config = options.modelConfig(p);
        List<ImageInput> batch = repeatedImages(2 * p);
        int count = batch.size();
        try (LlamaCppModel model = LlamaCppModel.open(config);
                SafetyGuard guard = uncachedGuard(model, false, p)) {
            guard.assessAll(batch.subList(0, Math.min(p, batch.size()))); // warm every context once, untimed
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            guard.assessAll(batch);
            double wall = (System.nanoTime() - t0) / 1e6;
            long cpu1 = processCpuNanos();
            double cpu = cpu0 < 0 || cpu1 < 0 ? -1 : (cpu1 - cpu0) / 1e6;
            Throughput t = new Throughput(
                    p,
                    config.threads(),
                    count,
                    wall,
                    cpu,
                    ProcStatus.selfPeakRssKib().orElse(-1));
            progress.printf(
                    "  parallelism %d (%d thread(s) each): %d images in %.0f ms = %.2f images/s, %.2f cores used%n",
                    p, config.threads(), count, wall, t.imagesPerSecond(), t.coresUsed());
            return t;
        }
    }

    /**
     * Throughput with {@code n} images decoded together in one context (1: one at a time), {@code n} images in
     * flight; the batch repeats the images.
     */
    private BatchedThroughput batched(int n, boolean verdictOnly) throws ModelException {
        LlamaCppConfig config = options.batchedConfig(n);
        List<ImageInput> batch = repeatedImages(2 * n);
        int count = batch.size();
        try (LlamaCppModel model = LlamaCppModel.open(config);
                SafetyGuard guard = uncachedGuard(model, verdictOnly, n)) {
            long t0 = System.nanoTime();
            guard.assessAll(batch);
            double wall = (System.nanoTime() - t0) / 1e6;
            Optional<BatchStatistics> stats = model.batchStatistics();
            BatchedThroughput t = new BatchedThroughput(
                    n,
                    verdictOnly,
                    count,
                    wall,
                    stats.map(x -> OptionalDouble.of(x.decodeShare())).orElse(OptionalDouble.empty()),
                    stats.map(x -> OptionalDouble.of(1 - x.decodeShare())).orElse(OptionalDouble.empty()),
                    stats.map(x -> OptionalDouble.of(x.meanSequencesPerStep())).orElse(OptionalDouble.empty()));
            progress.printf(
                    "  batch %d (%s): %d images in %.0f ms = %.3f images/s%s%n",
                    n,
                    verdictOnly ? "verdict-only" : "full",
                    count,
                    wall,
                    t.imagesPerSecond(),
                    stats.map(x -> String.format(
                                    Locale.ROOT,
                                    ", decode %.0f%% / prefill %.0f%% of the context's time, %.2f tokens per step%s",
                                    100 * x.decodeShare(),
                                    100 * (1 - x.decodeShare()),
                                    x.meanSequencesPerStep(),
                                    x.turnsTaken()
                                            ? String.format(
                                                    Locale.ROOT,
                                                    ", encoder and context took turns (%.0f ms waiting)",
                                                    x.turnWaitMillis())
                                            : ", encoder and context overlapped"))
                            .orElse(""));
            return t;
        }
    }

    private Map<String, String> environment(LlamaCppModel model) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("date", Instant.now().toString());
        env.put("cpu", cpuModel());
        env.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("load average", loadAverage()); // other work on the machine skews every number
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        Map<String, String> meta = model.info().metadata();
        env.put("llama.cpp", meta.getOrDefault("llama.cpp.commit", "unknown"));
        env.put("native backend", meta.getOrDefault("native.backend", "unknown"));
        env.put("CPU variant", meta.getOrDefault("native.cpuVariant", "unknown"));
        env.put(
                "model",
                options.model().getFileName() + " + " + options.mmproj().getFileName());
        env.put("prompt layout", model.promptLayout().name());
        env.put("threads", Integer.toString(model.config().threads()));
        env.put("context size", Integer.toString(model.contextSize()));
        env.put(
                "batch / ubatch",
                model.config().batchSize() + " / " + model.config().ubatchSize());
        env.put("max new tokens", Integer.toString(options.maxNewTokens()));
        env.put(
                "grammar",
                options.grammar()
                        ? "verdict grammar (GBNF), both sides"
                        : "none (compute-only comparison; answers are not verdicts)");
        env.put("images", Integer.toString(options.images().size()));
        env.put("rounds", Integer.toString(options.rounds()));
        env.put("llama-mtmd-cli", mtmdCli.map(Path::toString).orElse("not run (--no-reference)"));
        return env;
    }

    /** CPU time of this JVM (all threads) in nanoseconds, or -1 where the JVM does not report it. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    /** The 1-, 5- and 15-minute load averages from /proc/loadavg, or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
