package io.safetyguard.llamacpp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.ModelFileException;
import io.safetyguard.llamacpp.SmallModelFiles;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufFormatException;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.ModelFileInspector;
import io.safetyguard.llamacpp.internal.gguf.ProjectorSummary;
import io.safetyguard.llamacpp.internal.gguf.TextModelSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing, with Jazzer, of everything {@link LlamaCppModel#open} runs on model files
 * before llama.cpp sees them: the GGUF reader, the metadata inspectors, the pair validator, the
 * projector tensor-shape check and the memory estimate.
 *
 * <p>Each input is one GGUF file, tried three ways: read from memory and inspected as either role;
 * as the text model next to a valid small mmproj; as the mmproj next to a valid small text model
 * ({@link SmallModelFiles}). The contract: success, or the typed error ({@link GgufFormatException}
 * from the reader and inspectors, a {@link ModelException} caused by a {@link ModelFileException}
 * from {@link ModelFiles#inspect}). Another exception, an {@link OutOfMemoryError} (fuzz with a
 * small heap, see docs/reliability.md) or an input slower than the timeout is a finding. Whatever
 * is accepted must describe a model the rest of the code can size: positive token counts and a
 * finite memory estimate.
 *
 * <p>A plain {@code mvn test} runs only the committed seeds in {@code
 * src/test/resources/io/safetyguard/llamacpp/ModelFilesFuzzTestInputs/inspect/} (regression mode);
 * {@link ModelFileSeeds} writes them.
 */
class ModelFilesFuzzTest {

    private static final String NAME = "fuzz.gguf";
    private static final Path DIR;
    private static final Path TEXT_PARTNER;
    private static final Path MMPROJ_PARTNER;
    private static final Path CANDIDATE;

    static {
        try {
            DIR = SmallModelFiles.tempDir("sg-gguf-fuzz");
            TEXT_PARTNER = SmallModelFiles.writeText(DIR.resolve("partner-text.gguf"));
            MMPROJ_PARTNER = SmallModelFiles.writeProjector(DIR.resolve("partner-mmproj.gguf"));
            CANDIDATE = DIR.resolve("candidate.gguf");
            for (Path p : List.of(TEXT_PARTNER, MMPROJ_PARTNER, CANDIDATE)) {
                p.toFile().deleteOnExit();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS) // per input: a slower one is a hang (libFuzzer -timeout)
    void inspect(byte[] data) throws IOException {
        inspectInMemory(data);
        Files.write(CANDIDATE, data);
        checkPair(CANDIDATE, MMPROJ_PARTNER);
        checkPair(TEXT_PARTNER, CANDIDATE);
    }

    private static void inspectInMemory(byte[] data) {
        GgufFile f;
        try {
            f = GgufReader.read(NAME, data);
        } catch (GgufFormatException e) {
            assertThat(e.getMessage()).startsWith(NAME + ": ");
            assertThat(e.file()).isEqualTo(NAME);
            return;
        }
        assertThat(f.tensors().size()).isLessThanOrEqualTo(data.length);
        if (ModelFileInspector.textModelProblems(f).isEmpty()) {
            TextModelSummary t = inspected(() -> ModelFileInspector.inspectTextModel(f));
            assertThat(t.embeddingLength()).isPositive();
        }
        if (ModelFileInspector.projectorProblems(f).isEmpty()) {
            ProjectorSummary p = inspected(() -> ModelFileInspector.inspectProjector(f));
            assertThat(p.describe()).isNotBlank();
            assertThat(p.maxTilesPerImage()).isPositive();
        }
    }

    private static void checkPair(Path text, Path mmproj) {
        ModelFiles files;
        try {
            files = ModelFiles.inspect(text, mmproj);
        } catch (ModelException e) {
            assertThat(e.getCause()).isInstanceOf(ModelFileException.class);
            assertThat(((ModelFileException) e.getCause()).problems())
                    .isNotEmpty()
                    .allSatisfy(p -> assertThat(p).isNotBlank());
            return;
        }
        // accepted: llama.cpp will be given these files, so their numbers must make sense
        assertThat(files.tokensPerTile()).isPositive();
        assertThat(files.maxImageTokens()).isPositive();
        assertThat(files.textEmbeddingLength()).isPositive();
        assertThat(files.architecture()).isNotEmpty();
    }

    private interface Inspection<T> {
        T run() throws GgufFormatException;
    }

    /** The problem lists said nothing is wrong, so the inspector must not throw either. */
    private static <T> T inspected(Inspection<T> inspection) {
        try {
            return inspection.run();
        } catch (GgufFormatException e) {
            throw new AssertionError("no problems listed, yet the inspector refused: " + e.getMessage(), e);
        }
    }
}
