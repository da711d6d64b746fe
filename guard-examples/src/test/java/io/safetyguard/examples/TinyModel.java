package io.safetyguard.examples;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The tiny random-weight model pair, generated once per test JVM, and guards over real llama.cpp
 * with settings that keep a verdict to a fraction of a second: greedy, a short answer, and one
 * CPU thread per context (more threads than free cores makes ggml's spinning workers many times
 * slower on a busy CI machine).
 */
public final class TinyModel {
    /** Enough for the rating and category; the rationale is cut off, which a verdict tolerates. */
    public static final int MAX_NEW_TOKENS = 48;

    private static TinyModelPair pair;

    private TinyModel() {}

    /** The pair (llama-clip: the smallest flavour), written to a temp folder removed at JVM exit. */
    public static synchronized TinyModelPair pair() {
        if (pair == null) {
            try {
                Path dir = Files.createTempDirectory("guard-examples-tiny");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                pair = TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pair;
    }

    /** A guard that owns a freshly loaded tiny model. */
    public static SafetyGuard guard(int parallelism) {
        try {
            LlamaCppModel model = LlamaCppModel.open(LlamaCppConfig.builder(pair().model(), pair().mmproj())
                    .threads(1)
                    .warmup(false)
                    .parallelContexts(parallelism)
                    .build());
            return SafetyGuard.builder()
                    .model(model)
                    .ownsModel(true)
                    .parallelism(parallelism)
                    .generationOptions(
                            GenerationOptions.DEFAULT.withGreedy(true).withMaxNewTokens(MAX_NEW_TOKENS))
                    .build();
        } catch (ModelException e) {
            throw new IllegalStateException("cannot load the tiny model: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
