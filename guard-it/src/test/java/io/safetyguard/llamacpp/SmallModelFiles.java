package io.safetyguard.llamacpp;

import io.safetyguard.llamacpp.internal.ModelFiles;
import io.safetyguard.llamacpp.internal.ProjectorCheck;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A text model and an mmproj of a few KB that pass every check {@link ModelFiles#inspect} makes
 * before native code (metadata, pair cross-check and {@link ProjectorCheck}'s tensor shapes), with
 * zero weights and a 4-token vocabulary. Fuzz seeds and partners: the generated tiny models are
 * 15 MB because of their real vocabulary, which would make every fuzz input that large.
 */
public final class SmallModelFiles {

    public static final int TEXT_EMBD = 8;
    public static final int VISION_EMBD = 4;
    public static final int VISION_FF = 6;
    public static final int IMAGE_SIZE = 4;
    public static final int PATCH_SIZE = 2;

    private SmallModelFiles() {}

    /** The keys of a small llama (or qwen2) text model; change the map to make it wrong. */
    public static Map<String, GgufValue> textKeys(String arch) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string(arch));
        m.put(arch + ".context_length", GgufValue.uint32(4096));
        m.put(arch + ".embedding_length", GgufValue.uint32(TEXT_EMBD));
        m.put(arch + ".block_count", GgufValue.uint32(1));
        m.put(arch + ".feed_forward_length", GgufValue.uint32(2L * TEXT_EMBD));
        m.put(arch + ".attention.head_count", GgufValue.uint32(2));
        m.put(arch + ".attention.head_count_kv", GgufValue.uint32(2));
        m.put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.float32(1e-6f));
        m.put("general.file_type", GgufValue.uint32(1));
        m.put("tokenizer.ggml.model", GgufValue.string(arch.equals("qwen2") ? "gpt2" : "llama"));
        m.put("tokenizer.ggml.tokens", GgufValue.stringArray(List.of("<unk>", "<s>", "</s>", "a")));
        return m;
    }

    public static Path writeText(Path file, Map<String, GgufValue> keys) throws IOException {
        GgufWriter w = new GgufWriter(file);
        keys.forEach(w::put);
        w.addTensorF16("token_embd.weight", new long[] {TEXT_EMBD, 4}, new float[TEXT_EMBD * 4]);
        w.write();
        return file;
    }

    /** The keys of a small LLaVA mlp projector. */
    public static Map<String, GgufValue> projectorKeys() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("clip"));
        m.put("clip.has_vision_encoder", GgufValue.bool(true));
        m.put("clip.projector_type", GgufValue.string("mlp"));
        m.put("clip.use_gelu", GgufValue.bool(false));
        m.put("clip.vision.image_size", GgufValue.uint32(IMAGE_SIZE));
        m.put("clip.vision.patch_size", GgufValue.uint32(PATCH_SIZE));
        m.put("clip.vision.embedding_length", GgufValue.uint32(VISION_EMBD));
        m.put("clip.vision.feed_forward_length", GgufValue.uint32(VISION_FF));
        m.put("clip.vision.block_count", GgufValue.uint32(1));
        m.put("clip.vision.projection_dim", GgufValue.uint32(TEXT_EMBD));
        m.put("clip.vision.attention.head_count", GgufValue.uint32(2));
        m.put("clip.vision.attention.layer_norm_epsilon", GgufValue.float32(1e-5f));
        m.put("clip.vision.image_mean", GgufValue.float32Array(0.5f, 0.5f, 0.5f));
        m.put("clip.vision.image_std", GgufValue.float32Array(0.5f, 0.5f, 0.5f));
        m.put("clip.vision.feature_layer", GgufValue.int32Array(1));
        return m;
    }

    /** Writes a projector with every tensor of the llava mlp graph; {@code extra} may add more. */
    public static Path writeProjector(Path file, Map<String, GgufValue> keys, int layers, Consumer<GgufWriter> extra)
            throws IOException {
        int d = VISION_EMBD;
        int side = IMAGE_SIZE / PATCH_SIZE;
        GgufWriter w = new GgufWriter(file);
        keys.forEach(w::put);
        tensor(w, "v.patch_embd.weight", PATCH_SIZE, PATCH_SIZE, 3, d);
        tensor(w, "v.class_embd", d);
        tensor(w, "v.position_embd.weight", d, side * side + 1);
        tensor(w, "v.pre_ln.weight", d);
        tensor(w, "v.pre_ln.bias", d);
        for (int i = 0; i < layers; i++) {
            String p = "v.blk." + i + ".";
            for (String t : new String[] {"attn_q", "attn_k", "attn_v", "attn_out"}) {
                tensor(w, p + t + ".weight", d, d);
                tensor(w, p + t + ".bias", d);
            }
            tensor(w, p + "ln1.weight", d);
            tensor(w, p + "ln1.bias", d);
            tensor(w, p + "ln2.weight", d);
            tensor(w, p + "ln2.bias", d);
            tensor(w, p + "ffn_up.weight", d, VISION_FF);
            tensor(w, p + "ffn_up.bias", VISION_FF);
            tensor(w, p + "ffn_down.weight", VISION_FF, d);
            tensor(w, p + "ffn_down.bias", d);
        }
        tensor(w, "mm.0.weight", d, TEXT_EMBD);
        tensor(w, "mm.0.bias", TEXT_EMBD);
        tensor(w, "mm.2.weight", TEXT_EMBD, TEXT_EMBD);
        tensor(w, "mm.2.bias", TEXT_EMBD);
        extra.accept(w);
        w.write();
        return file;
    }

    public static Path writeText(Path file) throws IOException {
        return writeText(file, textKeys("llama"));
    }

    public static Path writeProjector(Path file) throws IOException {
        return writeProjector(file, projectorKeys(), 1, w -> {});
    }

    private static void tensor(GgufWriter w, String name, long... ne) {
        long n = 1;
        for (long x : ne) {
            n *= x;
        }
        w.addTensorF32(name, ne, new float[(int) n]);
    }

    /** A fresh temporary directory (for partners written once per JVM). */
    public static Path tempDir(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        dir.toFile().deleteOnExit();
        return dir;
    }
}
