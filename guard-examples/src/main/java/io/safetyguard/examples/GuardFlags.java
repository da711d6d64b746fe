package io.safetyguard.examples;

import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.internal.gguf.ModelFileInspector;
import io.safetyguard.policy.Policy;
import io.safetyguard.policy.PolicyException;
import io.safetyguard.policy.PolicyFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The flags every example shares to build a {@link SafetyGuard} over an in-process llama.cpp
 * model: the model pair, CPU/GPU settings, the policy and the answer length. A picocli mixin.
 */
public final class GuardFlags {

    @Option(names = "--model", required = true, paramLabel = "FILE.gguf", description = "The LlavaGuard text model (GGUF).")
    Path model;

    @Option(names = "--mmproj", required = true, paramLabel = "FILE.gguf", description = "Its vision projector (mmproj GGUF).")
    Path mmproj;

    @Option(names = "--policy", paramLabel = "FILE", description = "Policy file (.json/.yaml); default: the LlavaGuard v1.2 policy.")
    Path policy;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--gpu-layers", paramLabel = "N", defaultValue = "-1",
            description = "Layers to offload to the GPU; -1 = all (default), 0 = CPU only. Ignored by CPU builds.")
    int gpuLayers;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "500",
            description = "Cap on generated tokens per verdict; a cut-off rationale is kept and marked. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--greedy", description = "Deterministic decoding: the same image and policy give the same verdict.")
    boolean greedy;

    /**
     * Loads the model and builds a guard that owns it (closing the guard frees the model).
     * Prints a note to {@code err} when the model is a tiny random-weight test model.
     *
     * @throws ExampleException (bad input) when a file is missing or the model cannot be loaded
     */
    public SafetyGuard openGuard(CacheConfig cache, PrintWriter err) {
        return openGuard(cache, err, 1);
    }

    /**
     * {@link #openGuard(CacheConfig, PrintWriter)} with {@code parallelism} llama.cpp contexts, so
     * that many images are assessed at once (each context holds its own KV cache: more memory).
     */
    public SafetyGuard openGuard(CacheConfig cache, PrintWriter err, int parallelism) {
        Policy resolved = checkInputs();
        GenerationOptions options;
        LlamaCppConfig config;
        try {
            options = GenerationOptions.DEFAULT.withGreedy(greedy).withMaxNewTokens(maxNewTokens);
            LlamaCppConfig.Builder builder = LlamaCppConfig.builder(model, mmproj)
                    .gpuLayers(gpuLayers)
                    .parallelContexts(parallelism);
            if (threads != null) {
                builder.threads(threads);
            }
            config = builder.build();
        } catch (IllegalArgumentException e) {
            throw ExampleException.badInput(e.getMessage(), e); // e.g. --threads 0, --max-new-tokens 0
        }
        if (isTinyTestModel()) {
            err.println("note: " + model.getFileName() + " is a tiny RANDOM-WEIGHT test model: its verdicts are meaningless.");
            err.flush();
        }
        LlamaCppModel loaded;
        try {
            loaded = LlamaCppModel.open(config);
        } catch (ModelException e) {
            throw ExampleException.badInput(e.getMessage(), e);
        }
        try {
            return SafetyGuard.builder()
                    .model(loaded)
                    .ownsModel(true)
                    .policy(resolved)
                    .generationOptions(options)
                    .cache(cache)
                    .parallelism(parallelism)
                    .build();
        } catch (RuntimeException e) {
            loaded.close(); // the guard never took ownership
            if (e instanceof PolicyException) {
                throw ExampleException.badInput(e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * Checks the files named by the flags (model, projector, policy) without loading the model, so
     * a command can report a typo before slower steps; returns the policy to use.
     *
     * @throws ExampleException (bad input) naming the flag and file
     */
    public Policy checkInputs() {
        Policy resolved = loadPolicy();
        requireFile(model, "--model");
        requireFile(mmproj, "--mmproj");
        return resolved;
    }

    private Policy loadPolicy() {
        if (policy == null) {
            return Policy.llavaGuardDefault();
        }
        try {
            return PolicyFiles.load(policy);
        } catch (PolicyException e) {
            throw ExampleException.badInput(e.getMessage(), e);
        }
    }

    private static void requireFile(Path file, String flag) {
        if (!Files.isRegularFile(file)) {
            throw ExampleException.badInput(flag + " " + file + ": no such file. Generate a test pair with "
                    + "'./guard model tiny --out DIR' or point to a converted LlavaGuard GGUF.");
        }
    }

    private boolean isTinyTestModel() {
        try {
            return ModelFileInspector.inspectTextModel(model).tiny();
        } catch (IOException | RuntimeException e) {
            return false; // loading reports the real problem with the file
        }
    }
}
