package io.safetyguard.llamacpp.tools.tiny;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.policy.Policy;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full-size random model generator, checked on the real shape's numbers and on a shrunken shape that is written,
 * read back and run in llama.cpp (the full-size files are 1.8 GB: too big for the default suite).
 */
class RandomModelGeneratorIT {
    /**
     * LlavaGuard-v1.2-0.5B's structure (GQA, q/k/v biases, tied embeddings, anyres) with tiny widths. The 30 px tile
     * is not a multiple of the 14 px patch, like SigLIP's 384 / 14: the remainder is dropped (2 x 2 patches).
     */
    private static final RandomModelShape SHRUNK = new RandomModelShape(
            "shrunk", 64, 2, 4, 2, 96, 4096, 32, 48, 2, 2, 30, 14, List.of(30, 30, 30, 60, 60, 30, 60, 60));

    @TempDir
    Path dir;

    @Test
    void llavaGuardShapeHasTheHuggingFaceNumbers() {
        RandomModelShape s = RandomModelShape.LLAVAGUARD_V1_2_0_5B;
        assertThat(s.textEmbd()).isEqualTo(896);
        assertThat(s.textLayers()).isEqualTo(24);
        assertThat(s.headDim()).isEqualTo(64);
        assertThat(s.kvWidth()).isEqualTo(128);
        assertThat(s.textFf()).isEqualTo(4864);
        assertThat(s.visionEmbd()).isEqualTo(1152);
        assertThat(s.visionFf()).isEqualTo(4304);
        assertThat(s.visionLayers()).isEqualTo(26);
        assertThat(s.tokensPerTile()).isEqualTo(729);
        assertThat(s.pinpoints()).hasSize(72).startsWith(384, 384, 384, 768).endsWith(2304, 2304);
        assertThat(RandomModelShape.fromCliName("LlavaGuard-v1.2-0.5B")).isSameAs(s);
        assertThatThrownBy(() -> RandomModelShape.fromCliName("llava-7b")).hasMessageContaining("llavaguard-v1.2-0.5b");
    }

    @Test
    void writesQwen2AndSiglipTensorsWithGroupedQueryAttentionAndRunsInLlamaCpp() throws Exception {
        TinyModelPair pair = RandomModelGenerator.generate(SHRUNK, 7, Optional.empty(), dir);

        GgufFile text = GgufReader.read(pair.model());
        Map<String, String> t = shapes(text);
        assertThat(t)
                .containsEntry("token_embd.weight", "f16 [64, 151936]")
                .containsEntry("blk.1.attn_q.weight", "f16 [64, 64]")
                .containsEntry("blk.1.attn_k.weight", "f16 [64, 32]") // 2 key/value heads of 16
                .containsEntry("blk.1.attn_v.bias", "f32 [32]")
                .containsEntry("blk.1.ffn_down.weight", "f16 [96, 64]")
                .doesNotContainKey("output.weight"); // tied embeddings
        assertThat(t).hasSize(2 + 2 * 12);
        assertThat(text.findString(ModelKeys.ARCHITECTURE)).hasValue("qwen2");
        assertThat(text.metadata().get("qwen2.attention.head_count_kv").toString())
                .contains("2");

        GgufFile proj = GgufReader.read(pair.mmproj());
        Map<String, String> p = shapes(proj);
        assertThat(p)
                .containsEntry("v.position_embd.weight", "f32 [32, 4]")
                .containsEntry("v.blk.1.ffn_up.weight", "f16 [32, 48]")
                .containsEntry("mm.0.weight", "f16 [32, 64]")
                .containsEntry("mm.2.weight", "f16 [64, 64]")
                .containsEntry("v.image_newline", "f32 [64]");
        assertThat(proj.metadata().get(ModelKeys.FEATURE_LAYER).toString()).contains("2");
        assertThat(proj.metadata().get(ModelKeys.TINY).toString()).contains("true");

        // llama.cpp loads the pair and answers under the verdict grammar
        try (LlamaCppModel model = LlamaCppModel.open(LlamaCppConfig.builder(pair.model(), pair.mmproj())
                .threads(1)
                .warmup(false)
                .build())) {
            Policy policy = Policy.llavaGuardDefault();
            DecodedImage image = new ImageDecoder(ImageLimits.DEFAULT)
                    .decode(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "black");
            ModelOutput out = model.evaluate(ModelRequest.of(
                    image,
                    policy,
                    GenerationOptions.DEFAULT
                            .withGreedy(true)
                            .withVerdictOnly(true)
                            .withMaxNewTokens(200),
                    null));
            JsonNode verdict = new ObjectMapper().readTree(out.text());
            assertThat(verdict.has("rating")).as(out.text()).isTrue();
            assertThat(out.promptTokens()).isGreaterThan(SHRUNK.tokensPerTile());
        }
    }

    private static Map<String, String> shapes(GgufFile f) {
        return f.tensors().stream()
                .collect(Collectors.toMap(
                        GgufTensorInfo::name, i -> i.type().name().toLowerCase() + " " + Arrays.toString(i.dims())));
    }
}
