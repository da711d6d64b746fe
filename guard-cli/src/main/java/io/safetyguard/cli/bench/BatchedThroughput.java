package io.safetyguard.cli.bench;

import java.util.OptionalDouble;

/**
 * Throughput with batched decoding: {@code sequences} images decoded together in one context
 * ({@code LlamaCppConfig.sequences}), all threads on that context; 1 is the one-at-a-time baseline.
 *
 * @param sequences     sequences in the context (1: one context, one image at a time)
 * @param verdictOnly   whether the answers stop after the category (else the full rationale)
 * @param images        images in the timed batch
 * @param wallMillis    wall time of {@code assessAll} over the batch
 * @param decodeShare   the decode steps' share of the context's busy time (batched only)
 * @param prefillShare  the prompt chunks' share (batched only)
 * @param meanPerStep   tokens per decode step on average (batched only)
 */
public record BatchedThroughput(
        int sequences,
        boolean verdictOnly,
        int images,
        double wallMillis,
        OptionalDouble decodeShare,
        OptionalDouble prefillShare,
        OptionalDouble meanPerStep) {

    public double imagesPerSecond() {
        return wallMillis > 0 ? images * 1000.0 / wallMillis : 0;
    }
}
