package io.safetyguard.llamacpp.tools.convert;

import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.util.List;
import java.util.Map;

/**
 * Declares the text model GGUF: the keys llama.cpp v0.4.0 reads for arch {@code llama}/{@code qwen2}
 * ({@code src/llama-model.cpp}, {@code src/models/llama.cpp}, {@code qwen2.cpp}), the tokenizer, SafetyGuard's
 * LlavaGuard version, then the tensors (matrices in the chosen float type, norms and biases F32).
 */
final class TextModelGguf {
    private TextModelGguf() {}

    static void declare(
            GgufWriter w,
            CheckpointConfig config,
            List<PlannedTensor> tensors,
            Map<String, GgufValue> tokenizer,
            String generalName,
            String llavaGuardVersion,
            GgmlType matrixType,
            TensorStreamer streamer) {
        TextConfig t = config.text();
        String arch = t.architecture();
        w.putString(ModelKeys.ARCHITECTURE, arch)
                .putString(ModelKeys.NAME, generalName)
                .putU32(ModelKeys.FILE_TYPE, FileTypes.of(matrixType))
                .putU32(ModelKeys.contextLength(arch), t.contextLength())
                .putU32(ModelKeys.embeddingLength(arch), t.hiddenSize())
                .putU32(ModelKeys.blockCount(arch), t.layers())
                .putU32(ModelKeys.feedForwardLength(arch), t.intermediateSize())
                .putU32(ModelKeys.headCount(arch), t.heads())
                .putU32(ModelKeys.headCountKv(arch), t.kvHeads())
                .putF32(ModelKeys.rmsEpsilon(arch), t.rmsEps())
                .putF32(ModelKeys.ropeFreqBase(arch), t.ropeTheta());
        if (t.headDim() * t.heads() != t.hiddenSize()) {
            // llama.cpp derives the head width from embedding_length / head_count unless told
            w.putU32(arch + ".attention.key_length", t.headDim()).putU32(arch + ".attention.value_length", t.headDim());
        }
        if (arch.equals(TextConfig.LLAMA)) {
            // what convert_hf_to_gguf.py writes for llama; llama.cpp reads both when present
            w.putU32(ModelKeys.vocabSize(arch), t.vocabSize()).putU32(arch + ".rope.dimension_count", t.headDim());
        }
        for (Map.Entry<String, GgufValue> kv : tokenizer.entrySet()) {
            w.put(kv.getKey(), kv.getValue());
        }
        w.putString(ModelKeys.LLAVAGUARD_VERSION, llavaGuardVersion);
        for (PlannedTensor p : tensors) {
            GgmlType type = p.role() == PlannedTensor.Role.VECTOR ? GgmlType.F32 : matrixType;
            w.addTensor(p.name(), type, p.ne(), streamer.data(p, type));
        }
    }
}
