package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guard model} on a generated tiny model pair, and the {@code check} refusals that come before llama.cpp runs. */
class ModelCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path model;
    static Path mmproj;

    @BeforeAll
    static void writeTinyModel() {
        TinyModel tiny = TinyModel.writeTo(dir);
        model = tiny.model();
        mmproj = tiny.mmproj();
    }

    static Path sample(String name) {
        Path p = Path.of("..", "samples", name);
        assertThat(p).as("sample image %s", name).isRegularFile();
        return p;
    }

    @Test
    void inspectDescribesTextModelAndProjector() {
        CliRun run = CliRun.of("model", "inspect", model.toString(), mmproj.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String out = run.stdoutText();
        assertThat(out)
                .contains(
                        "architecture:",
                        "qwen2",
                        "chat template:",
                        "vision projector (mmproj)",
                        "pinpoints:",
                        "28x28",
                        "image size:",
                        "TINY RANDOM-WEIGHT TEST MODEL");
    }

    @Test
    void inspectRejectsAFileThatIsNotGguf() throws IOException {
        Path notGguf = Files.writeString(dir.resolve("weights.safetensors"), "{\"not\": \"gguf\"}");
        CliRun run = CliRun.of("model", "inspect", notGguf.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("weights.safetensors").containsIgnoringCase("gguf");
    }

    @Test
    void tinyRejectsAnUnknownFlavor() {
        CliRun run = CliRun.of("model", "tiny", "--out", dir.resolve("x").toString(), "--flavor", "gpt5");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("gpt5", "qwen2-siglip");
    }

    @Test
    void anUnsafeThresholdOutsideZeroToOneIsBadInputBeforeLoadingAnything() {
        CliRun run = CliRun.of(
                "check",
                "--unsafe-threshold",
                "1.5",
                "--model",
                model.toString(),
                "--mmproj",
                mmproj.toString(),
                sample("landscape.png").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr())
                .contains("--unsafe-threshold", "between 0 and 1", "1.5")
                .doesNotContain("RANDOM-WEIGHT");
    }

    @Test
    void aCategoryThresholdForAnUnknownIdOrOutsideZeroToOneIsBadInputBeforeLoadingAnything() {
        for (String[] bad : new String[][] {{"O42=0.5", "no category O42"}, {"O3=2", "between 0 and 1"}}) {
            CliRun run = CliRun.of(
                    "check",
                    "--category-threshold",
                    bad[0],
                    "--model",
                    model.toString(),
                    "--mmproj",
                    mmproj.toString(),
                    sample("landscape.png").toString());
            assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(run.stderr())
                    .contains("--category-threshold " + bad[0], bad[1])
                    .doesNotContain("RANDOM-WEIGHT");
        }
    }

    @Test
    void checkWithAMissingImageIsBadInputBeforeLoadingAnything() {
        CliRun run = CliRun.of(
                "check",
                "--model",
                model.toString(),
                "--mmproj",
                mmproj.toString(),
                dir.resolve("nope.png").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("nope.png");
    }

    @Test
    void syntheticCheckpointWritesAShardedLlavaCheckpoint() throws IOException {
        Path out = dir.resolve("synthetic-llava");
        CliRun run = CliRun.of(
                "model",
                "synthetic-checkpoint",
                "--out",
                out.toString(),
                "--arch",
                "llava",
                "--layout",
                "current",
                "--shards",
                "2");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdoutText()).contains("checkpoint: " + out);
        assertThat(run.stderr()).contains("RANDOM-WEIGHT", "LlavaForConditionalGeneration", "2 weight file(s)");
        assertThat(out.resolve("model-00001-of-00002.safetensors")).isRegularFile();
        assertThat(out.resolve("model-00002-of-00002.safetensors")).isRegularFile();
        assertThat(out.resolve("tokenizer.model")).isRegularFile();
        assertThat(JSON.readTree(out.resolve("model.safetensors.index.json").toFile())
                        .at("/weight_map/lm_head.weight")
                        .asText())
                .startsWith("model-0000");
        assertThat(JSON.readTree(out.resolve("config.json").toFile())
                        .get("model_type")
                        .asText())
                .isEqualTo("llava");
    }

    @Test
    void syntheticCheckpointRejectsTheRealShapesForLlavaAsBadInput() {
        CliRun run = CliRun.of(
                "model",
                "synthetic-checkpoint",
                "--out",
                dir.resolve("nope").toString(),
                "--arch",
                "llava",
                "--shape",
                "llavaguard-v1.2-0.5b");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("llavaguard-v1.2-0.5b", "OneVision");
        assertThat(dir.resolve("nope")).doesNotExist();

        CliRun badArch = CliRun.of(
                "model", "synthetic-checkpoint", "--out", dir.resolve("nope").toString(), "--arch", "x");
        assertThat(badArch.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badArch.stderr()).contains("--arch", "onevision or llava");
    }
}
