package io.safetyguard.llamacpp.tools.tiny;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synthetic checkpoints read back with a minimal safetensors reader written here from the format's description
 * (not the writer's code): header, offsets, sizes, index, key sets of both layouts and both architectures, config.
 */
class SyntheticCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static SyntheticCheckpointOptions.Builder tiny(HfArchitecture arch) {
        return SyntheticCheckpointOptions.builder().architecture(arch).tokenizer(false);
    }

    @Test
    void oneVisionLegacySingleFileHasThePublishedKeysShapesAndValues() throws IOException {
        SyntheticCheckpoint ckpt =
                SyntheticCheckpoint.write(tiny(HfArchitecture.LLAVA_ONEVISION).build(), dir);

        assertThat(dir.resolve("model.safetensors")).exists();
        assertThat(dir.resolve("model.safetensors.index.json")).doesNotExist();
        SafetensorsFile file = SafetensorsFile.read(dir.resolve("model.safetensors"));
        assertThat(file.metadata).isEqualTo(Map.of("format", "pt"));
        assertThat(file.tensors.keySet()).isEqualTo(oneVisionLegacyKeys(2, 2, false));
        assertThat(new ArrayList<>(file.tensors.keySet())).isSorted();
        file.tensors.values().forEach(t -> assertThat(t.dtype).isEqualTo("BF16"));

        assertThat(file.shape("language_model.model.embed_tokens.weight")).containsExactly(152000, 64);
        assertThat(file.shape("language_model.model.layers.0.self_attn.q_proj.weight"))
                .containsExactly(64, 64);
        assertThat(file.shape("language_model.model.layers.0.self_attn.k_proj.weight"))
                .containsExactly(32, 64);
        assertThat(file.shape("language_model.model.layers.0.self_attn.k_proj.bias"))
                .containsExactly(32);
        assertThat(file.shape("language_model.model.layers.1.mlp.gate_proj.weight"))
                .containsExactly(96, 64);
        assertThat(file.shape("language_model.model.layers.1.mlp.down_proj.weight"))
                .containsExactly(64, 96);
        assertThat(file.shape("vision_tower.vision_model.embeddings.patch_embedding.weight"))
                .containsExactly(32, 3, 14, 14);
        assertThat(file.shape("vision_tower.vision_model.embeddings.position_embedding.weight"))
                .containsExactly(4, 32);
        assertThat(file.shape("vision_tower.vision_model.encoder.layers.1.mlp.fc1.weight"))
                .containsExactly(64, 32);
        assertThat(file.shape("multi_modal_projector.linear_1.weight")).containsExactly(64, 32);
        assertThat(file.shape("multi_modal_projector.linear_2.weight")).containsExactly(64, 64);
        assertThat(file.shape("image_newline")).containsExactly(64);

        for (String name : List.of(
                "image_newline",
                "language_model.model.layers.1.self_attn.v_proj.bias",
                "vision_tower.vision_model.post_layernorm.weight",
                "multi_modal_projector.linear_2.weight")) {
            assertThat(file.floats(name)).as(name).containsExactly(ckpt.values(name));
        }
        float[] norm = file.floats("language_model.model.norm.weight");
        assertThat(mean(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.05));
        float[] q = file.floats("language_model.model.layers.0.self_attn.q_proj.weight");
        assertThat(std(q)).isCloseTo(1 / Math.sqrt(64), org.assertj.core.data.Offset.offset(0.01));
        assertThat(distinct(q)).isGreaterThan(q.length / 4);
    }

    @Test
    void currentLayoutRenamesEveryKeyAsTransformers452AndKeepsTheValues() throws IOException {
        Path legacyDir = dir.resolve("legacy");
        Path currentDir = dir.resolve("current");
        SyntheticCheckpoint.write(
                tiny(HfArchitecture.LLAVA_ONEVISION).tiedEmbeddings(false).build(), legacyDir);
        SyntheticCheckpoint.write(
                tiny(HfArchitecture.LLAVA_ONEVISION)
                        .tiedEmbeddings(false)
                        .layout(HfKeyLayout.CURRENT)
                        .build(),
                currentDir);

        SafetensorsFile legacy = SafetensorsFile.read(legacyDir.resolve("model.safetensors"));
        SafetensorsFile current = SafetensorsFile.read(currentDir.resolve("model.safetensors"));
        assertThat(legacy.tensors.keySet()).contains("language_model.lm_head.weight");
        Map<String, String> renamed = new HashMap<>();
        legacy.tensors.keySet().forEach(k -> renamed.put(toCurrent(k), k));
        assertThat(current.tensors.keySet()).isEqualTo(renamed.keySet());
        assertThat(current.tensors.keySet())
                .contains(
                        "lm_head.weight",
                        "model.image_newline",
                        "model.language_model.embed_tokens.weight",
                        "model.vision_tower.vision_model.post_layernorm.bias",
                        "model.multi_modal_projector.linear_1.bias");
        for (String key : current.tensors.keySet()) {
            assertThat(current.bytes(key)).as(key).isEqualTo(legacy.bytes(renamed.get(key)));
        }
        JsonNode config = JSON.readTree(currentDir.resolve("config.json").toFile());
        assertThat(config.get("transformers_version").asText()).isEqualTo("4.52.3");
        assertThat(config.has("ignore_index")).isFalse();
        assertThat(JSON.readTree(legacyDir.resolve("config.json").toFile())
                        .get("transformers_version")
                        .asText())
                .isEqualTo("4.45.2");
    }

    @Test
    void tiedHasNoOutputMatrixAndUntiedHasOneOfTheEmbeddingsShape() throws IOException {
        SyntheticCheckpoint.write(tiny(HfArchitecture.LLAVA_ONEVISION).build(), dir.resolve("tied"));
        SyntheticCheckpoint.write(
                tiny(HfArchitecture.LLAVA_ONEVISION).tiedEmbeddings(false).build(), dir.resolve("untied"));
        SafetensorsFile tied = SafetensorsFile.read(dir.resolve("tied/model.safetensors"));
        SafetensorsFile untied = SafetensorsFile.read(dir.resolve("untied/model.safetensors"));

        assertThat(tied.tensors.keySet()).noneMatch(k -> k.contains("lm_head"));
        assertThat(untied.shape("language_model.lm_head.weight")).containsExactly(152000, 64);
        assertThat(untied.bytes("language_model.lm_head.weight"))
                .isNotEqualTo(untied.bytes("language_model.model.embed_tokens.weight"));
        JsonNode tiedText =
                JSON.readTree(dir.resolve("tied/config.json").toFile()).get("text_config");
        JsonNode untiedText =
                JSON.readTree(dir.resolve("untied/config.json").toFile()).get("text_config");
        assertThat(tiedText.get("tie_word_embeddings").asBoolean()).isTrue();
        assertThat(untiedText.has("tie_word_embeddings")).isFalse(); // Qwen2Config's default, false
    }

    @Test
    void shardsSplitTheTensorsAndTheIndexCoversEachExactlyOnce() throws IOException {
        SyntheticCheckpoint ckpt = SyntheticCheckpoint.write(
                tiny(HfArchitecture.LLAVA).shards(3).layout(HfKeyLayout.CURRENT).build(), dir);

        assertThat(dir.resolve("model.safetensors")).doesNotExist();
        JsonNode index =
                JSON.readTree(dir.resolve("model.safetensors.index.json").toFile());
        Map<String, String> weightMap = new LinkedHashMap<>();
        index.get("weight_map")
                .fields()
                .forEachRemaining(e -> weightMap.put(e.getKey(), e.getValue().asText()));
        assertThat(new ArrayList<>(weightMap.keySet())).isSorted();
        assertThat(new TreeSet<>(weightMap.values()))
                .containsExactly(
                        "model-00001-of-00003.safetensors",
                        "model-00002-of-00003.safetensors",
                        "model-00003-of-00003.safetensors");

        Map<String, String> seen = new HashMap<>();
        long totalSize = 0;
        for (String shard : new TreeSet<>(weightMap.values())) {
            SafetensorsFile file = SafetensorsFile.read(dir.resolve(shard));
            assertThat(file.tensors).isNotEmpty();
            for (Map.Entry<String, Entry> e : file.tensors.entrySet()) {
                assertThat(seen.put(e.getKey(), shard))
                        .as("%s in two shards", e.getKey())
                        .isNull();
                totalSize += e.getValue().end - e.getValue().begin;
            }
        }
        assertThat(seen).isEqualTo(weightMap);
        assertThat(seen.keySet())
                .isEqualTo(llavaLegacyKeys(2, 3, true).stream()
                        .map(SyntheticCheckpointTest::toCurrent)
                        .collect(Collectors.toSet()));
        assertThat(index.at("/metadata/total_size").asLong()).isEqualTo(totalSize);
        assertThat(ckpt.weightMap()).isEqualTo(weightMap);
        // the embedding and output matrix dominate; the split still gives three non-empty files
        assertThat(ckpt.weightFiles()).hasSize(3);
    }

    @Test
    void rewritingAFolderWithAnotherShardCountLeavesOnlyTheNewWeightFiles() throws IOException {
        SyntheticCheckpoint.write(tiny(HfArchitecture.LLAVA).shards(3).build(), dir);
        SyntheticCheckpoint ckpt =
                SyntheticCheckpoint.write(tiny(HfArchitecture.LLAVA).shards(2).build(), dir);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("model")))
                    .containsExactlyInAnyOrder(
                            "model-00001-of-00002.safetensors",
                            "model-00002-of-00002.safetensors",
                            "model.safetensors.index.json");
        }
        SyntheticCheckpoint.write(tiny(HfArchitecture.LLAVA).build(), dir);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("model")))
                    .containsExactly("model.safetensors");
        }
        assertThat(ckpt.weightFiles()).hasSize(2);
    }

    @Test
    void llavaHasClipTowerLlamaLayersAndItsConfig() throws IOException {
        SyntheticCheckpoint.write(tiny(HfArchitecture.LLAVA).build(), dir);
        SafetensorsFile file = SafetensorsFile.read(dir.resolve("model.safetensors"));

        assertThat(file.tensors.keySet()).isEqualTo(llavaLegacyKeys(2, 3, true));
        assertThat(file.shape("vision_tower.vision_model.embeddings.position_embedding.weight"))
                .containsExactly(5, 32); // 2 × 2 patches + class token
        assertThat(file.shape("vision_tower.vision_model.embeddings.class_embedding"))
                .containsExactly(32);
        assertThat(file.shape("language_model.model.embed_tokens.weight")).containsExactly(32064, 64);
        assertThat(file.shape("language_model.lm_head.weight")).containsExactly(32064, 64);

        JsonNode c = JSON.readTree(dir.resolve("config.json").toFile());
        assertThat(c.get("architectures").get(0).asText()).isEqualTo("LlavaForConditionalGeneration");
        assertThat(c.get("model_type").asText()).isEqualTo("llava");
        assertThat(c.get("image_token_index").asInt()).isEqualTo(32000);
        assertThat(c.get("pad_token_id").asInt()).isEqualTo(32001);
        assertThat(c.get("vision_feature_layer").asInt()).isEqualTo(-2);
        assertThat(c.get("vision_feature_select_strategy").asText()).isEqualTo("default");
        assertThat(c.get("tie_word_embeddings").asBoolean()).isFalse();
        assertThat(c.has("image_grid_pinpoints")).isFalse();
        JsonNode text = c.get("text_config");
        assertThat(text.get("model_type").asText()).isEqualTo("llama");
        assertThat(text.get("vocab_size").asInt()).isEqualTo(32064);
        assertThat(text.get("rms_norm_eps").asDouble()).isEqualTo(1e-5);
        assertThat(text.get("num_key_value_heads").asInt()).isEqualTo(2);
        assertThat(text.has("rope_theta")).isFalse(); // LlamaConfig's default 10000
        JsonNode vision = c.get("vision_config");
        assertThat(vision.get("model_type").asText()).isEqualTo("clip_vision_model");
        assertThat(vision.get("num_hidden_layers").asInt()).isEqualTo(3);
        assertThat(vision.has("layer_norm_eps")).isFalse(); // CLIPVisionConfig's default 1e-5
        assertThat(vision.has("hidden_act")).isFalse(); // quick_gelu, the default
        JsonNode pre = JSON.readTree(dir.resolve("preprocessor_config.json").toFile());
        assertThat(pre.get("image_processor_type").asText()).isEqualTo("CLIPImageProcessor");
        assertThat(pre.at("/size/shortest_edge").asInt()).isEqualTo(28);
        assertThat(pre.get("image_mean").get(0).asDouble()).isEqualTo(0.48145466);
    }

    @Test
    void oneVisionConfigHasThePublishedFields() throws IOException {
        SyntheticCheckpoint.write(tiny(HfArchitecture.LLAVA_ONEVISION).build(), dir);
        String raw = Files.readString(dir.resolve("config.json"));
        JsonNode c = JSON.readTree(raw);

        assertThat(raw).startsWith("{\n  \"architectures\": [\n    \"LlavaOnevisionForConditionalGeneration\"\n  ],");
        assertThat(raw).endsWith("}\n");
        assertThat(fieldNames(c))
                .containsExactly(
                        "architectures",
                        "ignore_index",
                        "image_grid_pinpoints",
                        "image_token_index",
                        "model_type",
                        "projector_hidden_act",
                        "text_config",
                        "tie_word_embeddings",
                        "torch_dtype",
                        "transformers_version",
                        "use_image_newline_parameter",
                        "video_token_index",
                        "vision_aspect_ratio",
                        "vision_config",
                        "vision_feature_layer",
                        "vision_feature_select_strategy");
        assertThat(c.get("model_type").asText()).isEqualTo("llava_onevision");
        assertThat(c.get("image_token_index").asInt()).isEqualTo(151646);
        assertThat(c.get("video_token_index").asInt()).isEqualTo(151647);
        assertThat(c.get("vision_aspect_ratio").asText()).isEqualTo("anyres_max_9");
        assertThat(c.get("vision_feature_layer").asInt()).isEqualTo(-1);
        assertThat(c.get("vision_feature_select_strategy").asText()).isEqualTo("full");
        assertThat(c.get("torch_dtype").asText()).isEqualTo("bfloat16");
        assertThat(c.get("tie_word_embeddings").asBoolean())
                .isFalse(); // as the published 0.5B: tying is per text_config
        assertThat(c.get("image_grid_pinpoints")).hasSize(9);
        assertThat(c.at("/image_grid_pinpoints/5").toString()).isEqualTo("[56,84]");
        JsonNode text = c.get("text_config");
        assertThat(text.get("model_type").asText()).isEqualTo("qwen2");
        assertThat(text.get("vocab_size").asInt()).isEqualTo(152000);
        assertThat(text.get("hidden_size").asInt()).isEqualTo(64);
        assertThat(text.get("num_key_value_heads").asInt()).isEqualTo(2);
        assertThat(text.get("rope_theta").asDouble()).isEqualTo(1e6);
        assertThat(text.has("rms_norm_eps")).isFalse(); // Qwen2Config's default 1e-6
        assertThat(raw).contains("\"rope_theta\": 1000000.0");
        JsonNode vision = c.get("vision_config");
        assertThat(vision.get("model_type").asText()).isEqualTo("siglip_vision_model");
        assertThat(vision.get("vision_use_head").asBoolean()).isFalse();
        assertThat(vision.get("image_size").asInt()).isEqualTo(28);
        assertThat(vision.get("patch_size").asInt()).isEqualTo(14);
        assertThat(vision.has("layer_norm_eps")).isFalse();

        JsonNode pre = JSON.readTree(dir.resolve("preprocessor_config.json").toFile());
        assertThat(pre.get("image_processor_type").asText()).isEqualTo("LlavaOnevisionImageProcessor");
        assertThat(pre.get("image_grid_pinpoints")).isEqualTo(c.get("image_grid_pinpoints"));
        assertThat(pre.get("image_mean").toString()).isEqualTo("[0.5,0.5,0.5]");
        assertThat(Files.readString(dir.resolve("preprocessor_config.json")))
                .contains("\"rescale_factor\": 0.00392156862745098");
        JsonNode proc = JSON.readTree(dir.resolve("processor_config.json").toFile());
        assertThat(proc.get("num_image_tokens").asInt()).isEqualTo(4);
        assertThat(JSON.readTree(dir.resolve("chat_template.json").toFile())
                        .get("chat_template")
                        .asText())
                .contains("<|im_start|>", "<image>");
        JsonNode gen = JSON.readTree(dir.resolve("generation_config.json").toFile());
        assertThat(gen.get("eos_token_id").asInt()).isEqualTo(151645);
    }

    @Test
    void dtypesAreWrittenAndRoundedAsDeclared() throws IOException {
        for (SafetensorsDtype dtype : SafetensorsDtype.values()) {
            Path d = dir.resolve(dtype.name());
            SyntheticCheckpoint ckpt = SyntheticCheckpoint.write(
                    tiny(HfArchitecture.LLAVA).dtype(dtype).build(), d);
            SafetensorsFile file = SafetensorsFile.read(d.resolve("model.safetensors"));
            String name = "language_model.model.layers.0.mlp.up_proj.weight";
            assertThat(file.tensors.get(name).dtype).isEqualTo(dtype.headerName());
            assertThat(file.tensors.get(name).end - file.tensors.get(name).begin)
                    .isEqualTo(96L * 64 * dtype.bytes());
            assertThat(file.floats(name)).containsExactly(ckpt.values(name));
            assertThat(JSON.readTree(d.resolve("config.json").toFile())
                            .get("torch_dtype")
                            .asText())
                    .isEqualTo(dtype.torchName());
        }
        float[] f32 = SafetensorsFile.read(dir.resolve("F32/model.safetensors"))
                .floats("language_model.model.layers.0.mlp.up_proj.weight");
        float[] bf16 = SafetensorsFile.read(dir.resolve("BF16/model.safetensors"))
                .floats("language_model.model.layers.0.mlp.up_proj.weight");
        int exactInBf16 = 0;
        for (int i = 0; i < f32.length; i++) {
            assertThat(bf16[i]).isEqualTo(SafetensorsDtype.BF16.round(f32[i]));
            exactInBf16 += f32[i] == bf16[i] ? 1 : 0;
        }
        assertThat(exactInBf16).as("f32 values carry more than bf16 precision").isLessThan(f32.length / 10);
        for (float v : bf16) {
            // every stored bf16 value converts to f16 exactly (no f16 subnormals)
            assertThat(SafetensorsDtype.F16.round(v)).isEqualTo(v);
        }
    }

    @Test
    void equalSeedsGiveEqualFilesAndOtherSeedsOtherValues() throws IOException {
        SyntheticCheckpoint.write(tiny(HfArchitecture.LLAVA).build(), dir.resolve("a"));
        SyntheticCheckpoint.write(tiny(HfArchitecture.LLAVA).build(), dir.resolve("b"));
        SyntheticCheckpoint.write(tiny(HfArchitecture.LLAVA).seed(7).build(), dir.resolve("c"));
        byte[] a = Files.readAllBytes(dir.resolve("a/model.safetensors"));
        assertThat(Files.readAllBytes(dir.resolve("b/model.safetensors"))).isEqualTo(a);
        byte[] c = Files.readAllBytes(dir.resolve("c/model.safetensors"));
        assertThat(c).hasSameSizeAs(a).isNotEqualTo(a);
    }

    @Test
    void tokenizerFilesAreWrittenWithTheIdsTheConfigNames() throws IOException {
        SyntheticCheckpoint.write(
                SyntheticCheckpointOptions.builder()
                        .architecture(HfArchitecture.LLAVA)
                        .build(),
                dir);
        assertThat(dir.resolve("tokenizer.model")).exists();
        JsonNode tokenizer = JSON.readTree(dir.resolve("tokenizer.json").toFile());
        List<String> added = new ArrayList<>();
        tokenizer
                .get("added_tokens")
                .forEach(t ->
                        added.add(t.get("id").asInt() + " " + t.get("content").asText()));
        assertThat(added).contains("32000 <image>", "32001 <pad>");
        assertThat(JSON.readTree(dir.resolve("config.json").toFile())
                        .get("image_token_index")
                        .asInt())
                .isEqualTo(32000);
    }

    @Test
    void realShapesArePlannedWithoutWritingAndHaveTheExpectedSize() {
        SyntheticCheckpointOptions o = SyntheticCheckpointOptions.builder()
                .shape(SyntheticShape.LLAVAGUARD_V1_2_0_5B)
                .tokenizer(false)
                .build();
        List<SyntheticTensor> tensors = SyntheticCheckpoint.plan(o);
        long params = tensors.stream().mapToLong(SyntheticTensor::elements).sum();
        assertThat(params).isBetween(890_000_000L, 897_000_000L);
        assertThat(tensors.stream().map(SyntheticTensor::name))
                .contains(
                        "vision_tower.vision_model.encoder.layers.25.mlp.fc2.weight",
                        "language_model.model.layers.23.self_attn.q_proj.bias")
                .doesNotContain(
                        "vision_tower.vision_model.encoder.layers.26.mlp.fc2.weight", "language_model.lm_head.weight");
        Map<String, Object> config = new HfConfigFiles(o).config();
        @SuppressWarnings("unchecked")
        Map<String, Object> vision = (Map<String, Object>) config.get("vision_config");
        assertThat(vision)
                .containsEntry("hidden_size", 1152)
                .containsEntry("intermediate_size", 4304)
                .containsEntry("num_hidden_layers", 26)
                .containsEntry("num_attention_heads", 16)
                .containsEntry("image_size", 384);
        assertThat(config.get("image_grid_pinpoints")).asList().hasSize(36);
        assertThat(SyntheticCheckpoint.split(tensors, 4, SafetensorsDtype.BF16)).hasSize(4);
    }

    @Test
    void impossibleOptionsAreRejected() {
        assertThatThrownBy(() -> SyntheticCheckpointOptions.builder()
                        .architecture(HfArchitecture.LLAVA)
                        .shape(SyntheticShape.LLAVAGUARD_V1_2_0_5B)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OneVision");
        assertThatThrownBy(() -> SyntheticCheckpointOptions.builder().shards(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyntheticCheckpoint.write(
                        tiny(HfArchitecture.LLAVA).shards(500).build(), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("500 shards");
    }

    @Test
    void pythonFloatReprMatchesPython() {
        assertThat(PythonJson.pythonRepr(1e-6)).isEqualTo("1e-06");
        assertThat(PythonJson.pythonRepr(1e-5)).isEqualTo("1e-05");
        assertThat(PythonJson.pythonRepr(1e-4)).isEqualTo("0.0001");
        assertThat(PythonJson.pythonRepr(1e6)).isEqualTo("1000000.0");
        assertThat(PythonJson.pythonRepr(1e16)).isEqualTo("1e+16");
        assertThat(PythonJson.pythonRepr(0.5)).isEqualTo("0.5");
        assertThat(PythonJson.pythonRepr(1 / 255.0)).isEqualTo("0.00392156862745098");
        assertThat(PythonJson.pythonRepr(-2.5e-7)).isEqualTo("-2.5e-07");
        assertThat(PythonJson.dumps(Map.of("b", List.of(1, 2), "a", Map.of())))
                .isEqualTo("{\n  \"a\": {},\n  \"b\": [\n    1,\n    2\n  ]\n}\n");
    }

    // ---- expected key sets, spelled out from transformers' module structure ----

    private static Set<String> oneVisionLegacyKeys(int textLayers, int visionLayers, boolean lmHead) {
        Set<String> keys = new TreeSet<>();
        keys.add("image_newline");
        String v = "vision_tower.vision_model.";
        keys.addAll(List.of(
                v + "embeddings.patch_embedding.weight",
                v + "embeddings.patch_embedding.bias",
                v + "embeddings.position_embedding.weight",
                v + "post_layernorm.weight",
                v + "post_layernorm.bias"));
        addVisionLayers(keys, visionLayers);
        addProjector(keys);
        addTextLayers(keys, textLayers, true);
        if (lmHead) {
            keys.add("language_model.lm_head.weight");
        }
        return keys;
    }

    private static Set<String> llavaLegacyKeys(int textLayers, int visionLayers, boolean lmHead) {
        Set<String> keys = new TreeSet<>();
        String v = "vision_tower.vision_model.";
        keys.addAll(List.of(
                v + "embeddings.class_embedding",
                v + "embeddings.patch_embedding.weight",
                v + "embeddings.position_embedding.weight",
                v + "pre_layrnorm.weight",
                v + "pre_layrnorm.bias",
                v + "post_layernorm.weight",
                v + "post_layernorm.bias"));
        addVisionLayers(keys, visionLayers);
        addProjector(keys);
        addTextLayers(keys, textLayers, false);
        if (lmHead) {
            keys.add("language_model.lm_head.weight");
        }
        return keys;
    }

    private static void addVisionLayers(Set<String> keys, int layers) {
        for (int i = 0; i < layers; i++) {
            String l = "vision_tower.vision_model.encoder.layers." + i + ".";
            for (String m : List.of(
                    "self_attn.q_proj",
                    "self_attn.k_proj",
                    "self_attn.v_proj",
                    "self_attn.out_proj",
                    "layer_norm1",
                    "layer_norm2",
                    "mlp.fc1",
                    "mlp.fc2")) {
                keys.add(l + m + ".weight");
                keys.add(l + m + ".bias");
            }
        }
    }

    private static void addProjector(Set<String> keys) {
        for (String m : List.of("linear_1", "linear_2")) {
            keys.add("multi_modal_projector." + m + ".weight");
            keys.add("multi_modal_projector." + m + ".bias");
        }
    }

    private static void addTextLayers(Set<String> keys, int layers, boolean qkvBias) {
        String t = "language_model.model.";
        keys.add(t + "embed_tokens.weight");
        keys.add(t + "norm.weight");
        for (int i = 0; i < layers; i++) {
            String l = t + "layers." + i + ".";
            for (String m : List.of("q_proj", "k_proj", "v_proj")) {
                keys.add(l + "self_attn." + m + ".weight");
                if (qkvBias) {
                    keys.add(l + "self_attn." + m + ".bias");
                }
            }
            keys.add(l + "self_attn.o_proj.weight");
            for (String m : List.of("gate_proj", "up_proj", "down_proj")) {
                keys.add(l + "mlp." + m + ".weight");
            }
            keys.add(l + "input_layernorm.weight");
            keys.add(l + "post_attention_layernorm.weight");
        }
    }

    /** transformers 4.52's {@code _checkpoint_conversion_mapping} for the LLaVA family. */
    private static String toCurrent(String legacy) {
        Map<String, String> mapping = new LinkedHashMap<>();
        mapping.put("^language_model\\.model", "model.language_model");
        mapping.put("^vision_tower", "model.vision_tower");
        mapping.put("^multi_modal_projector", "model.multi_modal_projector");
        mapping.put("^image_newline", "model.image_newline");
        mapping.put("^language_model\\.lm_head", "lm_head");
        for (Map.Entry<String, String> e : mapping.entrySet()) {
            String renamed = legacy.replaceFirst(e.getKey(), e.getValue());
            if (!renamed.equals(legacy)) {
                return renamed;
            }
        }
        throw new AssertionError("no mapping for " + legacy);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(names::add);
        return names;
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(float[] v) {
        double m = mean(v);
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }

    private static long distinct(float[] v) {
        Set<Float> s = new java.util.HashSet<>();
        for (float x : v) {
            s.add(x);
        }
        return s.size();
    }

    // ---- a minimal safetensors reader: u64 LE header size, JSON header, raw little-endian data ----

    private record Entry(String dtype, long[] shape, long begin, long end) {}

    private static final class SafetensorsFile {
        final Path path;
        final long dataStart;
        final Map<String, String> metadata = new LinkedHashMap<>();
        final Map<String, Entry> tensors = new LinkedHashMap<>();

        private SafetensorsFile(Path path, long dataStart) {
            this.path = path;
            this.dataStart = dataStart;
        }

        static SafetensorsFile read(Path path) throws IOException {
            long fileSize = Files.size(path);
            try (FileChannel ch = FileChannel.open(path)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(len, 0);
                long n = len.getLong(0);
                assertThat(n % 8).as("header padded to 8 bytes").isZero();
                assertThat(8 + n).isLessThanOrEqualTo(fileSize);
                ByteBuffer header = ByteBuffer.allocate((int) n);
                ch.read(header, 8);
                String text = new String(header.array(), StandardCharsets.UTF_8);
                String trimmed = text.stripTrailing();
                assertThat(text.substring(trimmed.length())).matches(" {0,7}");
                assertThat(trimmed).doesNotContain("\n").doesNotContain(", ");
                JsonNode json = JSON.readTree(trimmed);
                SafetensorsFile f = new SafetensorsFile(path, 8 + n);
                assertThat(json.fieldNames().next()).isEqualTo("__metadata__");
                long expectedBegin = 0;
                for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getKey().equals("__metadata__")) {
                        e.getValue()
                                .fields()
                                .forEachRemaining(m ->
                                        f.metadata.put(m.getKey(), m.getValue().asText()));
                        continue;
                    }
                    JsonNode t = e.getValue();
                    assertThat(fieldNames(t)).containsExactly("dtype", "shape", "data_offsets");
                    long[] shape = new long[t.get("shape").size()];
                    long elements = 1;
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = t.get("shape").get(i).asLong();
                        elements *= shape[i];
                    }
                    long begin = t.get("data_offsets").get(0).asLong();
                    long end = t.get("data_offsets").get(1).asLong();
                    int width = switch (t.get("dtype").asText()) {
                        case "F32" -> 4;
                        case "F16", "BF16" -> 2;
                        default -> throw new AssertionError("dtype " + t.get("dtype"));
                    };
                    assertThat(begin)
                            .as("%s starts where the previous ended", e.getKey())
                            .isEqualTo(expectedBegin);
                    assertThat(end - begin).as("%s byte size", e.getKey()).isEqualTo(elements * width);
                    expectedBegin = end;
                    f.tensors.put(e.getKey(), new Entry(t.get("dtype").asText(), shape, begin, end));
                }
                assertThat(f.dataStart + expectedBegin).as("file size").isEqualTo(fileSize);
                return f;
            }
        }

        long[] shape(String name) {
            return tensors.get(name).shape;
        }

        byte[] bytes(String name) throws IOException {
            Entry e = tensors.get(name);
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(e.end - e.begin));
            try (FileChannel ch = FileChannel.open(path)) {
                ch.read(b, dataStart + e.begin);
            }
            return b.array();
        }

        float[] floats(String name) throws IOException {
            Entry e = tensors.get(name);
            ByteBuffer b = ByteBuffer.wrap(bytes(name)).order(ByteOrder.LITTLE_ENDIAN);
            int width = e.dtype.equals("F32") ? 4 : 2;
            float[] out = new float[b.capacity() / width];
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (e.dtype) {
                    case "F32" -> b.getFloat();
                    case "BF16" -> Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
                    default -> halfToFloat(b.getShort());
                };
            }
            return out;
        }

        private static float halfToFloat(short h) {
            int sign = (h >>> 15) & 1;
            int exp = (h >>> 10) & 0x1F;
            int mant = h & 0x3FF;
            double v = exp == 0 ? mant * Math.pow(2, -24) : (1 + mant / 1024.0) * Math.pow(2, exp - 15);
            return (float) (sign == 1 ? -v : v);
        }
    }
}
