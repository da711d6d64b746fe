package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a full-size random-weight model pair (F16 matrices, F32 norms and biases) with a real model's shapes, for
 * benchmarks whose timings must reflect real compute. Weights are seeded N(0, 0.02), generated while the file is
 * written, so memory use does not grow with the model (about 1 GB text model + 0.8 GB projector for
 * {@link RandomModelShape#LLAVAGUARD_V1_2_0_5B}).
 *
 * <p>Both files carry {@code safetyguard.tiny = true}, the marker every SafetyGuard tool reads as "random weights,
 * verdicts are meaningless", and {@code safetyguard.llavaguard.version = v1.2}. The tokenizer is the qwen2 vocab the
 * tiny qwen2-siglip generator copies ({@link TinyVocab}).
 */
public final class RandomModelGenerator {
    private static final float RMS_EPSILON = 1e-6f;
    private static final float LAYER_NORM_EPSILON = 1e-6f;
    private static final float ROPE_FREQ_BASE = 1_000_000f;
    private static final int FILE_TYPE_MOSTLY_F16 = 1;
    private static final String ARCH = "qwen2";

    private RandomModelGenerator() {}

    /**
     * Writes {@code <shape>-random.gguf} and {@code <shape>-random-mmproj.gguf} into {@code outDir}.
     *
     * @param vocab the qwen2 vocab GGUF to copy the tokenizer from; empty to look it up as {@link TinyVocab} does
     */
    public static TinyModelPair generate(RandomModelShape shape, long seed, Optional<Path> vocab, Path outDir)
            throws IOException {
        GgufFile vocabFile = TinyVocab.load(TinyModelFlavor.QWEN2_SIGLIP, vocab);
        Files.createDirectories(outDir);
        TinyModelPair pair = new TinyModelPair(
                outDir.resolve(shape.cliName() + "-random.gguf"),
                outDir.resolve(shape.cliName() + "-random-mmproj.gguf"),
                TinyModelFlavor.QWEN2_SIGLIP);
        textModel(shape, seed, vocabFile, pair.model()).write();
        projector(shape, seed, pair.mmproj()).write();
        return pair;
    }

    /** The text model, declared but not yet written (a test can inspect it without writing a gigabyte). */
    static GgufWriter textModel(RandomModelShape s, long seed, GgufFile vocab, Path out) throws IOException {
        long nVocab = vocab.getStringArray(ModelKeys.TOKENIZER_TOKENS).size();
        GgufWriter w = new GgufWriter(out)
                .putString(ModelKeys.ARCHITECTURE, ARCH)
                .putString(ModelKeys.NAME, "SafetyGuard random " + s.cliName() + " (random weights)")
                .putU32(ModelKeys.contextLength(ARCH), s.contextLength())
                .putU32(ModelKeys.embeddingLength(ARCH), s.textEmbd())
                .putU32(ModelKeys.blockCount(ARCH), s.textLayers())
                .putU32(ModelKeys.feedForwardLength(ARCH), s.textFf())
                .putU32(ModelKeys.headCount(ARCH), s.textHeads())
                .putU32(ModelKeys.headCountKv(ARCH), s.textKvHeads())
                .putF32(ModelKeys.rmsEpsilon(ARCH), RMS_EPSILON)
                .putF32(ModelKeys.ropeFreqBase(ARCH), ROPE_FREQ_BASE)
                .putU32(ModelKeys.FILE_TYPE, FILE_TYPE_MOSTLY_F16);
        for (Map.Entry<String, GgufValue> kv : vocab.metadata().entrySet()) {
            if (kv.getKey().startsWith(ModelKeys.TOKENIZER_PREFIX)) {
                w.put(kv.getKey(), kv.getValue());
            }
        }
        w.putString(ModelKeys.LLAVAGUARD_VERSION, "v1.2").putBool(ModelKeys.TINY, true);

        long e = s.textEmbd();
        TinyTensors t = new TinyTensors(w, seed);
        t.random("token_embd.weight", GgmlType.F16, e, nVocab); // tied: no output.weight, as in Qwen2-0.5B
        t.ones("output_norm.weight", e);
        for (int i = 0; i < s.textLayers(); i++) {
            String p = "blk." + i + ".";
            t.ones(p + "attn_norm.weight", e);
            t.random(p + "attn_q.weight", GgmlType.F16, e, e);
            t.random(p + "attn_q.bias", GgmlType.F32, e);
            t.random(p + "attn_k.weight", GgmlType.F16, e, s.kvWidth());
            t.random(p + "attn_k.bias", GgmlType.F32, s.kvWidth());
            t.random(p + "attn_v.weight", GgmlType.F16, e, s.kvWidth());
            t.random(p + "attn_v.bias", GgmlType.F32, s.kvWidth());
            t.random(p + "attn_output.weight", GgmlType.F16, e, e);
            t.ones(p + "ffn_norm.weight", e);
            t.random(p + "ffn_gate.weight", GgmlType.F16, e, s.textFf());
            t.random(p + "ffn_up.weight", GgmlType.F16, e, s.textFf());
            t.random(p + "ffn_down.weight", GgmlType.F16, s.textFf(), e);
        }
        return w;
    }

    /** The mmproj, declared but not yet written. */
    static GgufWriter projector(RandomModelShape s, long seed, Path out) {
        long v = s.visionEmbd();
        long nEmbd = s.textEmbd();
        int[] pinpoints = s.pinpoints().stream().mapToInt(Integer::intValue).toArray();
        GgufWriter w = new GgufWriter(out)
                .putString(ModelKeys.ARCHITECTURE, ModelKeys.CLIP_ARCHITECTURE)
                .putString(ModelKeys.NAME, "SafetyGuard random " + s.cliName() + " mmproj (random weights)")
                .putBool(ModelKeys.HAS_VISION_ENCODER, true)
                .putString(ModelKeys.PROJECTOR_TYPE, ModelKeys.PROJECTOR_MLP)
                .putBool(ModelKeys.USE_GELU, true) // SigLIP's gelu_pytorch_tanh
                .putU32(ModelKeys.IMAGE_SIZE, s.imageSize())
                .putU32(ModelKeys.PATCH_SIZE, s.patchSize())
                .putU32(ModelKeys.VISION_EMBEDDING_LENGTH, v)
                .putU32(ModelKeys.VISION_FEED_FORWARD_LENGTH, s.visionFf())
                .putU32(ModelKeys.VISION_BLOCK_COUNT, s.visionLayers())
                .putU32(ModelKeys.VISION_PROJECTION_DIM, nEmbd)
                .putU32(ModelKeys.VISION_HEAD_COUNT, s.visionHeads())
                .putF32(ModelKeys.VISION_LAYER_NORM_EPSILON, LAYER_NORM_EPSILON)
                .put(ModelKeys.IMAGE_MEAN, GgufValue.float32Array(0.5f, 0.5f, 0.5f))
                .put(ModelKeys.IMAGE_STD, GgufValue.float32Array(0.5f, 0.5f, 0.5f))
                // run every stored layer (llama.cpp v0.4.0 otherwise runs one fewer, ggml-org/llama.cpp#25817)
                .put(ModelKeys.FEATURE_LAYER, GgufValue.int32Array(s.visionLayers()))
                .put(ModelKeys.IMAGE_GRID_PINPOINTS, GgufValue.int32Array(pinpoints))
                .putString(ModelKeys.MM_PATCH_MERGE_TYPE, "spatial_unpad")
                .putString(ModelKeys.LLAVAGUARD_VERSION, "v1.2")
                .putBool(ModelKeys.TINY, true);

        TinyTensors tower = new TinyTensors(w, seed + 1);
        tower.random("v.patch_embd.weight", GgmlType.F16, s.patchSize(), s.patchSize(), 3, v);
        tower.random("v.patch_embd.bias", GgmlType.F32, v);
        tower.random("v.position_embd.weight", GgmlType.F32, v, s.tokensPerTile());
        for (int i = 0; i < s.visionLayers(); i++) {
            String p = "v.blk." + i + ".";
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_out"}) {
                tower.random(p + m + ".weight", GgmlType.F16, v, v);
                tower.random(p + m + ".bias", GgmlType.F32, v);
            }
            for (String ln : new String[] {"ln1", "ln2"}) {
                tower.ones(p + ln + ".weight", v);
                tower.zeros(p + ln + ".bias", v);
            }
            tower.random(p + "ffn_up.weight", GgmlType.F16, v, s.visionFf());
            tower.random(p + "ffn_up.bias", GgmlType.F32, s.visionFf());
            tower.random(p + "ffn_down.weight", GgmlType.F16, s.visionFf(), v);
            tower.random(p + "ffn_down.bias", GgmlType.F32, v);
        }
        TinyTensors projector = new TinyTensors(w, seed + 2);
        projector.random("mm.0.weight", GgmlType.F16, v, nEmbd);
        projector.random("mm.0.bias", GgmlType.F32, nEmbd);
        projector.random(ModelKeys.MM2_WEIGHT, GgmlType.F16, nEmbd, nEmbd);
        projector.random("mm.2.bias", GgmlType.F32, nEmbd);
        projector.random(ModelKeys.IMAGE_NEWLINE, GgmlType.F32, nEmbd);
        return w;
    }
}
