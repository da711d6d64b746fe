package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.cli.GuardCli;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.Rating;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on the tiny model and real llama.cpp: {@code guard check --write-metadata} stamps a
 * copy of an image; a guard over the same model files with {@code trustEmbeddedVerdicts(true)}
 * returns that verdict without a model call, and runs the model for the unstamped original.
 */
class EmbeddedVerdictIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    /** Counts the calls that reach the model. */
    private static final class CountingModel implements SafetyModel {
        private final SafetyModel delegate;
        private final AtomicInteger calls = new AtomicInteger();

        CountingModel(SafetyModel delegate) {
            this.delegate = delegate;
        }

        @Override
        public ModelInfo info() {
            return delegate.info();
        }

        @Override
        public ModelOutput evaluate(ModelRequest request) throws ModelException {
            calls.incrementAndGet();
            return delegate.evaluate(request);
        }

        @Override
        public boolean supportsVerdictOnly() {
            return delegate.supportsVerdictOnly();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    @Test
    void checkWriteMetadataThenATrustingGuardSkipsTheModel() throws Exception {
        TinyModelPair pair = TestSupport.generate(TinyModelFlavor.QWEN2_SIGLIP, dir);
        Path image = Files.write(dir.resolve("pattern.png"), TestSupport.encode(TestSupport.pattern(64, 48, 7), "png"));
        Path out = dir.resolve("stamped");

        JsonNode line = JSON.readTree(runCli(
                "check",
                "--model",
                pair.model().toString(),
                "--mmproj",
                pair.mmproj().toString(),
                "--threads",
                "1",
                "--greedy",
                "--verdict-only",
                "--max-new-tokens",
                "120",
                "--quiet",
                "--write-metadata",
                "--out",
                out.toString(),
                image.toString()));
        Path stamped = Path.of(line.get("metadata").asText());
        assertThat(stamped).isRegularFile().startsWith(out);

        CountingModel model = new CountingModel(LlamaCppModel.open(config(pair).build()));
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .ownsModel(true)
                .generationOptions(TestSupport.greedy(120).withVerdictOnly(true))
                .trustEmbeddedVerdicts(true)
                .build()) {
            Verdict embedded = guard.assess(ImageInput.ofPath(stamped));
            assertThat(embedded.source()).as(embedded.toString()).isEqualTo(VerdictSource.EMBEDDED);
            assertThat(model.calls).hasValue(0);
            assertThat(embedded.rating())
                    .isEqualTo(Rating.fromLabel(line.get("rating").asText()).orElseThrow());
            assertThat(embedded.categoryLabel()).contains(line.get("category").asText());
            assertThat(embedded.probabilityUnsafe().getAsDouble())
                    .isEqualTo(line.get("p_unsafe").asDouble());
            assertThat(embedded.modelId()).isEqualTo(model.info().id());

            Verdict fresh = guard.assess(ImageInput.ofPath(image));
            assertThat(fresh.source()).isEqualTo(VerdictSource.MODEL);
            assertThat(model.calls).hasValue(1);
            // the same model, settings and pixels: the model agrees with the stamp it wrote
            assertThat(fresh.rating()).isEqualTo(embedded.rating());
            assertThat(fresh.categoryLabel()).isEqualTo(embedded.categoryLabel());
        }
    }

    /** Runs the CLI in this JVM and returns its standard output; fails on a non-zero exit. */
    private static String runCli(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        synchronized (System.class) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                code = GuardCli.run(args);
            } finally {
                System.setOut(original);
            }
        }
        String stdout = captured.toString(StandardCharsets.UTF_8);
        assertThat(code)
                .as("guard %s exited with %d; stdout: %s", String.join(" ", args), code, stdout)
                .isZero();
        return stdout.strip();
    }
}
