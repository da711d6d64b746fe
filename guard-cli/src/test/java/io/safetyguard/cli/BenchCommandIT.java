package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guard bench} end to end on the tiny model and real llama.cpp, without llama-mtmd-cli. */
class BenchCommandIT {
    @TempDir
    static Path dir;

    static TinyModel tiny;
    static Path images;

    @BeforeAll
    static void setUp() throws Exception {
        tiny = TinyModel.writeTo(dir.resolve("model"));
        images = Files.createDirectories(dir.resolve("images"));
        Files.copy(Path.of("..", "samples", "cup.jpg"), images.resolve("cup.jpg"));
        Files.writeString(images.resolve("notes.txt"), "not an image");
    }

    @Test
    void benchmarksSafetyGuardAloneAndWritesTheTableAndJson() throws Exception {
        Path json = dir.resolve("bench.json");
        CliRun run = CliRun.of(
                "bench",
                "--model",
                tiny.model().toString(),
                "--mmproj",
                tiny.mmproj().toString(),
                "--images",
                images.toString(),
                "--no-reference",
                "--n",
                "1",
                "--threads",
                "1",
                "--max-new-tokens",
                "8",
                "--parallel-levels",
                "2",
                "--cache-repeats",
                "3",
                "--json",
                json.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdoutText())
                .contains(
                        "SafetyGuard, full rationale",
                        "SafetyGuard, verdict-only",
                        "SafetyGuard, cached (cup.jpg)",
                        "batch throughput",
                        "not run (--no-reference)")
                .doesNotContain("llama-mtmd-cli, per invocation");
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.at("/runs/full")).hasSize(1);
        assertThat(root.at("/runs/full/0/image").asText()).isEqualTo("cup.jpg");
        assertThat(root.at("/runs/full/0/generatedTokens").asInt()).isBetween(1, 8);
        assertThat(root.at("/runs/full/0/promptTokens").asInt())
                .isGreaterThan(root.at("/summary/policyTextTokens").asInt());
        assertThat(root.at("/runs/full/0/encodeMillis").asDouble()).isPositive();
        assertThat(root.at("/runs/verdictOnly")).hasSize(1);
        assertThat(root.at("/runs/cacheHits/0/bytes").asLong()).isEqualTo(Files.size(images.resolve("cup.jpg")));
        assertThat(root.at("/runs/throughput")).hasSize(1);
        assertThat(root.at("/runs/throughput/0/parallelism").asInt()).isEqualTo(2);
        assertThat(root.at("/runs/mtmdCli")).isEmpty();
    }

    @Test
    void aMissingMtmdCliIsABadInputWithTheWayOut() {
        CliRun run = CliRun.of(
                "bench",
                "--model",
                tiny.model().toString(),
                "--mmproj",
                tiny.mmproj().toString(),
                "--images",
                images.toString(),
                "--mtmd-cli",
                dir.resolve("no-such-cli").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("--mtmd-cli", "is not an executable file", "--cli-only", "--no-reference");
    }

    @Test
    void aFolderWithoutImagesIsABadInput() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRun run = CliRun.of(
                "bench",
                "--model",
                tiny.model().toString(),
                "--mmproj",
                tiny.mmproj().toString(),
                "--images",
                empty.toString(),
                "--no-reference");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("no images in");
    }
}
