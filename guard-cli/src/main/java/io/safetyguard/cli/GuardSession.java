package io.safetyguard.cli;

import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.FailureMode;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.llamacpp.ImagePipeline;
import io.safetyguard.policy.Policy;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Loads the model and builds the guard for the commands that run it ({@code check}, {@code audit}, {@code eval}), with
 * the warnings a user needs: a random-weight test model, or a {@code --verdict-only} the backend
 * cannot honour.
 *
 * @param guard   owns the model: closing it frees both
 * @param options the generation options in effect (verdict-only dropped if unsupported)
 * @param unsafeThreshold the unsafe threshold in effect; empty for the model's own ratings
 * @param tiny    the model is a tiny random-weight test model
 */
record GuardSession(SafetyGuard guard, GenerationOptions options, OptionalDouble unsafeThreshold, boolean tiny)
        implements AutoCloseable {

    static GuardSession open(ModelOptions modelOptions, DecodingOptions decoding, Policy policy, PrintStream err) {
        // Failures become error lines (no rating) in the batch commands; fail-closed is the safe default.
        return open(modelOptions, decoding, policy, FailureMode.FAIL_CLOSED, err);
    }

    static GuardSession open(
            ModelOptions modelOptions,
            DecodingOptions decoding,
            Policy policy,
            FailureMode failureMode,
            PrintStream err) {
        return open(modelOptions, decoding, policy, failureMode, false, err);
    }

    /**
     * @param trustEmbedded take verdicts stamped in the images' metadata when they match (see
     *     {@link SafetyGuard.Builder#trustEmbeddedVerdicts})
     */
    static GuardSession open(
            ModelOptions modelOptions,
            DecodingOptions decoding,
            Policy policy,
            FailureMode failureMode,
            boolean trustEmbedded,
            PrintStream err) {
        GenerationOptions requested = decoding.toGenerationOptions();
        OptionalDouble threshold = decoding.toUnsafeThreshold();
        Map<String, Double> categoryThresholds = decoding.toCategoryThresholds(policy);
        boolean tiny = modelOptions.isTinyTestModel();
        if (tiny) {
            CliLogging.note(
                    err,
                    "guard: note: " + modelOptions.model.getFileName()
                            + " is a tiny RANDOM-WEIGHT test model: these verdicts are meaningless.");
        }
        if (modelOptions.parallel < 1) {
            throw new BadInputException("--parallel must be at least 1, got " + modelOptions.parallel);
        }
        if (modelOptions.batch < 1 || modelOptions.batch > 64) {
            throw new BadInputException("--batch must be between 1 and 64, got " + modelOptions.batch);
        }
        if (modelOptions.batch > 1 && modelOptions.imagePipeline != ImagePipeline.REFERENCE) {
            throw new BadInputException("--batch needs the reference image pipeline (--image-pipeline REFERENCE)");
        }
        if (modelOptions.batch > 1 && modelOptions.parallel > 1) {
            throw new BadInputException("choose --parallel (one context per image) or --batch (images decoded "
                    + "together in one context), not both");
        }
        SafetyModel model;
        try {
            model = modelOptions.open();
        } catch (ModelException e) {
            // Loading fails for the user's files or settings (missing, swapped, mismatched, context too small),
            // or no --endpoint answered.
            throw new BadInputException(e.getMessage(), e);
        }
        GenerationOptions options = requested;
        if (requested.verdictOnly() && !model.supportsVerdictOnly()) {
            CliLogging.note(
                    err, "guard: note: this backend cannot stop after the category; --verdict-only is ignored.");
            options = requested.withVerdictOnly(false);
        }
        try {
            SafetyGuard.Builder builder = SafetyGuard.builder()
                    .model(model)
                    .ownsModel(true)
                    .policy(policy)
                    .generationOptions(options)
                    .failureMode(failureMode)
                    .cache(CacheConfig.defaults())
                    .parallelism(modelOptions.effectiveParallel())
                    .trustEmbeddedVerdicts(trustEmbedded);
            threshold.ifPresent(builder::unsafeThreshold);
            categoryThresholds.forEach(builder::categoryThreshold);
            return new GuardSession(builder.build(), options, threshold, tiny);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Model, decoding and threshold settings of this session under {@code policy}, for reports. */
    Map<String, String> describe(ModelOptions m, Policy policy) {
        Map<String, String> rows = describe(m, options, unsafeThreshold);
        // what decides: the policy's own thresholds, overridden per id by the guard's (--category-threshold)
        Map<String, Double> categoryThresholds = new LinkedHashMap<>(policy.thresholds());
        categoryThresholds.putAll(guard.categoryThresholds());
        if (!categoryThresholds.isEmpty()) {
            List<String> entries = new ArrayList<>();
            categoryThresholds.forEach((id, t) -> entries.add(id + " " + t));
            rows.put("Category thresholds", String.join(", ", entries));
        }
        return rows;
    }

    /** Model and decoding settings, for reports. */
    static Map<String, String> describe(ModelOptions m, GenerationOptions o, OptionalDouble unsafeThreshold) {
        Map<String, String> rows = new LinkedHashMap<>();
        if (m.remote.used()) {
            rows.put("Endpoints", String.join(" ", m.remote.endpoints));
            rows.put("Endpoint concurrency", Integer.toString(m.remote.concurrency));
            rows.put("Parallel", Integer.toString(m.effectiveParallel()));
            rows.putAll(DecodingOptions.describe(o, unsafeThreshold));
            return rows;
        }
        rows.put("Parallel", Integer.toString(m.parallel));
        rows.put("Threads", m.threads == null ? "all cores" : m.threads.toString());
        rows.put("GPU layers", m.gpuLayers < 0 ? "all" : Integer.toString(m.gpuLayers));
        rows.put("Context size", m.contextSize == null ? "automatic" : m.contextSize.toString());
        rows.putAll(DecodingOptions.describe(o, unsafeThreshold));
        return rows;
    }

    @Override
    public void close() {
        guard.close();
    }
}
