package io.safetyguard.cli;

import io.safetyguard.cli.audit.ImageFiles;
import io.safetyguard.cli.bench.Bench;
import io.safetyguard.cli.bench.BenchException;
import io.safetyguard.cli.bench.BenchOptions;
import io.safetyguard.cli.bench.BenchReport;
import io.safetyguard.cli.bench.BenchSummary;
import io.safetyguard.cli.bench.LargeImageBench;
import io.safetyguard.cli.bench.MtmdCliLocator;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.ImagePipeline;
import io.safetyguard.llamacpp.LlamaCppConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code guard bench}: SafetyGuard against llama-mtmd-cli from the same pinned llama.cpp, side by side. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure per-image cost: llama-mtmd-cli (built from the same pinned llama.cpp) and SafetyGuard "
                + "on the same model, images, policy prompt, grammar and greedy decoding, alternating run by run; "
                + "then verdict-cache hits and batch throughput with 1/2/4 parallel contexts.")
final class BenchCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            required = true,
            paramLabel = "FILE.gguf",
            description = "The LlavaGuard text model (GGUF).")
    Path model;

    @Option(
            names = "--mmproj",
            required = true,
            paramLabel = "FILE.gguf",
            description = "Its vision projector (mmproj GGUF).")
    Path mmproj;

    @Option(
            names = "--images",
            paramLabel = "DIR",
            defaultValue = "samples",
            description = "Folder of images to time (its top level). Default: ${DEFAULT-VALUE}.")
    Path images;

    @Option(
            names = "--n",
            paramLabel = "N",
            defaultValue = "3",
            description = "Rounds over the images. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "CPU threads in total (default: all cores); a pool of p contexts gives each N/p.")
    Integer threads;

    @Option(
            names = "--gpu-layers",
            paramLabel = "N",
            defaultValue = "-1",
            description = "Layers to offload to the GPU; -1 = all (default), 0 = CPU only. Ignored by CPU builds.")
    int gpuLayers;

    @Option(
            names = "--ctx-size",
            paramLabel = "N",
            defaultValue = "0",
            description = "Context size in tokens, both sides (default 0: SafetyGuard's automatic size).")
    int contextSize;

    @Option(
            names = "--max-new-tokens",
            paramLabel = "N",
            defaultValue = "500",
            description = "Cap on generated tokens, both sides. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(
            names = "--parallel-levels",
            paramLabel = "P,...",
            split = ",",
            defaultValue = "1,2,4",
            description = "Context-pool sizes for the throughput test; 0 skips it. Default: ${DEFAULT-VALUE}.")
    List<Integer> parallelLevels = new ArrayList<>();

    @Option(
            names = "--batch-levels",
            paramLabel = "N,...",
            split = ",",
            defaultValue = "1,4",
            description = "Sequences for the batched-decoding test (N images decoded together in one context, full "
                    + "and verdict-only; 1 is its baseline); 0 skips it. Default: ${DEFAULT-VALUE}.")
    List<Integer> batchLevels = new ArrayList<>();

    @Option(
            names = "--cache-repeats",
            paramLabel = "N",
            defaultValue = "50",
            description =
                    "Cache hits timed per image; 0 skips the cache test (one more model run per image). Default: ${DEFAULT-VALUE}.")
    int cacheRepeats;

    @Option(
            names = "--mtmd-cli",
            paramLabel = "PATH",
            description = "Use this llama-mtmd-cli instead of finding or building it.")
    Path mtmdCli;

    @Option(names = "--no-reference", description = "Do not run llama-mtmd-cli; benchmark SafetyGuard alone.")
    boolean noReference;

    @Option(names = "--no-build", description = "Fail instead of building llama-mtmd-cli when it is missing.")
    boolean noBuild;

    @Option(
            names = "--reference-timeout",
            paramLabel = "SECONDS",
            defaultValue = "600",
            description = "Longest one llama-mtmd-cli run may take. Default: ${DEFAULT-VALUE}.")
    long referenceTimeoutSeconds;

    @Option(names = "--no-warmup", description = "Skip the untimed first run (saves one model run on a slow model).")
    boolean noWarmup;

    @Option(
            names = "--no-grammar",
            description =
                    "Generate without the verdict grammar on both sides: a compute-only "
                            + "comparison for random-weight models (their near-random top token is rejected by the grammar at almost "
                            + "every step, and each rejection costs a grammar pass over the whole vocabulary). Skips verdict-only.")
    boolean noGrammar;

    @Option(
            names = "--image-pipeline",
            paramLabel = "NAME",
            defaultValue = "LLAMA_CPP",
            description = "SafetyGuard's image path: LLAMA_CPP (default here: the same image tokens as llama-mtmd-cli, "
                    + "a like-for-like comparison) or REFERENCE (what guard check uses; more tokens for large images).")
    ImagePipeline imagePipeline;

    @Option(
            names = "--encoder-overlap",
            paramLabel = "MODE",
            defaultValue = "AUTO",
            description = "Batched test: AUTO (default: image encodes and the batched context take turns when both "
                    + "together need more threads than there are cores), OVERLAP or TAKE_TURNS.")
    LlamaCppConfig.EncoderOverlap encoderOverlap;

    @Option(
            names = "--large-image",
            paramLabel = "PIXELS",
            description = "Instead of the comparison: time one generated PIXELS x PIXELS image through the reference "
                    + "pipeline (what guard check runs), verdict-only, --n times; llama-mtmd-cli does not run.")
    Integer largeImage;

    @Option(
            names = "--levers",
            description = "With --large-image: also run it without the persistent thread pool and without flash "
                    + "attention, alternating round by round, and report each lever's share.")
    boolean levers;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every measurement as JSON.")
    Path json;

    @Mixin
    PolicyOptions policyOptions = new PolicyOptions();

    @Override
    public Integer call() throws IOException, InterruptedException {
        for (Path f : List.of(model, mmproj)) {
            if (!Files.isRegularFile(f)) {
                throw new BadInputException(f + ": no such file");
            }
        }
        List<Integer> levels = parallelLevels.stream().filter(p -> p != 0).toList();
        if (largeImage != null) {
            return largeImage(levels);
        }
        if (levers) {
            throw new BadInputException("--levers needs --large-image");
        }
        List<Path> files = imageFiles(images, !noReference);
        try {
            BenchOptions options = new BenchOptions(
                    model,
                    mmproj,
                    files,
                    rounds,
                    threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                    gpuLayers,
                    contextSize,
                    maxNewTokens,
                    levels,
                    batchLevels.stream().filter(n -> n != 0).toList(),
                    cacheRepeats,
                    policyOptions.resolve(),
                    referenceTimeoutSeconds,
                    !noWarmup,
                    !noGrammar,
                    imagePipeline,
                    encoderOverlap);
            Optional<Path> cli = Optional.empty();
            if (!noReference) {
                MtmdCliLocator locator = new MtmdCliLocator(System.err);
                cli = Optional.of(mtmdCli != null ? locator.explicit(mtmdCli) : locator.findOrBuild(!noBuild));
            }
            BenchSummary summary = new BenchSummary(new Bench(options, cli, System.err).run());
            System.out.println();
            System.out.print(BenchReport.text(summary));
            if (json != null) {
                Files.writeString(json, BenchReport.json(summary), StandardCharsets.UTF_8);
                System.err.println("guard bench: wrote " + json);
            }
            return ExitCodes.OK;
        } catch (BenchException e) {
            throw new BadInputException(e.getMessage(), e);
        } catch (ModelException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    private Integer largeImage(List<Integer> levels) throws IOException {
        if (json != null) {
            throw new BadInputException("--json is not available with --large-image (the report is the table)");
        }
        try {
            BenchOptions options = new BenchOptions(
                    model,
                    mmproj,
                    List.of(model), // the image is generated; the list only has to be non-empty
                    rounds,
                    threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                    gpuLayers,
                    contextSize,
                    maxNewTokens,
                    levels,
                    List.of(), // no batched-decoding levels: one image at a time
                    0,
                    policyOptions.resolve(),
                    referenceTimeoutSeconds,
                    false,
                    true,
                    ImagePipeline.REFERENCE,
                    LlamaCppConfig.EncoderOverlap.AUTO);
            LargeImageBench bench = new LargeImageBench(
                    options, largeImage, levers ? LargeImageBench.LEVERS : LargeImageBench.DEFAULT_ONLY, System.err);
            String report = LargeImageBench.report(bench.run(), largeImage, options);
            System.out.println();
            System.out.print(report);
            return ExitCodes.OK;
        } catch (IllegalArgumentException | BenchException e) {
            throw new BadInputException(e.getMessage(), e);
        } catch (ModelException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    /** The image files at the top of {@code dir}, sorted; WebP is left out when mtmd-cli (no WebP decoder) runs too. */
    static List<Path> imageFiles(Path dir, boolean withReference) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(
                    "--images " + dir + " is not a folder; pass a folder of PNG/JPEG/GIF/BMP images");
        }
        List<Path> out;
        try (Stream<Path> s = Files.list(dir)) {
            out = s.filter(Files::isRegularFile)
                    .filter(ImageFiles::hasImageExtension)
                    .filter(p -> !withReference
                            || !p.getFileName()
                                    .toString()
                                    .toLowerCase(Locale.ROOT)
                                    .endsWith(".webp"))
                    .sorted()
                    .toList();
        }
        if (out.isEmpty()) {
            throw new BadInputException(
                    "no images in " + dir + (withReference ? " (WebP is skipped: llama-mtmd-cli cannot read it)" : ""));
        }
        return out;
    }
}
