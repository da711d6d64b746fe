package io.safetyguard.llamacpp.tools.quantize;

import io.safetyguard.llamacpp.internal.gguf.Float16;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.internal.jni.ClipContext;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import io.safetyguard.llamacpp.tools.gguf.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;

/**
 * Quantizes the matrices of an mmproj (vision tower and projector). The pinned llama.cpp has no quantizer for
 * clip files ({@code llama_model_quantize} takes text models only), so this copies the file and re-encodes the
 * weight matrices with ggml's own quantizer ({@link ClipContext#quantizeRows}); everything else keeps its bytes.
 *
 * <p>Quantized: 2-D {@code *.weight} tensors in F32, F16 or BF16 whose rows are whole blocks, i.e. the matrices
 * the encoder multiplies with. Kept: norms and biases, the patch embedding (a convolution kernel), the position
 * embeddings (added, not multiplied; ggml's add does not take quantized operands) and any matrix whose row
 * length is not a multiple of the block size (SigLIP-so400m's FFN down projection, 4304 wide).
 */
final class MmprojQuantizer {

    private static final String POSITION_EMBEDDINGS = "v.position_embd.weight";

    private MmprojQuantizer() {}

    /** The mmproj types offered: Q8_0 only (the one measured against F16; see docs/benchmarks.md). */
    static GgmlType ggmlType(QuantizationType type) {
        if (type == QuantizationType.Q8_0) {
            return GgmlType.Q8_0;
        }
        throw new IllegalArgumentException("an mmproj can be quantized to Q8_0 only, not " + type
                + " (the vision tower is small and sensitive; lower types are not measured)");
    }

    /** Whether {@code t} is re-encoded as {@code target}. */
    static boolean quantizes(GgufTensorInfo t, GgmlType target) {
        boolean floatType = t.type() == GgmlType.F32 || t.type() == GgmlType.F16 || t.type() == GgmlType.BF16;
        return floatType
                && t.nDims() == 2
                && t.name().endsWith(".weight")
                && !t.name().equals(POSITION_EMBEDDINGS)
                && t.ne(0) % target.blockSize() == 0;
    }

    /** Writes the quantized copy of {@code in} to {@code out} (a temporary file of the caller's). */
    static void write(GgufFile in, Path out, QuantizationType type) throws IOException {
        GgmlType target = ggmlType(type);
        GgufWriter w = new GgufWriter(out, Math.toIntExact(in.alignment()));
        for (Map.Entry<String, GgufValue> kv : in.metadata().entrySet()) {
            String key = kv.getKey();
            if (key.equals(GgufFile.KEY_ALIGNMENT) || key.equals(ModelKeys.FILE_TYPE)) {
                continue;
            }
            w.put(key, kv.getValue());
        }
        w.putU32(ModelKeys.FILE_TYPE, type.llamaFtype());
        for (GgufTensorInfo t : in.tensors()) {
            if (quantizes(t, target)) {
                w.addTensor(t.name(), target, t.dims(), quantized(in, t, target));
            } else {
                w.addTensor(t.name(), t.type(), t.dims(), sink -> {
                    byte[] b = in.readTensorBytes(t.name());
                    sink.putBytes(b, 0, b.length);
                });
            }
        }
        w.write();
    }

    private static TensorData quantized(GgufFile in, GgufTensorInfo t, GgmlType target) {
        return sink -> {
            float[] values = floats(t, in.readTensorBytes(t.name()));
            byte[] q = ClipContext.quantizeRows(target.id(), values, Math.toIntExact(t.ne(0)));
            sink.putBytes(q, 0, q.length);
        };
    }

    private static float[] floats(GgufTensorInfo t, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[Math.toIntExact(t.elementCount())];
        for (int i = 0; i < f.length; i++) {
            f[i] = switch (t.type()) {
                case F32 -> b.getFloat(4 * i);
                case F16 -> Float16.toFloat(b.getShort(2 * i));
                case BF16 -> Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                default -> throw new IllegalStateException("not a float tensor: " + t);
            };
        }
        return f;
    }
}
