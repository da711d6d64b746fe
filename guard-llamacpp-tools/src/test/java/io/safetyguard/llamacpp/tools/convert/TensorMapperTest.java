package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorMapperTest {
    @TempDir
    Path dir;

    private TensorMapper.Plan plan(TestCheckpoint checkpoint) throws Exception {
        Path d = checkpoint.write(dir.resolve("ckpt"));
        CheckpointConfig config = CheckpointConfig.read(d);
        try (CheckpointTensors t = CheckpointTensors.open(d)) {
            return TensorMapper.plan(config, KeyLayout.detect(t.all().keySet()), t.all());
        }
    }

    private static Map<String, PlannedTensor> byName(Iterable<PlannedTensor> tensors) {
        return java.util.stream.StreamSupport.stream(tensors.spliterator(), false)
                .collect(Collectors.toMap(PlannedTensor::name, Function.identity()));
    }

    @Test
    void oneVisionKeepsEveryLayerLlavaReadsAndTheNewline() throws Exception {
        TensorMapper.Plan plan = plan(TestCheckpoint.onevision());
        Map<String, PlannedTensor> proj = byName(plan.projector());
        assertThat(proj)
                .containsKeys(
                        "v.patch_embd.weight",
                        "v.patch_embd.bias",
                        "v.position_embd.weight",
                        "v.blk.2.ffn_up.weight",
                        "mm.0.weight",
                        "mm.2.bias",
                        "v.image_newline");
        assertThat(proj)
                .doesNotContainKeys("v.class_embd", "v.pre_ln.weight", "v.post_ln.weight", "v.blk.3.ln1.weight");
        // ggml order: the reverse of PyTorch's
        assertThat(proj.get("v.patch_embd.weight").ne()).containsExactly(14, 14, 3, 16);
        assertThat(proj.get("v.patch_embd.weight").role()).isEqualTo(PlannedTensor.Role.CONV_KERNEL);
        assertThat(proj.get("v.blk.0.ffn_up.weight").ne()).containsExactly(16, 24);
        assertThat(proj.get("v.blk.0.ffn_up.weight").source().name()).endsWith("mlp.fc1.weight");
        assertThat(proj.get("v.blk.0.ffn_down.weight").ne()).containsExactly(24, 16);
        assertThat(proj.get("mm.0.weight").ne()).containsExactly(16, 16);
        Map<String, PlannedTensor> text = byName(plan.text());
        assertThat(text).containsKeys("token_embd.weight", "output.weight", "blk.1.attn_q.bias", "output_norm.weight");
        assertThat(text.get("blk.0.attn_k.weight").ne()).containsExactly(16, 8);
        // qwen2 runs NEOX RoPE: no reordering
        assertThat(text.get("blk.0.attn_q.weight").ropeHeadDim()).isZero();
        assertThat(plan.tiedOutput()).isFalse();
    }

    @Test
    void llavaDropsTheLayersAfterTheFeatureLayerAndPermutesQk() throws Exception {
        TensorMapper.Plan plan = plan(TestCheckpoint.llava()
                .layout(KeyLayout.SINCE_4_52)
                .extra("model.vision_tower.vision_model.embeddings.position_ids", 1, 5)
                .dtype("model.vision_tower.vision_model.embeddings.position_ids", "I64"));
        Map<String, PlannedTensor> proj = byName(plan.projector());
        // vision_feature_layer -2 of 3 layers: hidden_states[2], the output of layers 0 and 1
        assertThat(proj).containsKeys("v.class_embd", "v.pre_ln.weight", "v.pre_ln.bias", "v.blk.1.ln2.bias");
        assertThat(proj)
                .doesNotContainKeys("v.blk.2.ln1.weight", "v.image_newline", "v.patch_embd.bias", "v.post_ln.weight");
        assertThat(proj.get("v.position_embd.weight").ne()).containsExactly(16, 5);
        Map<String, PlannedTensor> text = byName(plan.text());
        assertThat(text.get("blk.0.attn_q.weight").ropeHeadDim()).isEqualTo(8);
        assertThat(text.get("blk.0.attn_k.weight").ropeHeadDim()).isEqualTo(8);
        assertThat(text.get("blk.0.attn_v.weight").ropeHeadDim()).isZero();
        assertThat(text).doesNotContainKey("blk.0.attn_q.bias");
        assertThat(text.get("output.weight").source().name()).isEqualTo("lm_head.weight");
    }

    @Test
    void tiedCheckpointHasNoOutputMatrix() throws Exception {
        TensorMapper.Plan plan = plan(TestCheckpoint.onevision().tied());
        assertThat(plan.tiedOutput()).isTrue();
        assertThat(byName(plan.text())).doesNotContainKey("output.weight");
    }

    @Test
    void missingOutputMatrixOfAnUntiedModelIsNamed() {
        assertThatThrownBy(() -> plan(TestCheckpoint.onevision().remove("language_model.lm_head.weight")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("language_model.lm_head.weight")
                .hasMessageContaining("tie_word_embeddings=false");
    }

    @Test
    void missingTensorsAreListed() {
        assertThatThrownBy(() -> plan(TestCheckpoint.llava()
                        .remove("vision_tower.vision_model.encoder.layers.1.mlp.fc2.bias")
                        .remove("multi_modal_projector.linear_2.weight")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("lacks 2 tensors")
                .hasMessageContaining("vision_tower.vision_model.encoder.layers.1.mlp.fc2.bias")
                .hasMessageContaining("multi_modal_projector.linear_2.weight");
    }

    @Test
    void unexpectedTensorsAreListed() {
        assertThatThrownBy(() -> plan(TestCheckpoint.onevision()
                        .extra("language_model.model.layers.7.mlp.up_proj.weight", 24, 16)
                        .extra("vision_tower.vision_model.encoder.layers.3.mlp.fc1.weight", 24, 16)))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("2 tensors")
                .hasMessageContaining("language_model.model.layers.7.mlp.up_proj.weight")
                .hasMessageContaining("vision_tower.vision_model.encoder.layers.3.mlp.fc1.weight");
    }

    @Test
    void shapeMismatchAgainstTheConfigNamesTensorAndShapes() {
        assertThatThrownBy(() -> plan(
                        TestCheckpoint.onevision().reshape("language_model.model.layers.1.mlp.up_proj.weight", 32, 16)))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'language_model.model.layers.1.mlp.up_proj.weight'")
                .hasMessageContaining("[32, 16]")
                .hasMessageContaining("[24, 16]")
                .hasMessageContaining("intermediate_size 24");
    }

    @Test
    void unsupportedDtypeNamesTensorAndDtype() {
        assertThatThrownBy(() -> plan(TestCheckpoint.llava().dtype("multi_modal_projector.linear_1.bias", "F64")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'multi_modal_projector.linear_1.bias'")
                .hasMessageContaining("F64")
                .hasMessageContaining("BF16, F16 and F32");
    }

    @Test
    void towerAsWideAsItsFfnIsNamedSoThatClipCppsSwapRestoresIt() throws Exception {
        TensorMapper.Plan plan = plan(TestCheckpoint.llava().visionFf(TestCheckpoint.V_EMBD));
        Map<String, PlannedTensor> proj = byName(plan.projector());
        assertThat(proj.get("v.blk.0.ffn_down.weight").source().name()).endsWith("mlp.fc1.weight");
        assertThat(proj.get("v.blk.0.ffn_up.weight").source().name()).endsWith("mlp.fc2.weight");
        assertThat(proj.get("v.blk.0.ffn_down.bias").source().name()).endsWith("mlp.fc1.bias");
    }

    @Test
    void projectorWithoutBiasesGetsZeroBiases() throws Exception {
        TensorMapper.Plan plan = plan(TestCheckpoint.llava()
                .config(c -> c.put("multimodal_projector_bias", false))
                .remove("multi_modal_projector.linear_1.bias")
                .remove("multi_modal_projector.linear_2.bias"));
        Map<String, PlannedTensor> proj = byName(plan.projector());
        assertThat(proj.get("mm.0.bias").source()).isNull();
        assertThat(proj.get("mm.2.bias").ne()).containsExactly(16);
    }

    @Test
    void unknownArchitectureIsNamed() {
        assertThatThrownBy(() -> plan(TestCheckpoint.llava()
                        .config(c -> c.putArray("architectures").removeAll().add("LlavaNextForConditionalGeneration"))))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("LlavaNextForConditionalGeneration")
                .hasMessageContaining("LlavaOnevisionForConditionalGeneration");
    }

    @Test
    void unsupportedTextModelIsNamed() {
        assertThatThrownBy(() -> plan(TestCheckpoint.llava()
                        .config(c -> ((ObjectNode) c.get("text_config")).put("model_type", "mistral"))))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'mistral'");
    }

    @Test
    void selectStrategyThatLlamaCppCannotComputeIsRefused() {
        assertThatThrownBy(
                        () -> plan(TestCheckpoint.llava().config(c -> c.put("vision_feature_select_strategy", "full"))))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("vision_feature_select_strategy 'full'");
    }
}
