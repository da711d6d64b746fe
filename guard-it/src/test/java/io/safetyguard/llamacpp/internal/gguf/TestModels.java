package io.safetyguard.llamacpp.internal.gguf;

import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Minimal metadata-complete model files for inspector and validator tests (no vocab file needed). */
public final class TestModels {
    public static final int VISION_WIDTH = 8;

    private TestModels() {}

    /** The keys of a small text model; change the map to make it wrong. */
    public static Map<String, GgufValue> textKeys(String arch, int nEmbd) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string(arch));
        m.put(arch + ".context_length", GgufValue.uint32(4096));
        m.put(arch + ".embedding_length", GgufValue.uint32(nEmbd));
        m.put(arch + ".block_count", GgufValue.uint32(2));
        m.put(arch + ".feed_forward_length", GgufValue.uint32(2L * nEmbd));
        m.put(arch + ".attention.head_count", GgufValue.uint32(4));
        m.put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.float32(1e-6f));
        m.put("general.file_type", GgufValue.uint32(15));
        m.put("tokenizer.ggml.model", GgufValue.string(arch.equals("qwen2") ? "gpt2" : "llama"));
        m.put("tokenizer.ggml.tokens", GgufValue.stringArray(List.of("<unk>", "<s>", "</s>", "a")));
        return m;
    }

    public static Path writeText(Path file, Map<String, GgufValue> keys, int nEmbd) throws IOException {
        GgufWriter w = new GgufWriter(file);
        keys.forEach(w::put);
        w.addTensorF16("token_embd.weight", new long[] {nEmbd, 4}, new float[nEmbd * 4]);
        w.write();
        return file;
    }

    /** The keys of a small LLaVA mlp mmproj. */
    public static Map<String, GgufValue> projectorKeys() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("clip"));
        m.put("clip.has_vision_encoder", GgufValue.bool(true));
        m.put("clip.projector_type", GgufValue.string("mlp"));
        m.put("clip.use_gelu", GgufValue.bool(true));
        m.put("clip.vision.image_size", GgufValue.uint32(336));
        m.put("clip.vision.patch_size", GgufValue.uint32(14));
        m.put("clip.vision.embedding_length", GgufValue.uint32(VISION_WIDTH));
        m.put("clip.vision.feed_forward_length", GgufValue.uint32(12));
        m.put("clip.vision.block_count", GgufValue.uint32(23));
        m.put("clip.vision.projection_dim", GgufValue.uint32(768));
        m.put("clip.vision.attention.head_count", GgufValue.uint32(2));
        m.put("clip.vision.attention.layer_norm_epsilon", GgufValue.float32(1e-5f));
        m.put("clip.vision.image_mean", GgufValue.float32Array(0.48145466f, 0.4578275f, 0.40821073f));
        m.put("clip.vision.image_std", GgufValue.float32Array(0.26862954f, 0.26130258f, 0.27577711f));
        m.put("clip.vision.feature_layer", GgufValue.int32Array(23));
        return m;
    }

    /** An mmproj whose projector produces {@code outWidth}-wide embeddings. */
    public static Path writeProjector(
            Path file, Map<String, GgufValue> keys, int outWidth, boolean classEmbedding, boolean imageNewline)
            throws IOException {
        GgufWriter w = new GgufWriter(file);
        keys.forEach(w::put);
        if (classEmbedding) {
            w.addTensorF32("v.class_embd", new long[] {VISION_WIDTH}, new float[VISION_WIDTH]);
        }
        w.addTensorF16("mm.0.weight", new long[] {VISION_WIDTH, outWidth}, new float[VISION_WIDTH * outWidth]);
        w.addTensorF32("mm.0.bias", new long[] {outWidth}, new float[outWidth]);
        w.addTensorF16("mm.2.weight", new long[] {outWidth, outWidth}, new float[outWidth * outWidth]);
        w.addTensorF32("mm.2.bias", new long[] {outWidth}, new float[outWidth]);
        if (imageNewline) {
            w.addTensorF32("v.image_newline", new long[] {outWidth}, new float[outWidth]);
        }
        w.write();
        return file;
    }
}
