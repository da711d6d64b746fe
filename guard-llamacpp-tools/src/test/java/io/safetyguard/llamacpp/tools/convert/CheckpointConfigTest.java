package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointConfigTest {
    @TempDir
    Path dir;

    private CheckpointConfig read(String config) throws Exception {
        Files.writeString(dir.resolve("config.json"), config);
        Files.writeString(
                dir.resolve("preprocessor_config.json"),
                "{\"image_mean\":[0.48145466,0.4578275,0.40821073],\"image_std\":[0.26862954,0.26130258,0.27577711]}");
        return CheckpointConfig.read(dir);
    }

    /** llava-hf/llava-1.5-7b-hf's config names little more than this; the rest are transformers' defaults. */
    @Test
    void llava15ConfigGetsLlamaAndClipDefaults() throws Exception {
        CheckpointConfig c = read("{\"architectures\":[\"LlavaForConditionalGeneration\"],\"model_type\":\"llava\","
                + "\"text_config\":{\"model_type\":\"llama\",\"max_position_embeddings\":4096,\"rms_norm_eps\":1e-05,"
                + "\"vocab_size\":32064},"
                + "\"vision_config\":{\"hidden_size\":1024,\"image_size\":336,\"intermediate_size\":4096,"
                + "\"model_type\":\"clip_vision_model\",\"num_attention_heads\":16,\"num_hidden_layers\":24,"
                + "\"patch_size\":14,\"projection_dim\":768,\"vocab_size\":32000}}");
        assertThat(c.onevision()).isFalse();
        TextConfig t = c.text();
        assertThat(t.architecture()).isEqualTo("llama");
        assertThat(t.hiddenSize()).isEqualTo(4096);
        assertThat(t.intermediateSize()).isEqualTo(11008);
        assertThat(t.layers()).isEqualTo(32);
        assertThat(t.heads()).isEqualTo(32);
        assertThat(t.kvHeads()).isEqualTo(32);
        assertThat(t.headDim()).isEqualTo(128);
        assertThat(t.vocabSize()).isEqualTo(32064);
        assertThat(t.contextLength()).isEqualTo(4096);
        assertThat(t.rmsEps()).isEqualTo(1e-5f);
        assertThat(t.ropeTheta()).isEqualTo(10000f);
        assertThat(t.attentionBias()).isFalse();
        assertThat(t.tieWordEmbeddings()).isFalse();
        VisionConfig v = c.vision();
        assertThat(v.siglip()).isFalse();
        assertThat(v.tanhGelu()).isFalse(); // quick_gelu by default
        assertThat(v.layerNormEps()).isEqualTo(1e-5f);
        assertThat(v.positions()).isEqualTo(577);
        assertThat(c.featureLayer()).isEqualTo(23); // vision_feature_layer -2 by default
        assertThat(c.aspectRatio()).isEqualTo("pad");
        assertThat(c.pinpoints()).isEmpty();
        assertThat(c.defaultLlavaGuardVersion()).isEqualTo("v1.1");
    }

    @Test
    void oneVisionDefaultsAreSiglipFullAnyresMax9AndTheLastLayer() throws Exception {
        CheckpointConfig c = read("{\"architectures\":[\"LlavaOnevisionForConditionalGeneration\"],"
                + "\"text_config\":{\"model_type\":\"qwen2\",\"hidden_size\":896,\"intermediate_size\":4864,"
                + "\"num_hidden_layers\":24,\"num_attention_heads\":14,\"num_key_value_heads\":2,"
                + "\"rope_theta\":1000000.0,\"tie_word_embeddings\":true,\"vocab_size\":151936},"
                + "\"vision_config\":{\"model_type\":\"siglip_vision_model\",\"hidden_size\":1152,"
                + "\"intermediate_size\":4304,\"num_hidden_layers\":26,\"num_attention_heads\":16,\"image_size\":384,"
                + "\"patch_size\":14}}");
        assertThat(c.onevision()).isTrue();
        assertThat(c.text().headDim()).isEqualTo(64);
        assertThat(c.text().attentionBias()).isTrue();
        assertThat(c.text().tieWordEmbeddings()).isTrue();
        assertThat(c.text().contextLength()).isEqualTo(32768);
        assertThat(c.vision().tanhGelu()).isTrue();
        assertThat(c.vision().positions()).isEqualTo(729);
        assertThat(c.featureLayer()).isEqualTo(26);
        assertThat(c.aspectRatio()).isEqualTo("anyres_max_9");
        assertThat(c.pinpoints()).hasSize(72).startsWith(384, 384, 384, 768).endsWith(2304, 2304);
        assertThat(c.defaultLlavaGuardVersion()).isEqualTo("v1.2");
    }

    @Test
    void missingConfigIsNamed() {
        assertThatThrownBy(() -> CheckpointConfig.read(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config.json: no such file");
    }

    @Test
    void wrongValueTypeNamesTheKey() {
        assertThatThrownBy(() -> read("{\"architectures\":[\"LlavaForConditionalGeneration\"],"
                        + "\"text_config\":{\"hidden_size\":\"big\"},\"vision_config\":{}}"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("text_config")
                .hasMessageContaining("'hidden_size' must be an integer");
    }

    @Test
    void ropeScalingIsRefused() {
        assertThatThrownBy(
                        () -> read(
                                "{\"architectures\":[\"LlavaForConditionalGeneration\"],"
                                        + "\"text_config\":{\"rope_scaling\":{\"type\":\"linear\",\"factor\":2.0}},\"vision_config\":{}}"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("rope_scaling of type 'linear'");
    }
}
