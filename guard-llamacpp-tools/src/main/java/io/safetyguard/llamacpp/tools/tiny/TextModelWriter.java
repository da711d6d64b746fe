package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the tiny text model: the keys and tensors llama.cpp v0.4.0 needs for arch llama/qwen2
 * ({@code src/llama-model.cpp}, {@code src/models/llama.cpp}, {@code qwen2.cpp}), with the tokenizer copied
 * verbatim from a vocab-only GGUF. Matrices are F16, norms and biases F32 ({@code general.file_type} = 1).
 */
final class TextModelWriter {
    static final int CONTEXT_LENGTH = 4096;
    private static final float RMS_EPSILON = 1e-6f;
    private static final float QWEN2_ROPE_FREQ_BASE = 1_000_000f;
    private static final int FILE_TYPE_MOSTLY_F16 = 1;

    private TextModelWriter() {}

    static void write(TinyModelOptions o, GgufFile vocab, Path out) throws IOException {
        TinyModelFlavor flavor = o.flavor();
        String arch = flavor.architecture();
        long nEmbd = o.textEmbd();
        long nFf = 2 * nEmbd;
        long nVocab = vocab.getStringArray(ModelKeys.TOKENIZER_TOKENS).size();

        GgufWriter w = new GgufWriter(out)
                .putString(ModelKeys.ARCHITECTURE, arch)
                .putString(ModelKeys.NAME, "SafetyGuard tiny " + flavor.cliName() + " (random weights)")
                .putU32(ModelKeys.contextLength(arch), CONTEXT_LENGTH)
                .putU32(ModelKeys.embeddingLength(arch), nEmbd)
                .putU32(ModelKeys.blockCount(arch), o.textLayers())
                .putU32(ModelKeys.feedForwardLength(arch), nFf)
                .putU32(ModelKeys.headCount(arch), TinyModelOptions.TEXT_HEADS)
                .putU32(ModelKeys.headCountKv(arch), TinyModelOptions.TEXT_HEADS)
                .putF32(ModelKeys.rmsEpsilon(arch), RMS_EPSILON);
        if (arch.equals("qwen2")) {
            w.putF32(ModelKeys.ropeFreqBase(arch), QWEN2_ROPE_FREQ_BASE);
        }
        w.putU32(ModelKeys.FILE_TYPE, FILE_TYPE_MOSTLY_F16);
        for (Map.Entry<String, GgufValue> kv : vocab.metadata().entrySet()) {
            if (kv.getKey().equals(ControlTokens.TOKEN_TYPE_KEY)) {
                w.put(kv.getKey(), ControlTokens.fix(vocab.getStringArray(ModelKeys.TOKENIZER_TOKENS), kv.getValue()));
            } else if (kv.getKey().startsWith(ModelKeys.TOKENIZER_PREFIX)) {
                w.put(kv.getKey(), kv.getValue()); // same type, same bytes
            }
        }
        w.putString(ModelKeys.LLAVAGUARD_VERSION, flavor.llavaGuardVersion()).putBool(ModelKeys.TINY, true);

        TinyTensors t = new TinyTensors(w, o.seed());
        t.random("token_embd.weight", GgmlType.F16, nEmbd, nVocab);
        t.ones("output_norm.weight", nEmbd);
        for (int i = 0; i < o.textLayers(); i++) {
            String p = "blk." + i + ".";
            t.ones(p + "attn_norm.weight", nEmbd);
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_output"}) {
                t.random(p + m + ".weight", GgmlType.F16, nEmbd, nEmbd);
            }
            if (flavor.attentionBiases()) {
                for (String m : new String[] {"attn_q", "attn_k", "attn_v"}) {
                    t.random(p + m + ".bias", GgmlType.F32, nEmbd);
                }
            }
            t.ones(p + "ffn_norm.weight", nEmbd);
            t.random(p + "ffn_gate.weight", GgmlType.F16, nEmbd, nFf);
            t.random(p + "ffn_up.weight", GgmlType.F16, nEmbd, nFf);
            t.random(p + "ffn_down.weight", GgmlType.F16, nFf, nEmbd);
        }
        w.write();
    }
}
