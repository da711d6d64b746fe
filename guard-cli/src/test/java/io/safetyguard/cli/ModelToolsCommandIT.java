package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.internal.vision.ImageTokenPlanner;
import io.safetyguard.llamacpp.internal.vision.VisionGeometry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guard model set-meta | quantize | image-tokens} on generated tiny models, with real llama.cpp. */
class ModelToolsCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path qwenModel;
    static Path qwenMmproj;
    static Path llamaModel;

    @BeforeAll
    static void writeTinyModels() {
        CliRun run = CliRun.of("model", "tiny", "--flavor", "all", "--out", dir.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        qwenModel = dir.resolve("tiny-qwen2-siglip.gguf");
        qwenMmproj = dir.resolve("tiny-qwen2-siglip-mmproj.gguf");
        llamaModel = dir.resolve("tiny-llama-clip.gguf");
    }

    @Test
    void presetFixesTheMmprojPrintsTheChangesAndThePairStillGivesVerdicts() throws IOException {
        Path fixed = dir.resolve("fixed-mmproj.gguf");
        CliRun run = CliRun.of(
                "model", "set-meta", "--preset", "llavaguard-v1.2-ov", qwenMmproj.toString(), fixed.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdoutText())
                .contains(
                        "+ clip.vision.feature_layer = arr[i32] [2]",
                        "+ clip.vision.image_aspect_ratio = str \"anyres_max_9\"");
        assertThat(run.stderr()).contains("2 changes", "wrote " + fixed);
        GgufFile f = GgufReader.read(fixed);
        assertThat(f.getInt32Array(ModelKeys.FEATURE_LAYER)).containsExactly(2);

        CliRun again = CliRun.of(
                "model",
                "set-meta",
                "--preset",
                "llavaguard-v1.2-ov",
                "--dry-run",
                fixed.toString(),
                dir.resolve("unused.gguf").toString());
        assertThat(again.stdoutText()).isEmpty();
        assertThat(again.stderr()).contains("no changes", "dry run");
        assertThat(dir.resolve("unused.gguf")).doesNotExist();

        CliRun check = CliRun.of(
                "check",
                "--greedy",
                "--max-new-tokens",
                "100",
                "--threads",
                "1",
                "--model",
                qwenModel.toString(),
                "--mmproj",
                fixed.toString(),
                ModelCommandTest.sample("cup.jpg").toString());
        assertThat(check.exitCode()).as(check.stderr()).isZero();
        assertThat(JSON.readTree(check.stdoutText()).get("rating").asText()).isIn("Safe", "Unsafe");
        assertThat(check.stderr()).doesNotContain("runs one vision layer fewer");
    }

    @Test
    void specificOptionsSetRemoveAndInPlace() throws IOException {
        Path copy = Files.copy(qwenMmproj, dir.resolve("inplace-mmproj.gguf"));
        CliRun run = CliRun.of(
                "model",
                "set-meta",
                "--in-place",
                "--use-gelu",
                "false",
                "--feature-layer",
                "1",
                "--image-mean",
                "0.25,0.5,0.75",
                "--pinpoints",
                "28,28,28,56",
                "--llavaguard-version",
                "1.2",
                "--set",
                "general.name=str:renamed",
                "--remove",
                ModelKeys.MM_PATCH_MERGE_TYPE,
                copy.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        GgufFile f = GgufReader.read(copy);
        assertThat(f.getBool(ModelKeys.USE_GELU)).isFalse();
        assertThat(f.getInt32Array(ModelKeys.FEATURE_LAYER)).containsExactly(1);
        assertThat(f.getFloatArray(ModelKeys.IMAGE_MEAN)).containsExactly(0.25f, 0.5f, 0.75f);
        assertThat(f.getInt32Array(ModelKeys.IMAGE_GRID_PINPOINTS)).containsExactly(28, 28, 28, 56);
        assertThat(f.getString(ModelKeys.NAME)).isEqualTo("renamed");
        assertThat(f.has(ModelKeys.MM_PATCH_MERGE_TYPE)).isFalse();
        assertThat(run.stdoutText()).contains("~ clip.use_gelu: bool true -> bool false");
    }

    @Test
    void setMetaRefusesToOverwriteAndExplainsBadValues() throws IOException {
        CliRun noOut = CliRun.of("model", "set-meta", "--use-gelu", "true", qwenMmproj.toString());
        assertThat(noOut.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(noOut.stderr()).contains("--in-place");

        CliRun sameFile =
                CliRun.of("model", "set-meta", "--use-gelu", "true", qwenMmproj.toString(), qwenMmproj.toString());
        assertThat(sameFile.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(sameFile.stderr()).contains("is the input", "--in-place");

        Path existing = Files.writeString(dir.resolve("existing.gguf"), "keep");
        CliRun exists =
                CliRun.of("model", "set-meta", "--use-gelu", "true", qwenMmproj.toString(), existing.toString());
        assertThat(exists.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(exists.stderr()).contains("--overwrite");
        assertThat(Files.readString(existing)).isEqualTo("keep");

        CliRun wrongType = CliRun.of(
                "model",
                "set-meta",
                "--set",
                "clip.vision.image_grid_pinpoints=arr[u32]:28,28",
                qwenMmproj.toString(),
                dir.resolve("x.gguf").toString());
        assertThat(wrongType.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(wrongType.stderr()).contains("arr[i32]", "not arr[u32]");

        CliRun wrongPreset = CliRun.of(
                "model",
                "set-meta",
                "--preset",
                "llavaguard-v1.1",
                qwenModel.toString(),
                dir.resolve("y.gguf").toString());
        assertThat(wrongPreset.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(wrongPreset.stderr()).contains("'qwen2' text model");

        CliRun nothing = CliRun.of(
                "model",
                "set-meta",
                qwenMmproj.toString(),
                dir.resolve("z.gguf").toString());
        assertThat(nothing.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(nothing.stderr()).contains("nothing to change");
    }

    @Test
    void quantizeWritesAQ8ModelAndReportsSizes() throws IOException {
        Path out = dir.resolve("tiny-q8.gguf");
        CliRun run = CliRun.of(
                "model", "quantize", "--type", "q8_0", "--threads", "1", llamaModel.toString(), out.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdoutText()).contains("(Q8_0)", "MiB", "% of the input");
        assertThat(GgufReader.read(out).getU32(ModelKeys.FILE_TYPE)).isEqualTo(7);

        CliRun exists = CliRun.of(
                "model", "quantize", "--type", "Q8_0", "--threads", "1", llamaModel.toString(), out.toString());
        assertThat(exists.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(exists.stderr()).contains("--overwrite");
    }

    @Test
    void quantizeExplainsWrongInputAndTypes() {
        CliRun mmproj = CliRun.of(
                "model",
                "quantize",
                "--type",
                "Q4_K_M",
                qwenMmproj.toString(),
                dir.resolve("q.gguf").toString());
        assertThat(mmproj.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(mmproj.stderr()).contains("mmproj", "Q8_0 only");

        CliRun badType = CliRun.of(
                "model",
                "quantize",
                "--type",
                "Q3_X",
                llamaModel.toString(),
                dir.resolve("q.gguf").toString());
        assertThat(badType.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badType.stderr()).contains("Q3_X", "Q4_K_M");
    }

    @Test
    void imageTokensPrintsTheReferenceLayoutPerSize() throws IOException {
        CliRun run = CliRun.of("model", "image-tokens", "--mmproj", qwenMmproj.toString(), "10x10", "100x40", "1x4000");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String[] lines = run.stdoutText().split("\n");
        assertThat(lines[0]).contains("28px/14 anyres over 4 pinpoints (4 tokens/tile)");
        assertThat(lines[1]).contains("tokens", "best", "grid", "unpadded", "newlines", "base");
        assertThat(lines).hasSize(6);
        assertThat(lines[2]).startsWith("10x10");

        CliRun json = CliRun.of("model", "image-tokens", "--json", "--mmproj", qwenMmproj.toString(), "100x40");
        assertThat(json.exitCode()).as(json.stderr()).isZero();
        JsonNode l = JSON.readTree(json.stdoutText()).get(0);
        VisionGeometry g = VisionGeometry.fromMmprojMetadata(28, 14, new int[] {28, 28, 28, 56, 56, 28, 56, 56}, null);
        assertThat(l.get("totalTokens").asInt()).isEqualTo(ImageTokenPlanner.tokenCount(g, 100, 40));
        // 100x40 on 56x28 (w x h): 2 tiles side by side, 2 x 4 features, content 56x22 -> unpadded rows
        assertThat(l.get("bestWidth").asInt()).isEqualTo(56);
        assertThat(l.get("bestHeight").asInt()).isEqualTo(28);
        assertThat(l.get("gridRows").asInt()).isEqualTo(1);
        assertThat(l.get("gridCols").asInt()).isEqualTo(2);
        assertThat(l.get("baseTokens").asInt()).isEqualTo(4);
        assertThat(l.get("newlineTokens").asInt()).isEqualTo(l.get("packedRows").asInt());
        assertThat(l.get("totalTokens").asInt())
                .isEqualTo(l.get("baseTokens").asInt()
                        + l.get("gridTokens").asInt()
                        + l.get("newlineTokens").asInt());
    }

    @Test
    void imageTokensRejectsBadSizesAndTextModels() {
        CliRun badSize = CliRun.of("model", "image-tokens", "--mmproj", qwenMmproj.toString(), "640by480");
        assertThat(badSize.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badSize.stderr()).contains("640by480", "WIDTHxHEIGHT");
        CliRun zero = CliRun.of("model", "image-tokens", "--mmproj", qwenMmproj.toString(), "0x480");
        assertThat(zero.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        CliRun text = CliRun.of("model", "image-tokens", "--mmproj", qwenModel.toString(), "640x480");
        assertThat(text.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(text.stderr()).contains("not an mmproj");
    }
}
