package io.safetyguard.llamacpp.tools.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A very small checkpoint in the published formats (config.json, preprocessor_config.json, BF16 safetensors, single
 * or sharded, either key layout), for unit tests of the conversion's checks. Text: width 16, 2 heads of 8, 1 kv
 * head, FFN 24, 2 layers, vocab 64. Vision: width 16, 2 heads, FFN 24, 3 layers, 28 px tiles of 14 px patches.
 */
final class TestCheckpoint {
    static final int T_EMBD = 16;
    static final int T_HEADS = 2;
    static final int T_KV_HEADS = 1;
    static final int T_FF = 24;
    static final int T_LAYERS = 2;
    static final int VOCAB = 64;
    static final int V_EMBD = 16;
    static final int V_HEADS = 2;
    static final int V_FF = 24;
    static final int V_LAYERS = 3;
    static final int IMAGE = 28;
    static final int PATCH = 14;

    private final boolean onevision;
    private KeyLayout layout = KeyLayout.BEFORE_4_52;
    private boolean sharded;
    private boolean tied;
    private int visionFf = V_FF;
    private Consumer<ObjectNode> configEdit = c -> {};
    private final Map<String, long[]> reshaped = new LinkedHashMap<>();
    private final List<String> removed = new ArrayList<>();
    private final Map<String, long[]> extra = new LinkedHashMap<>();
    private final Map<String, String> dtypes = new LinkedHashMap<>();

    private TestCheckpoint(boolean onevision) {
        this.onevision = onevision;
    }

    static TestCheckpoint onevision() {
        return new TestCheckpoint(true);
    }

    static TestCheckpoint llava() {
        return new TestCheckpoint(false);
    }

    TestCheckpoint layout(KeyLayout layout) {
        this.layout = layout;
        return this;
    }

    TestCheckpoint sharded() {
        this.sharded = true;
        return this;
    }

    TestCheckpoint tied() {
        this.tied = true;
        return this;
    }

    TestCheckpoint visionFf(int ff) {
        this.visionFf = ff;
        return this;
    }

    TestCheckpoint config(Consumer<ObjectNode> edit) {
        this.configEdit = edit;
        return this;
    }

    TestCheckpoint reshape(String name, long... shape) {
        reshaped.put(name, shape);
        return this;
    }

    TestCheckpoint remove(String name) {
        removed.add(name);
        return this;
    }

    TestCheckpoint extra(String name, long... shape) {
        extra.put(name, shape);
        return this;
    }

    TestCheckpoint dtype(String name, String dtype) {
        dtypes.put(name, dtype);
        return this;
    }

    /** The tensors this checkpoint holds, name to PyTorch shape, in the order transformers writes them. */
    Map<String, long[]> tensorShapes() {
        Map<String, long[]> t = new LinkedHashMap<>();
        String p = layout.textPrefix();
        int hd = T_EMBD / T_HEADS;
        t.put(p + "embed_tokens.weight", new long[] {VOCAB, T_EMBD});
        for (int i = 0; i < T_LAYERS; i++) {
            String l = p + "layers." + i + ".";
            t.put(l + "input_layernorm.weight", new long[] {T_EMBD});
            t.put(l + "self_attn.q_proj.weight", new long[] {T_HEADS * hd, T_EMBD});
            t.put(l + "self_attn.k_proj.weight", new long[] {T_KV_HEADS * hd, T_EMBD});
            t.put(l + "self_attn.v_proj.weight", new long[] {T_KV_HEADS * hd, T_EMBD});
            if (onevision) {
                t.put(l + "self_attn.q_proj.bias", new long[] {T_HEADS * hd});
                t.put(l + "self_attn.k_proj.bias", new long[] {T_KV_HEADS * hd});
                t.put(l + "self_attn.v_proj.bias", new long[] {T_KV_HEADS * hd});
            }
            t.put(l + "self_attn.o_proj.weight", new long[] {T_EMBD, T_HEADS * hd});
            t.put(l + "post_attention_layernorm.weight", new long[] {T_EMBD});
            t.put(l + "mlp.gate_proj.weight", new long[] {T_FF, T_EMBD});
            t.put(l + "mlp.up_proj.weight", new long[] {T_FF, T_EMBD});
            t.put(l + "mlp.down_proj.weight", new long[] {T_EMBD, T_FF});
        }
        t.put(p + "norm.weight", new long[] {T_EMBD});
        if (!tied) {
            t.put(layout.lmHead(), new long[] {VOCAB, T_EMBD});
        }
        String v = layout.visionPrefix();
        t.put(v + "embeddings.patch_embedding.weight", new long[] {V_EMBD, 3, PATCH, PATCH});
        int patches = (IMAGE / PATCH) * (IMAGE / PATCH);
        if (onevision) {
            t.put(v + "embeddings.patch_embedding.bias", new long[] {V_EMBD});
            t.put(v + "embeddings.position_embedding.weight", new long[] {patches, V_EMBD});
        } else {
            t.put(v + "embeddings.class_embedding", new long[] {V_EMBD});
            t.put(v + "embeddings.position_embedding.weight", new long[] {patches + 1, V_EMBD});
            t.put(v + "pre_layrnorm.weight", new long[] {V_EMBD});
            t.put(v + "pre_layrnorm.bias", new long[] {V_EMBD});
        }
        for (int i = 0; i < V_LAYERS; i++) {
            String l = v + "encoder.layers." + i + ".";
            for (String m : new String[] {"k_proj", "v_proj", "q_proj", "out_proj"}) {
                t.put(l + "self_attn." + m + ".weight", new long[] {V_EMBD, V_EMBD});
                t.put(l + "self_attn." + m + ".bias", new long[] {V_EMBD});
            }
            t.put(l + "layer_norm1.weight", new long[] {V_EMBD});
            t.put(l + "layer_norm1.bias", new long[] {V_EMBD});
            t.put(l + "mlp.fc1.weight", new long[] {visionFf, V_EMBD});
            t.put(l + "mlp.fc1.bias", new long[] {visionFf});
            t.put(l + "mlp.fc2.weight", new long[] {V_EMBD, visionFf});
            t.put(l + "mlp.fc2.bias", new long[] {V_EMBD});
            t.put(l + "layer_norm2.weight", new long[] {V_EMBD});
            t.put(l + "layer_norm2.bias", new long[] {V_EMBD});
        }
        t.put(v + "post_layernorm.weight", new long[] {V_EMBD});
        t.put(v + "post_layernorm.bias", new long[] {V_EMBD});
        String m = layout.projectorPrefix();
        t.put(m + "linear_1.weight", new long[] {T_EMBD, V_EMBD});
        t.put(m + "linear_1.bias", new long[] {T_EMBD});
        t.put(m + "linear_2.weight", new long[] {T_EMBD, T_EMBD});
        t.put(m + "linear_2.bias", new long[] {T_EMBD});
        if (onevision) {
            t.put(layout.imageNewline(), new long[] {T_EMBD});
        }
        removed.forEach(t::remove);
        t.putAll(reshaped);
        t.putAll(extra);
        return t;
    }

    /** Writes the checkpoint into {@code dir} (created) and returns it. */
    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        json.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve("config.json").toFile(), config(json));
        ObjectNode pre = json.createObjectNode();
        float[] mean = onevision ? new float[] {0.5f, 0.5f, 0.5f} : new float[] {0.48145466f, 0.4578275f, 0.40821073f};
        float[] std = onevision ? new float[] {0.5f, 0.5f, 0.5f} : new float[] {0.26862954f, 0.26130258f, 0.27577711f};
        ArrayNode m = pre.putArray("image_mean");
        ArrayNode s = pre.putArray("image_std");
        for (int i = 0; i < 3; i++) {
            m.add(mean[i]);
            s.add(std[i]);
        }
        json.writeValue(dir.resolve("preprocessor_config.json").toFile(), pre);

        Random random = new Random(7);
        List<SafetensorsWriter> shards = new ArrayList<>();
        shards.add(new SafetensorsWriter());
        if (sharded) {
            shards.add(new SafetensorsWriter());
        }
        int i = 0;
        for (Map.Entry<String, long[]> e : tensorShapes().entrySet()) {
            SafetensorsWriter w = shards.get(i++ % shards.size());
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            float[] values = new float[(int) n];
            for (int k = 0; k < values.length; k++) {
                values[k] = (float) (random.nextGaussian() * 0.1);
            }
            String dtype = dtypes.getOrDefault(e.getKey(), "BF16");
            switch (dtype) {
                case "BF16" -> w.bf16(e.getKey(), e.getValue(), values);
                case "F32" -> w.f32(e.getKey(), e.getValue(), values);
                default -> w.add(e.getKey(), dtype, e.getValue(), new byte[(int) n * 8]); // I64/F64 etc.
            }
        }
        if (!sharded) {
            shards.get(0).write(dir.resolve(CheckpointTensors.SINGLE_FILE));
            return dir;
        }
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode map = index.putObject("weight_map");
        for (int k = 0; k < shards.size(); k++) {
            String file = String.format("model-%05d-of-%05d.safetensors", k + 1, shards.size());
            shards.get(k).write(dir.resolve(file));
            for (String name : shards.get(k).tensors().keySet()) {
                map.put(name, file);
            }
        }
        json.writeValue(dir.resolve(CheckpointTensors.INDEX_FILE).toFile(), index);
        return dir;
    }

    private ObjectNode config(ObjectMapper json) {
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add(onevision ? CheckpointConfig.ONEVISION : CheckpointConfig.LLAVA);
        c.put("model_type", onevision ? "llava_onevision" : "llava");
        c.put("image_token_index", onevision ? 151646 : 32000);
        ObjectNode t = c.putObject("text_config");
        t.put("model_type", onevision ? "qwen2" : "llama");
        t.put("hidden_size", T_EMBD);
        t.put("intermediate_size", T_FF);
        t.put("num_hidden_layers", T_LAYERS);
        t.put("num_attention_heads", T_HEADS);
        t.put("num_key_value_heads", T_KV_HEADS);
        t.put("vocab_size", VOCAB);
        t.put("max_position_embeddings", 4096);
        t.put("rms_norm_eps", 1e-6);
        if (onevision) {
            t.put("rope_theta", 1_000_000.0);
        }
        t.put("tie_word_embeddings", tied);
        ObjectNode v = c.putObject("vision_config");
        v.put("model_type", onevision ? VisionConfig.SIGLIP : VisionConfig.CLIP);
        v.put("hidden_size", V_EMBD);
        v.put("intermediate_size", visionFf);
        v.put("num_hidden_layers", V_LAYERS);
        v.put("num_attention_heads", V_HEADS);
        v.put("image_size", IMAGE);
        v.put("patch_size", PATCH);
        if (onevision) {
            c.put("vision_feature_layer", -1);
            c.put("vision_feature_select_strategy", "full");
            c.put("vision_aspect_ratio", "anyres_max_9");
            ArrayNode pins = c.putArray("image_grid_pinpoints");
            for (int[] pp : new int[][] {{28, 28}, {28, 56}, {56, 28}, {56, 56}}) {
                pins.addArray().add(pp[0]).add(pp[1]);
            }
        } else {
            c.put("vision_feature_layer", -2);
            c.put("vision_feature_select_strategy", "default");
        }
        c.put("projector_hidden_act", "gelu");
        configEdit.accept(c);
        return c;
    }
}
