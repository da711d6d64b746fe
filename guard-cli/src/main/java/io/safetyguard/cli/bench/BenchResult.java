package io.safetyguard.cli.bench;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Everything one benchmark run measured, raw; {@link BenchSummary} derives the medians and ratios.
 *
 * @param environment      machine, software and settings, for the report header
 * @param modelLoadMillis  SafetyGuard's model load (LlamaCppModel.open), for reference
 * @param policyTextTokens tokens of the prompt around the image (layout + policy), SafetyGuard's tokenizer
 * @param reference        llama-mtmd-cli invocations, in run order (empty with --no-reference)
 * @param full             SafetyGuard full-rationale assessments, in run order
 * @param verdictOnly      SafetyGuard verdict-only assessments, in run order
 * @param cacheHits        cache-hit cost per image
 * @param throughput       batch throughput per pool size
 * @param jvmPeakRssKib    this JVM's peak RSS after the single-context runs
 * @param batched          throughput with batched decoding per number of sequences (full and verdict-only)
 */
public record BenchResult(
        Map<String, String> environment,
        double modelLoadMillis,
        int policyTextTokens,
        List<MtmdCliRun> reference,
        List<GuardRun> full,
        List<GuardRun> verdictOnly,
        List<CacheHit> cacheHits,
        List<Throughput> throughput,
        OptionalLong jvmPeakRssKib,
        List<BatchedThroughput> batched) {

    /** A result without batched-decoding measurements. */
    public BenchResult(
            Map<String, String> environment,
            double modelLoadMillis,
            int policyTextTokens,
            List<MtmdCliRun> reference,
            List<GuardRun> full,
            List<GuardRun> verdictOnly,
            List<CacheHit> cacheHits,
            List<Throughput> throughput,
            OptionalLong jvmPeakRssKib) {
        this(
                environment,
                modelLoadMillis,
                policyTextTokens,
                reference,
                full,
                verdictOnly,
                cacheHits,
                throughput,
                jvmPeakRssKib,
                List.of());
    }

    public BenchResult {
        batched = List.copyOf(batched);
        environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
        reference = List.copyOf(reference);
        full = List.copyOf(full);
        verdictOnly = List.copyOf(verdictOnly);
        cacheHits = List.copyOf(cacheHits);
        throughput = List.copyOf(throughput);
    }
}
