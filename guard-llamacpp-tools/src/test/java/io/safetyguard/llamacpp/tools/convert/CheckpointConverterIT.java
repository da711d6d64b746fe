package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.FailureMode;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.internal.gguf.ModelPairReport;
import io.safetyguard.llamacpp.internal.gguf.ModelPairValidator;
import io.safetyguard.llamacpp.tools.quantize.QuantizationType;
import io.safetyguard.llamacpp.tools.tiny.HfArchitecture;
import io.safetyguard.llamacpp.tools.tiny.HfKeyLayout;
import io.safetyguard.llamacpp.tools.tiny.SafetensorsDtype;
import io.safetyguard.llamacpp.tools.tiny.SyntheticCheckpoint;
import io.safetyguard.llamacpp.tools.tiny.SyntheticCheckpointOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Converts synthetic checkpoints in the published formats (both architectures, both key layouts, tied and untied,
 * single file and sharded, bf16 and f16) and runs the pair in llama.cpp through {@link SafetyGuard}: the verdict
 * comes from the model. Numerical agreement with the Hugging Face computation is checked elsewhere; this proves
 * the files load and run, and that a failed conversion leaves nothing behind.
 */
class CheckpointConverterIT {
    @TempDir
    Path dir;

    @Test
    void oneVisionLegacyKeysTiedSingleFileBf16ToF16() throws Exception {
        convertAndAssess(
                HfArchitecture.LLAVA_ONEVISION,
                HfKeyLayout.LEGACY,
                true,
                1,
                SafetensorsDtype.BF16,
                QuantizationType.F16);
    }

    @Test
    void oneVisionCurrentKeysUntiedThreeShardsToQ8() throws Exception {
        convertAndAssess(
                HfArchitecture.LLAVA_ONEVISION,
                HfKeyLayout.CURRENT,
                false,
                3,
                SafetensorsDtype.BF16,
                QuantizationType.Q8_0);
    }

    @Test
    void llavaLegacyKeysTwoShardsF16ToF16() throws Exception {
        convertAndAssess(
                HfArchitecture.LLAVA, HfKeyLayout.LEGACY, false, 2, SafetensorsDtype.F16, QuantizationType.F16);
    }

    @Test
    void llavaCurrentKeysSingleFileBf16ToQ8() throws Exception {
        convertAndAssess(
                HfArchitecture.LLAVA, HfKeyLayout.CURRENT, false, 1, SafetensorsDtype.BF16, QuantizationType.Q8_0);
    }

    private void convertAndAssess(
            HfArchitecture arch,
            HfKeyLayout layout,
            boolean tied,
            int shards,
            SafetensorsDtype dtype,
            QuantizationType type)
            throws Exception {
        SyntheticCheckpoint ckpt = SyntheticCheckpoint.write(
                SyntheticCheckpointOptions.builder()
                        .architecture(arch)
                        .layout(layout)
                        .tiedEmbeddings(tied)
                        .shards(shards)
                        .dtype(dtype)
                        .build(),
                dir.resolve("LlavaGuard-synthetic"));
        Path out = dir.resolve("out");
        List<long[]> progress = new ArrayList<>();
        ConvertedModel converted = CheckpointConverter.convert(
                ckpt.dir(),
                ConvertOptions.builder(out)
                        .type(type)
                        .threads(2)
                        .progress((done, total) -> progress.add(new long[] {done, total}))
                        .build());

        assertThat(converted.model()).isEqualTo(out.resolve("LlavaGuard-synthetic.gguf"));
        assertThat(converted.mmproj()).isEqualTo(out.resolve("LlavaGuard-synthetic-mmproj.gguf"));
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("LlavaGuard-synthetic.gguf", "LlavaGuard-synthetic-mmproj.gguf");
        }
        // readable like any new file, not owner-only like the temporaries they were written as
        Path probe = Files.createFile(dir.resolve("probe"));
        assertThat(Files.getPosixFilePermissions(converted.model())).isEqualTo(Files.getPosixFilePermissions(probe));
        assertThat(Files.getPosixFilePermissions(converted.mmproj())).isEqualTo(Files.getPosixFilePermissions(probe));
        assertThat(converted.keyLayout().name()).isEqualTo(layout == HfKeyLayout.LEGACY ? "BEFORE_4_52" : "SINCE_4_52");
        assertThat(progress).isNotEmpty();
        long[] last = progress.get(progress.size() - 1);
        assertThat(last[0]).isEqualTo(last[1]).isEqualTo(converted.sourceBytes());

        boolean onevision = arch == HfArchitecture.LLAVA_ONEVISION;
        GgufFile text = GgufReader.read(converted.model());
        Map<String, GgufTensorInfo> t = byName(text);
        assertThat(text.findString(ModelKeys.ARCHITECTURE)).hasValue(onevision ? "qwen2" : "llama");
        assertThat(text.findString(ModelKeys.LLAVAGUARD_VERSION)).hasValue(onevision ? "v1.2" : "v1.1");
        assertThat(t.containsKey("output.weight")).isEqualTo(!tied);
        assertThat(t.get("blk.0.attn_q.weight").type())
                .isEqualTo(type == QuantizationType.F16 ? GgmlType.F16 : GgmlType.Q8_0);
        GgufFile proj = GgufReader.read(converted.mmproj());
        Map<String, GgufTensorInfo> p = byName(proj);
        assertThat(proj.getInt32Array(ModelKeys.FEATURE_LAYER))
                .containsExactly((int) proj.getU32(ModelKeys.VISION_BLOCK_COUNT));
        assertThat(proj.getU32(ModelKeys.VISION_BLOCK_COUNT)).isEqualTo(2); // LLaVA: 2 of 3 layers (feature layer -2)
        assertThat(p.containsKey(ModelKeys.IMAGE_NEWLINE)).isEqualTo(onevision);
        assertThat(p.containsKey(ModelKeys.CLASS_EMBEDDING)).isEqualTo(!onevision);
        assertThat(p.get("mm.0.weight").type()).isEqualTo(GgmlType.F16);
        assertThat(proj.findBool(ModelKeys.USE_GELU)).hasValue(onevision);

        ModelPairReport report = ModelPairValidator.validate(converted.model(), converted.mmproj());
        assertThat(report.errors()).isEmpty();
        assertThat(report.warnings()).isEmpty();

        try (LlamaCppModel model = LlamaCppModel.open(LlamaCppConfig.builder(converted.model(), converted.mmproj())
                        .threads(2)
                        .warmup(false)
                        .build());
                SafetyGuard guard = SafetyGuard.builder()
                        .model(model)
                        .ownsModel(false)
                        .generationOptions(GenerationOptions.DEFAULT
                                .withGreedy(true)
                                .withVerdictOnly(true)
                                .withMaxNewTokens(200))
                        .cache(CacheConfig.disabled())
                        .failureMode(FailureMode.THROW)
                        .build()) {
            Verdict v = guard.assess(ImageInput.ofBytes(png(40, 30), "synthetic.png"));
            assertThat(v.source()).isEqualTo(VerdictSource.MODEL);
            assertThat(v.promptTokens()).isPresent();
        }
    }

    @Test
    void refusesExistingTargetsUnlessAllowed() throws Exception {
        SyntheticCheckpoint ckpt = SyntheticCheckpoint.write(
                SyntheticCheckpointOptions.builder()
                        .architecture(HfArchitecture.LLAVA)
                        .build(),
                dir.resolve("ckpt"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("mine-mmproj.gguf"), "keep me");
        ConvertOptions.Builder options = ConvertOptions.builder(out).name("mine");
        assertThatThrownBy(() -> CheckpointConverter.convert(ckpt.dir(), options.build()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("mine-mmproj.gguf exists")
                .hasMessageContaining("--overwrite");
        assertThat(Files.readString(out.resolve("mine-mmproj.gguf"))).isEqualTo("keep me");
        assertThat(Files.list(out).count()).isEqualTo(1);

        ConvertedModel converted =
                CheckpointConverter.convert(ckpt.dir(), options.overwrite(true).build());
        assertThat(GgufReader.read(converted.mmproj()).findString(ModelKeys.ARCHITECTURE))
                .hasValue("clip");
        assertThat(Files.list(out).count()).isEqualTo(2);
    }

    /** The text model fails late (a value beyond F16 in its last layer), after the mmproj was written: no trace. */
    @Test
    void failureWhileWritingLeavesNoFile() throws Exception {
        SyntheticCheckpoint ckpt = SyntheticCheckpoint.write(
                SyntheticCheckpointOptions.builder()
                        .architecture(HfArchitecture.LLAVA_ONEVISION)
                        .shards(2)
                        .build(),
                dir.resolve("ckpt"));
        String victim = "language_model.model.layers.1.mlp.down_proj.weight";
        try (CheckpointTensors tensors = CheckpointTensors.open(ckpt.dir())) {
            SafetensorsTensor t = tensors.find(victim).orElseThrow();
            try (RandomAccessFile f = new RandomAccessFile(t.file().toFile(), "rw")) {
                f.seek(t.dataStart() + 2);
                f.write(new byte[] {0x00, 0x7f}); // bf16 0x7f00 = 1.7e38
            }
        }
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> CheckpointConverter.convert(
                        ckpt.dir(), ConvertOptions.builder(out).build()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(victim)
                .hasMessageContaining("F16 range");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void truncatedShardIsRefusedBeforeAnythingIsWritten() throws Exception {
        SyntheticCheckpoint ckpt = SyntheticCheckpoint.write(
                SyntheticCheckpointOptions.builder()
                        .architecture(HfArchitecture.LLAVA)
                        .shards(2)
                        .build(),
                dir.resolve("ckpt"));
        Path shard = ckpt.weightFiles().get(1);
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> CheckpointConverter.convert(
                        ckpt.dir(), ConvertOptions.builder(out).build()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(shard.getFileName().toString())
                .hasMessageContaining("truncated");
        assertThat(out).doesNotExist();
    }

    @Test
    void missingTokenizerIsACheckpointProblemAndWritesNothing() throws Exception {
        SyntheticCheckpoint ckpt = SyntheticCheckpoint.write(
                SyntheticCheckpointOptions.builder()
                        .architecture(HfArchitecture.LLAVA_ONEVISION)
                        .build(),
                dir.resolve("ckpt"));
        Files.delete(ckpt.dir().resolve("tokenizer.json"));
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> CheckpointConverter.convert(
                        ckpt.dir(), ConvertOptions.builder(out).build()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tokenizer");
        assertThat(out).doesNotExist();
    }

    private static Map<String, GgufTensorInfo> byName(GgufFile f) {
        return f.tensors().stream().collect(Collectors.toMap(GgufTensorInfo::name, Function.identity()));
    }

    private static byte[] png(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 7 + y * 13) * 0x010203);
            }
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(img, "png", b);
        return b.toByteArray();
    }
}
