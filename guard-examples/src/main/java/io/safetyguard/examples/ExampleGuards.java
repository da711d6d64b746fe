package io.safetyguard.examples;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppModel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the examples' {@code main} methods get a guard: load a LlavaGuard model pair into llama.cpp
 * in this process and let a {@link SafetyGuard} own it, with the default policy, cache and
 * decoding. This is the whole setup a host application needs; copy it and adjust the builders.
 */
public final class ExampleGuards {
    private ExampleGuards() {}

    /**
     * A guard over {@code model} and its projector {@code mmproj} that assesses up to
     * {@code parallelism} images at once (one llama.cpp context each). Closing the guard frees the model.
     *
     * @throws ExampleException (bad input) when a file is missing or llama.cpp cannot load the pair
     */
    public static SafetyGuard open(Path model, Path mmproj, int parallelism) {
        requireFile(model, "model");
        requireFile(mmproj, "projector (mmproj)");
        LlamaCppModel loaded;
        try {
            loaded = LlamaCppModel.open(LlamaCppConfig.builder(model, mmproj)
                    .parallelContexts(parallelism)
                    .build());
        } catch (ModelException | IllegalArgumentException e) {
            throw ExampleException.badInput(e.getMessage(), e);
        }
        // ownsModel: closing the guard closes the model, so one try-with-resources frees everything.
        return SafetyGuard.builder()
                .model(loaded)
                .ownsModel(true)
                .parallelism(parallelism)
                .build();
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw ExampleException.badInput("the " + what + " file " + file + " does not exist. Generate a test pair "
                    + "with './guard model tiny --out DIR' or point to a converted LlavaGuard GGUF.");
        }
    }

    /**
     * What the examples' {@code main} methods do with an {@link ExampleException}: print its message
     * as one line and exit with 2 (bad input) or 1 (the task failed), the {@code guard} command's codes.
     */
    public static void exitWith(String program, ExampleException e) {
        System.err.println(program + ": " + e.getMessage());
        System.exit(e.isBadInput() ? 2 : 1);
    }
}
