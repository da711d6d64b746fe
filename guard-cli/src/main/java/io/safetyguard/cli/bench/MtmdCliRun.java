package io.safetyguard.cli.bench;

import java.util.OptionalLong;

/**
 * One llama-mtmd-cli invocation on one image.
 *
 * @param image          the image's file name
 * @param wallMillis     the whole invocation: process start, model load, the image, exit
 * @param timings        what its log says
 * @param text           the generated answer (its stdout, trimmed)
 * @param peakRssKib     the process's peak RSS, sampled from /proc while it ran
 */
public record MtmdCliRun(
        String image, double wallMillis, MtmdCliTimings timings, String text, OptionalLong peakRssKib) {}
