package io.safetyguard.llamacpp.reference;

import io.safetyguard.llamacpp.internal.gguf.Float16;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import io.safetyguard.llamacpp.tools.gguf.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Deliberately wrong conversions, made by rewriting a correct converted GGUF (so the converter needs no test
 * switches): each is a mistake a converter could plausibly make, and the agreement comparison must reject it.
 */
public enum WrongConversions {
    /** Llama q/k rows left in Hugging Face's rotate-half order instead of llama.cpp's interleaved RoPE pairs. */
    LLAMA_QK_NOT_PERMUTED(false),
    /** The projector's second linear ({@code mm.2.weight}, square) written transposed. */
    PROJECTOR_TRANSPOSED(true),
    /** {@code v.image_newline} taken from the wrong tensor ({@code mm.0.bias}, of the same width). */
    IMAGE_NEWLINE_FROM_WRONG_TENSOR(true),
    /** The vision tower one layer short: the last layer the reference uses is dropped. */
    VISION_LAYER_SHORT(true);

    private final boolean mmproj;

    WrongConversions(boolean mmproj) {
        this.mmproj = mmproj;
    }

    /** Whether the mistake is in the mmproj (otherwise in the text model). */
    public boolean inMmproj() {
        return mmproj;
    }

    /** Writes {@code out}, a copy of {@code in} with this mistake. */
    public void apply(Path in, Path out) throws IOException {
        GgufFile f = GgufReader.read(in);
        Map<String, GgufValue> meta = new HashMap<>();
        Map<String, UnaryOperator<byte[]>> edits = new HashMap<>();
        Map<String, byte[]> replaced = new HashMap<>();
        java.util.function.Predicate<String> drop = n -> false;
        switch (this) {
            case LLAMA_QK_NOT_PERMUTED -> {
                if (!f.getString(ModelKeys.ARCHITECTURE).equals("llama")) {
                    throw new IllegalArgumentException(in + " is not a llama text model");
                }
                long heads = f.getU32("llama.attention.head_count");
                long kvHeads = f.findU32("llama.attention.head_count_kv").orElse(heads);
                for (GgufTensorInfo t : f.tensors()) {
                    if (t.name().endsWith(".attn_q.weight")) {
                        edits.put(t.name(), b -> unpermuteRows(b, t, (int) heads));
                    } else if (t.name().endsWith(".attn_k.weight")) {
                        edits.put(t.name(), b -> unpermuteRows(b, t, (int) kvHeads));
                    }
                }
            }
            case PROJECTOR_TRANSPOSED -> {
                GgufTensorInfo t = info(f, ModelKeys.MM2_WEIGHT);
                edits.put(t.name(), b -> transpose(b, t));
            }
            case IMAGE_NEWLINE_FROM_WRONG_TENSOR -> {
                GgufTensorInfo nl = info(f, ModelKeys.IMAGE_NEWLINE);
                GgufTensorInfo src = info(f, "mm.0.bias");
                replaced.put(nl.name(), encode(decode(f.readTensorBytes(src.name()), src), nl.type()));
            }
            case VISION_LAYER_SHORT -> {
                int blocks = Math.toIntExact(f.getU32(ModelKeys.VISION_BLOCK_COUNT));
                Optional<int[]> fl = f.findInt32Array(ModelKeys.FEATURE_LAYER);
                int used = fl.map(a -> a[0]).orElse(blocks);
                int kept = used - 1;
                meta.put(ModelKeys.VISION_BLOCK_COUNT, GgufValue.uint32(kept));
                meta.put(ModelKeys.FEATURE_LAYER, GgufValue.int32Array(kept));
                drop = n -> n.startsWith("v.blk.") && Integer.parseInt(n.substring(6, n.indexOf('.', 6))) >= kept;
            }
            default -> throw new IllegalStateException();
        }
        GgufWriter w = new GgufWriter(out);
        for (Map.Entry<String, GgufValue> kv : f.metadata().entrySet()) {
            if (!kv.getKey().equals(GgufFile.KEY_ALIGNMENT) && !meta.containsKey(kv.getKey())) {
                w.put(kv.getKey(), kv.getValue());
            }
        }
        meta.forEach(w::put);
        for (GgufTensorInfo t : f.tensors()) {
            if (drop.test(t.name())) {
                continue;
            }
            byte[] bytes = replaced.containsKey(t.name()) ? replaced.get(t.name()) : f.readTensorBytes(t.name());
            UnaryOperator<byte[]> edit = edits.get(t.name());
            if (edit != null) {
                bytes = edit.apply(bytes);
            }
            w.addTensor(t.name(), t.type(), t.dims(), TensorData.raw(bytes));
        }
        w.write();
    }

    private static GgufTensorInfo info(GgufFile f, String name) throws IOException {
        return f.tensors().stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IOException(f.name() + " has no tensor " + name));
    }

    /**
     * Undoes the converter's q/k row permutation: llama.cpp's row {@code h*d + 2i + j} (pair i, member j) goes back
     * to Hugging Face's row {@code h*d + j*d/2 + i}. Rows are whole (any type), so this works on raw bytes.
     */
    static byte[] unpermuteRows(byte[] b, GgufTensorInfo t, int heads) {
        int rows = Math.toIntExact(t.dims()[1]);
        int rowBytes = b.length / rows;
        int d = rows / heads;
        byte[] out = new byte[b.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < d / 2; i++) {
                for (int j = 0; j < 2; j++) {
                    int from = h * d + 2 * i + j;
                    int to = h * d + j * (d / 2) + i;
                    System.arraycopy(b, from * rowBytes, out, to * rowBytes, rowBytes);
                }
            }
        }
        return out;
    }

    /** Transposes a square F16/F32 matrix. */
    static byte[] transpose(byte[] b, GgufTensorInfo t) {
        int n = Math.toIntExact(t.dims()[0]);
        if (t.dims()[1] != n) {
            throw new IllegalArgumentException(t.name() + " is not square");
        }
        int es = elementSize(t.type(), t.name());
        byte[] out = new byte[b.length];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                System.arraycopy(b, (r * n + c) * es, out, (c * n + r) * es, es);
            }
        }
        return out;
    }

    private static int elementSize(GgmlType type, String name) {
        if (type == GgmlType.F32) {
            return 4;
        }
        if (type == GgmlType.F16) {
            return 2;
        }
        throw new IllegalArgumentException(name + " is " + type + "; only F16/F32 can be rewritten here");
    }

    private static float[] decode(byte[] b, GgufTensorInfo t) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int es = elementSize(t.type(), t.name());
        float[] out = new float[b.length / es];
        for (int i = 0; i < out.length; i++) {
            out[i] = es == 4 ? buf.getFloat() : Float16.toFloat(buf.getShort());
        }
        return out;
    }

    private static byte[] encode(float[] v, GgmlType type) {
        int es = elementSize(type, "the target");
        ByteBuffer buf = ByteBuffer.allocate(v.length * es).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            if (es == 4) {
                buf.putFloat(x);
            } else {
                buf.putShort(Float16.fromFloat(x));
            }
        }
        return buf.array();
    }
}
