package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.tools.tiny.HfArchitecture;
import io.safetyguard.llamacpp.tools.tiny.HfKeyLayout;
import io.safetyguard.llamacpp.tools.tiny.SyntheticCheckpoint;
import io.safetyguard.llamacpp.tools.tiny.SyntheticCheckpointOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guard model convert} on synthetic checkpoints in the published formats: the pair it prints passes
 * {@code guard model inspect} without a warning and gives a verdict with {@code guard check}; bad input exits 2 and
 * leaves nothing behind.
 */
class ConvertCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void oneVisionWithCurrentKeysToQ8() throws Exception {
        Path ckpt = SyntheticCheckpoint.write(
                        SyntheticCheckpointOptions.builder()
                                .architecture(HfArchitecture.LLAVA_ONEVISION)
                                .layout(HfKeyLayout.CURRENT)
                                .shards(2)
                                .build(),
                        dir.resolve("LlavaGuard-v1.2-synthetic-hf"))
                .dir();
        Path out = dir.resolve("models");
        CliRun run = CliRun.of(
                "model",
                "convert",
                ckpt.toString(),
                "--out",
                out.toString(),
                "--type",
                "Q8_0",
                "--mmproj-type",
                "Q8_0",
                "--name",
                "lg12");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        Path model = out.resolve("lg12.gguf");
        Path mmproj = out.resolve("lg12-mmproj.gguf");
        assertThat(run.stdoutText())
                .isEqualTo("model:  " + model + System.lineSeparator() + "mmproj: " + mmproj + System.lineSeparator());
        assertThat(run.stderr())
                .contains("converted LlavaGuard-v1.2-synthetic-hf (LlavaGuard v1.2", "transformers >= 4.52", "Q8_0");

        String inspect = inspect(model, mmproj);
        assertThat(inspect).contains("qwen2", "Q8_0", "LlavaGuard v1.2", "present", "llavaguard version: v1.2");
        assertThat(GgufReader.read(mmproj).tensor("mm.0.weight").orElseThrow().type())
                .isEqualTo(GgmlType.Q8_0);
        check(model, mmproj);
    }

    @Test
    void llavaWithLegacyKeysToF16DeclaredV10() throws Exception {
        Path ckpt = SyntheticCheckpoint.write(
                        SyntheticCheckpointOptions.builder()
                                .architecture(HfArchitecture.LLAVA)
                                .layout(HfKeyLayout.LEGACY)
                                .build(),
                        dir.resolve("LlavaGuard-7B-synthetic-hf"))
                .dir();
        Path out = dir.resolve("models");
        CliRun run =
                CliRun.of("model", "convert", ckpt.toString(), "--out", out.toString(), "--llavaguard-version", "v1.0");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        Path model = out.resolve("LlavaGuard-7B-synthetic-hf.gguf");
        Path mmproj = out.resolve("LlavaGuard-7B-synthetic-hf-mmproj.gguf");
        assertThat(run.stdoutText()).contains("model:  " + model, "mmproj: " + mmproj);

        String inspect = inspect(model, mmproj);
        assertThat(inspect).contains("llama", "F16", "CLIP-style", "llavaguard version: v1.0");
        check(model, mmproj);

        CliRun again = CliRun.of("model", "convert", ckpt.toString(), "--out", out.toString());
        assertThat(again.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(again.stderr()).contains("exists", "--overwrite");
    }

    @Test
    void missingShardExitsTwoAndWritesNothing() throws Exception {
        SyntheticCheckpoint ckpt = SyntheticCheckpoint.write(
                SyntheticCheckpointOptions.builder().shards(2).build(), dir.resolve("ckpt"));
        Files.delete(ckpt.weightFiles().get(0));
        Path out = dir.resolve("models");
        CliRun run = CliRun.of("model", "convert", ckpt.dir().toString(), "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr())
                .startsWith("guard: ")
                .contains("missing shard " + ckpt.weightFiles().get(0).getFileName())
                .doesNotContain("Exception");
        assertThat(run.stdoutText()).isEmpty();
        assertThat(out).doesNotExist();
    }

    @Test
    void badTypeExitsTwo() throws Exception {
        CliRun run = CliRun.of("model", "convert", dir.toString(), "--out", dir.toString(), "--mmproj-type", "Q4_K_M");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("F16, F32 or Q8_0");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    /** Every row says what a complete LlavaGuard pair says: no "not set", no guessing, no missing encoder. */
    private static String inspect(Path model, Path mmproj) {
        CliRun run = CliRun.of("model", "inspect", model.toString(), mmproj.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String text = run.stdoutText();
        assertThat(text).doesNotContain("not set", "guessed", "NO (", "unknown", "TINY", "absent (SafetyGuard");
        assertThat(run.stderr()).isEmpty();
        return text;
    }

    private static void check(Path model, Path mmproj) throws Exception {
        CliRun check = CliRun.of(
                "check",
                "--greedy",
                "--verdict-only",
                "--threads",
                "2",
                "--model",
                model.toString(),
                "--mmproj",
                mmproj.toString(),
                ModelCommandTest.sample("cup.jpg").toString());
        assertThat(check.exitCode()).as(check.stderr()).isZero();
        assertThat(JSON.readTree(check.stdoutText()).get("rating").asText()).isIn("Safe", "Unsafe");
        assertThat(check.stderr()).doesNotContain("warning");
    }
}
