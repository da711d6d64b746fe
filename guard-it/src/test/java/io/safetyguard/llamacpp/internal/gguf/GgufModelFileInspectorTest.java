package io.safetyguard.llamacpp.internal.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufModelFileInspectorTest {

    @TempDir
    Path dir;

    @Test
    void summarisesAVicunaStyleTextModel() throws Exception {
        Map<String, GgufValue> keys = TestModels.textKeys("llama", 64);
        keys.put("tokenizer.chat_template", GgufValue.string("{{ messages }}"));
        Path file = TestModels.writeText(dir.resolve("llava.gguf"), keys, 64);

        TextModelSummary s = ModelFileInspector.inspectTextModel(file);

        assertThat(s.file()).isEqualTo(file.toString());
        assertThat(s.architecture()).isEqualTo("llama");
        assertThat(s.embeddingLength()).isEqualTo(64);
        assertThat(s.blockCount()).isEqualTo(2);
        assertThat(s.contextLength()).hasValue(4096);
        assertThat(s.vocabSize()).isEqualTo(4);
        assertThat(s.tokenizerModel()).contains("llama");
        assertThat(s.hasChatTemplate()).isTrue();
        assertThat(s.fileType()).hasValue(15);
        assertThat(s.fileTypeName()).isEqualTo("Q4_K_M");
        assertThat(s.family()).isEqualTo(LlavaGuardFamily.VICUNA_V1_0_V1_1);
        assertThat(s.familyDeclared()).isFalse();
        assertThat(s.tiny()).isFalse();
        assertThat(s.tensorCount()).isEqualTo(1);
        assertThat(s.describe()).contains("llama", "width 64", "Q4_K_M", "guessed from the architecture");
    }

    @Test
    void familyComesFromTheVersionKeyWhenPresentElseFromTheArchitecture() throws Exception {
        Map<String, GgufValue> qwen = TestModels.textKeys("qwen2", 896);
        TextModelSummary guessed =
                ModelFileInspector.inspectTextModel(TestModels.writeText(dir.resolve("q.gguf"), qwen, 896));
        assertThat(guessed.family()).isEqualTo(LlavaGuardFamily.ONEVISION_V1_2);
        assertThat(guessed.family().promptFormat()).isEqualTo("chatml");
        assertThat(guessed.hasChatTemplate()).isFalse();

        Map<String, GgufValue> declared = TestModels.textKeys("llama", 64);
        declared.put(ModelKeys.LLAVAGUARD_VERSION, GgufValue.string("v1.2"));
        declared.put(ModelKeys.TINY, GgufValue.bool(true));
        TextModelSummary s =
                ModelFileInspector.inspectTextModel(TestModels.writeText(dir.resolve("d.gguf"), declared, 64));
        assertThat(s.family()).isEqualTo(LlavaGuardFamily.ONEVISION_V1_2);
        assertThat(s.declaredVersion()).contains("v1.2");
        assertThat(s.tiny()).isTrue();

        Map<String, GgufValue> other = TestModels.textKeys("gemma3", 64);
        assertThat(ModelFileInspector.inspectTextModel(TestModels.writeText(dir.resolve("g.gguf"), other, 64))
                        .family())
                .isEqualTo(LlavaGuardFamily.UNKNOWN);
        assertThat(LlavaGuardFamily.fromVersion("1.1")).isEqualTo(LlavaGuardFamily.VICUNA_V1_0_V1_1);
        assertThat(LlavaGuardFamily.fromVersion("v2")).isEqualTo(LlavaGuardFamily.UNKNOWN);
    }

    @Test
    void summarisesAnMmproj() throws Exception {
        Map<String, GgufValue> keys = TestModels.projectorKeys();
        keys.put(ModelKeys.IMAGE_GRID_PINPOINTS, GgufValue.int32Array(336, 672, 672, 336, 672, 672, 1008, 336));
        keys.put(ModelKeys.MM_PATCH_MERGE_TYPE, GgufValue.string("spatial_unpad"));
        Path file = TestModels.writeProjector(dir.resolve("mmproj.gguf"), keys, 4096, true, true);

        ProjectorSummary s = ModelFileInspector.inspectProjector(file);

        assertThat(s.architecture()).isEqualTo("clip");
        assertThat(s.projectorType()).isEqualTo("mlp");
        assertThat(s.hasVisionEncoder()).isTrue();
        assertThat(s.imageSize()).isEqualTo(336);
        assertThat(s.patchSize()).isEqualTo(14);
        assertThat(s.embeddingLength()).isEqualTo(TestModels.VISION_WIDTH);
        assertThat(s.blockCount()).isEqualTo(23);
        assertThat(s.projectionOutputWidth()).hasValue(4096);
        assertThat(s.projectionOutputTensor()).contains("mm.2.weight");
        assertThat(s.pinpoints()).containsExactly(336, 672, 672, 336, 672, 672, 1008, 336);
        assertThat(s.featureLayers()).containsExactly(23);
        assertThat(s.useGelu()).contains(true);
        assertThat(s.imageMean()).containsExactly(0.48145466f, 0.4578275f, 0.40821073f);
        assertThat(s.imageStd()).hasSize(3);
        assertThat(s.hasImageNewline()).isTrue();
        assertThat(s.hasClassEmbedding()).isTrue();
        assertThat(s.patchMergeType()).contains("spatial_unpad");
        assertThat(s.tokensPerTile()).isEqualTo(576);
        assertThat(s.maxTilesPerImage()).isEqualTo(5); // 2x2 tiles of the 672x672 pinpoint + overview
        assertThat(s.maxTokensPerImage()).isEqualTo(2880); // the figure llama.cpp's docs give for llava-1.6
        assertThat(s.describe()).contains("projects to 4096", "576 tokens/tile");
    }

    @Test
    void tokensPerTileFollowsClipCpp() {
        assertThat(ModelFileInspector.tokensPerTile(336, 14)).isEqualTo(576);
        assertThat(ModelFileInspector.tokensPerTile(384, 14)).isEqualTo(729);
        assertThat(ModelFileInspector.tokensPerTile(28, 14)).isEqualTo(4);
        assertThatThrownBy(() -> ModelFileInspector.tokensPerTile(28, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void projectionWidthFallsBackToTheLastMmWeight() throws Exception {
        Map<String, GgufValue> keys = TestModels.projectorKeys();
        keys.put(ModelKeys.PROJECTOR_TYPE, GgufValue.string("ldp"));
        GgufWriter w = new GgufWriter(dir.resolve("ldp.gguf"));
        keys.forEach(w::put);
        w.addTensorF32("mm.model.mlp.1.weight", new long[] {8, 16}, new float[128])
                .addTensorF32("mm.model.mlp.3.weight", new long[] {16, 32}, new float[512])
                .addTensorF32("mm.model.peg.0.bias", new long[] {32}, new float[32])
                .write();

        ProjectorSummary s = ModelFileInspector.inspectProjector(dir.resolve("ldp.gguf"));

        assertThat(s.projectionOutputWidth()).hasValue(32);
        assertThat(s.projectionOutputTensor()).contains("mm.model.mlp.3.weight");
        assertThat(s.maxTilesPerImage()).isEqualTo(1);
    }

    @Test
    void refusesTheWrongKindOfFileAndListsEveryMissingKey() throws Exception {
        Path text = TestModels.writeText(dir.resolve("t.gguf"), TestModels.textKeys("llama", 64), 64);
        Path proj = TestModels.writeProjector(dir.resolve("p.gguf"), TestModels.projectorKeys(), 64, true, false);

        assertThatThrownBy(() -> ModelFileInspector.inspectProjector(text))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("is a text model (general.architecture=llama), not a vision projector");
        assertThatThrownBy(() -> ModelFileInspector.inspectTextModel(proj))
                .hasMessageContaining("is a vision projector (general.architecture=clip), not a text model");

        Map<String, GgufValue> keys = TestModels.projectorKeys();
        keys.remove(ModelKeys.IMAGE_SIZE);
        keys.remove(ModelKeys.IMAGE_MEAN);
        keys.put(ModelKeys.PATCH_SIZE, GgufValue.int32(14));
        Path broken = TestModels.writeProjector(dir.resolve("b.gguf"), keys, 64, true, false);
        assertThat(ModelFileInspector.projectorProblems(GgufReader.read(broken)))
                .containsExactlyInAnyOrder(
                        "required key 'clip.vision.image_size' (u32) is missing",
                        "key 'clip.vision.patch_size' has type i32 but llama.cpp reads it as u32 (types must match exactly; "
                                + "re-create the file with the right type)",
                        "required key 'clip.vision.image_mean' (arr[f32]) is missing");
        assertThatThrownBy(() -> ModelFileInspector.inspectProjector(broken))
                .hasMessageStartingWith(broken + ": 3 problems: ");
    }
}
