package io.safetyguard.cli.bench;

import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.llamacpp.ImagePipeline;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.policy.Policy;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What to benchmark and how.
 *
 * @param model            text model GGUF
 * @param mmproj           projector GGUF
 * @param images           the images, each assessed {@code rounds} times per mode
 * @param rounds           alternating rounds (llama-mtmd-cli, SafetyGuard full, SafetyGuard verdict-only) per image
 * @param threads          CPU threads in total; a pool of p contexts gives each threads/p (at least 1)
 * @param gpuLayers        layers to offload (-1 all, 0 none)
 * @param contextSize      context size, 0 = SafetyGuard's automatic choice (mtmd-cli gets the same number)
 * @param maxNewTokens     cap on generated tokens, both sides
 * @param parallelLevels   pool sizes for the throughput test; empty skips it
 * @param batchLevels      numbers of sequences for the batched-decoding test (1 is its baseline); empty skips it
 * @param cacheRepeats     cache hits timed per image; 0 skips the cache test (it costs one more model run per image)
 * @param policy           the policy prompt and grammar, both sides
 * @param referenceTimeoutSeconds how long one mtmd-cli invocation may take
 * @param warmup           run the first image once, untimed, before measuring (first-call costs: JIT, page faults)
 * @param grammar          constrain answers with the verdict grammar (both sides); off gives a compute-only
 *                         comparison for random-weight models, whose near-random argmax the grammar keeps rejecting
 * @param imagePipeline    SafetyGuard's image path: REFERENCE (more image tokens for large images than llama-mtmd-cli)
 *                         or LLAMA_CPP (libmtmd's, the same tokens as llama-mtmd-cli: the like-for-like comparison)
 * @param encoderOverlap   batched test: whether image encodes and the batched context run at once or take turns
 */
public record BenchOptions(
        Path model,
        Path mmproj,
        List<Path> images,
        int rounds,
        int threads,
        int gpuLayers,
        int contextSize,
        int maxNewTokens,
        List<Integer> parallelLevels,
        List<Integer> batchLevels,
        int cacheRepeats,
        Policy policy,
        long referenceTimeoutSeconds,
        boolean warmup,
        boolean grammar,
        ImagePipeline imagePipeline,
        LlamaCppConfig.EncoderOverlap encoderOverlap) {

    public BenchOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(mmproj, "mmproj");
        images = List.copyOf(images);
        parallelLevels = List.copyOf(parallelLevels);
        batchLevels = List.copyOf(batchLevels);
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(imagePipeline, "imagePipeline");
        Objects.requireNonNull(encoderOverlap, "encoderOverlap");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to benchmark");
        }
        if (rounds < 1 || threads < 1 || maxNewTokens < 1 || referenceTimeoutSeconds < 1) {
            throw new IllegalArgumentException(
                    "--n, --threads, --max-new-tokens and --reference-timeout must be at least 1");
        }
        if (cacheRepeats < 0) {
            throw new IllegalArgumentException("--cache-repeats must be 0 (skip) or more");
        }
        for (int p : parallelLevels) {
            if (p < 1 || p > 64) {
                throw new IllegalArgumentException("parallel levels must be 1..64, got " + p);
            }
        }
        for (int n : batchLevels) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("batch levels must be 1..64, got " + n);
            }
        }
    }

    /**
     * The llama.cpp configuration for batched decoding of {@code sequences} images in one context, all threads on
     * it (1: one context, one image at a time, the baseline). Always the reference image pipeline, the only one
     * batched decoding supports, for the baseline too.
     */
    public LlamaCppConfig batchedConfig(int sequences) {
        return LlamaCppConfig.builder(model, mmproj)
                .threads(threads)
                .gpuLayers(gpuLayers)
                .contextSize(contextSize)
                .sequences(sequences)
                .imagePipeline(ImagePipeline.REFERENCE)
                .encoderOverlap(encoderOverlap)
                .build();
    }

    /** Greedy decoding, as both sides run it, with or without the rationale. */
    public GenerationOptions generation(boolean verdictOnly) {
        return GenerationOptions.DEFAULT
                .withGreedy(true)
                .withVerdictOnly(verdictOnly)
                .withMaxNewTokens(maxNewTokens);
    }

    /** Threads per context for a pool of {@code parallelism} contexts. */
    public int threadsPerContext(int parallelism) {
        return Math.max(1, threads / parallelism);
    }

    /**
     * The llama.cpp configuration for a pool of {@code parallelism} contexts. Every backend setting the benchmark
     * varies or passes through is set here, and only here.
     */
    public LlamaCppConfig modelConfig(int parallelism) {
        LlamaCppConfig.Builder b = LlamaCppConfig.builder(model, mmproj)
                .threads(threadsPerContext(parallelism))
                .gpuLayers(gpuLayers)
                .contextSize(contextSize)
                .parallelContexts(parallelism)
                .imagePipeline(imagePipeline);
        return b.build();
    }
}
