package io.safetyguard.llamacpp.tools.convert;

import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.tools.convert.PlannedTensor.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which checkpoint tensor becomes which GGUF tensor, checks every one against the shape the config implies
 * and its dtype, and refuses tensors it does not know. The names and layouts are those that llama.cpp's loaders
 * read ({@code src/models/llama.cpp}, {@code qwen2.cpp}; {@code tools/mtmd/clip.cpp} {@code load_tensors} and the
 * llava graph in {@code tools/mtmd/models/llava.cpp}).
 */
final class TensorMapper {
    private static final int MAX_LISTED = 8;
    private static final Pattern VISION_LAYER = Pattern.compile("encoder\\.layers\\.(\\d{1,9})\\..*");

    private final CheckpointConfig config;
    private final KeyLayout layout;
    private final Map<String, SafetensorsTensor> tensors;
    private final Set<String> used = new HashSet<>();
    private final List<String> missing = new ArrayList<>();

    /** The two files' tensors, in the order they are written. */
    record Plan(List<PlannedTensor> text, List<PlannedTensor> projector, boolean tiedOutput) {
        long sourceBytes() {
            long n = 0;
            for (PlannedTensor t : text) {
                n += t.sourceBytes();
            }
            for (PlannedTensor t : projector) {
                n += t.sourceBytes();
            }
            return n;
        }
    }

    private TensorMapper(CheckpointConfig config, KeyLayout layout, Map<String, SafetensorsTensor> tensors) {
        this.config = config;
        this.layout = layout;
        this.tensors = tensors;
    }

    /**
     * Plans both files.
     *
     * @throws CheckpointException when tensors are missing, unexpected, of an unsupported dtype or of a shape that
     *                             contradicts the config
     */
    static Plan plan(CheckpointConfig config, KeyLayout layout, Map<String, SafetensorsTensor> tensors)
            throws CheckpointException {
        return new TensorMapper(config, layout, tensors).plan();
    }

    private Plan plan() throws CheckpointException {
        List<PlannedTensor> text = new ArrayList<>();
        boolean tied = textModel(text);
        List<PlannedTensor> projector = new ArrayList<>();
        visionTower(projector);
        projector(projector);
        if (!missing.isEmpty()) {
            throw new CheckpointException("the checkpoint lacks " + missing.size() + " tensor"
                    + (missing.size() > 1 ? "s" : "") + " its config.json implies: " + listed(missing)
                    + "; the download is incomplete or config.json belongs to another model");
        }
        List<String> unexpected = new ArrayList<>(new TreeSet<>(tensors.keySet()));
        unexpected.removeIf(n -> used.contains(n) || ignorable(n));
        if (!unexpected.isEmpty()) {
            throw new CheckpointException("the checkpoint has " + unexpected.size() + " tensor"
                    + (unexpected.size() > 1 ? "s" : "") + " a " + architectureName()
                    + " with this config.json does not have: " + listed(unexpected)
                    + "; config.json does not describe these weights");
        }
        return new Plan(text, projector, tied);
    }

    // ---- language model ----

    private boolean textModel(List<PlannedTensor> out) throws CheckpointException {
        TextConfig t = config.text();
        String p = layout.textPrefix();
        long embd = t.hiddenSize();
        long ff = t.intermediateSize();
        long vocab = t.vocabSize();
        add(out, "token_embd.weight", Role.MATRIX, p + "embed_tokens.weight", 0, vocab, embd);
        for (int i = 0; i < t.layers(); i++) {
            String src = p + "layers." + i + ".";
            String dst = "blk." + i + ".";
            add(out, dst + "attn_norm.weight", Role.VECTOR, src + "input_layernorm.weight", 0, embd);
            int rope = t.permutesQk() ? t.headDim() : 0;
            add(out, dst + "attn_q.weight", Role.MATRIX, src + "self_attn.q_proj.weight", rope, t.qWidth(), embd);
            add(out, dst + "attn_k.weight", Role.MATRIX, src + "self_attn.k_proj.weight", rope, t.kvWidth(), embd);
            add(out, dst + "attn_v.weight", Role.MATRIX, src + "self_attn.v_proj.weight", 0, t.kvWidth(), embd);
            if (t.attentionBias()) {
                add(out, dst + "attn_q.bias", Role.VECTOR, src + "self_attn.q_proj.bias", rope, t.qWidth());
                add(out, dst + "attn_k.bias", Role.VECTOR, src + "self_attn.k_proj.bias", rope, t.kvWidth());
                add(out, dst + "attn_v.bias", Role.VECTOR, src + "self_attn.v_proj.bias", 0, t.kvWidth());
            }
            add(out, dst + "attn_output.weight", Role.MATRIX, src + "self_attn.o_proj.weight", 0, embd, t.qWidth());
            if (t.attentionBias() && !t.architecture().equals(TextConfig.QWEN2)) {
                add(out, dst + "attn_output.bias", Role.VECTOR, src + "self_attn.o_proj.bias", 0, embd);
            }
            add(out, dst + "ffn_norm.weight", Role.VECTOR, src + "post_attention_layernorm.weight", 0, embd);
            add(out, dst + "ffn_gate.weight", Role.MATRIX, src + "mlp.gate_proj.weight", 0, ff, embd);
            add(out, dst + "ffn_up.weight", Role.MATRIX, src + "mlp.up_proj.weight", 0, ff, embd);
            add(out, dst + "ffn_down.weight", Role.MATRIX, src + "mlp.down_proj.weight", 0, embd, ff);
        }
        add(out, "output_norm.weight", Role.VECTOR, p + "norm.weight", 0, embd);
        // tied models (LlavaGuard v1.2 0.5B) are saved without the output matrix; llama.cpp then reads token_embd,
        // so output.weight is written only when the checkpoint has its own, as convert_hf_to_gguf.py does
        if (tensors.containsKey(layout.lmHead())) {
            add(out, "output.weight", Role.MATRIX, layout.lmHead(), 0, vocab, embd);
            return false;
        }
        if (!t.tieWordEmbeddings()) {
            missing.add(layout.lmHead() + " (config.json says tie_word_embeddings=false)");
        }
        return true;
    }

    // ---- vision tower ----

    private void visionTower(List<PlannedTensor> out) throws CheckpointException {
        VisionConfig v = config.vision();
        String p = layout.visionPrefix();
        long embd = v.hiddenSize();
        long ff = v.intermediateSize();
        long patch = v.patchSize();
        // torch conv weight (out, in, kh, kw) is ggml ne {kw, kh, in, out}: the layout clip.cpp's conv_2d reads
        add(
                out,
                "v.patch_embd.weight",
                Role.CONV_KERNEL,
                p + "embeddings.patch_embedding.weight",
                0,
                embd,
                3,
                patch,
                patch);
        if (v.siglip()) {
            add(out, "v.patch_embd.bias", Role.VECTOR, p + "embeddings.patch_embedding.bias", 0, embd);
        } else {
            add(out, ModelKeys.CLASS_EMBEDDING, Role.VECTOR, p + "embeddings.class_embedding", 0, embd);
        }
        add(
                out,
                "v.position_embd.weight",
                Role.VECTOR,
                p + "embeddings.position_embedding.weight",
                0,
                v.positions(),
                embd);
        if (!v.siglip()) {
            add(out, "v.pre_ln.weight", Role.VECTOR, p + "pre_layrnorm.weight", 0, embd);
            add(out, "v.pre_ln.bias", Role.VECTOR, p + "pre_layrnorm.bias", 0, embd);
        }
        // clip.cpp swaps ffn_up/ffn_down back when ffn_down's ne[0] equals the tower width (a fix for files of the
        // legacy converter, which names fc1 ffn_down). With fc1 as ffn_up that test never fires unless the FFN is
        // as wide as the tower; then the names are swapped here so that the loader's swap restores the order.
        boolean loaderSwaps = ff == embd;
        String up = loaderSwaps ? "ffn_down" : "ffn_up";
        String down = loaderSwaps ? "ffn_up" : "ffn_down";
        for (int i = 0; i < config.featureLayer(); i++) {
            String src = p + "encoder.layers." + i + ".";
            String dst = "v.blk." + i + ".";
            for (String[] m : new String[][] {
                {"q_proj", "attn_q"}, {"k_proj", "attn_k"}, {"v_proj", "attn_v"}, {"out_proj", "attn_out"}
            }) {
                add(out, dst + m[1] + ".weight", Role.MATRIX, src + "self_attn." + m[0] + ".weight", 0, embd, embd);
                add(out, dst + m[1] + ".bias", Role.VECTOR, src + "self_attn." + m[0] + ".bias", 0, embd);
            }
            for (String[] ln : new String[][] {{"layer_norm1", "ln1"}, {"layer_norm2", "ln2"}}) {
                add(out, dst + ln[1] + ".weight", Role.VECTOR, src + ln[0] + ".weight", 0, embd);
                add(out, dst + ln[1] + ".bias", Role.VECTOR, src + ln[0] + ".bias", 0, embd);
            }
            add(out, dst + up + ".weight", Role.MATRIX, src + "mlp.fc1.weight", 0, ff, embd);
            add(out, dst + up + ".bias", Role.VECTOR, src + "mlp.fc1.bias", 0, ff);
            add(out, dst + down + ".weight", Role.MATRIX, src + "mlp.fc2.weight", 0, embd, ff);
            add(out, dst + down + ".bias", Role.VECTOR, src + "mlp.fc2.bias", 0, embd);
        }
        // post_layernorm is not written: LLaVA reads hidden_states[feature layer], taken before it, and clip.cpp
        // would apply a v.post_ln after the last stored layer
    }

    private void projector(List<PlannedTensor> out) throws CheckpointException {
        String p = layout.projectorPrefix();
        long vEmbd = config.vision().hiddenSize();
        long tEmbd = config.text().hiddenSize();
        add(out, "mm.0.weight", Role.MATRIX, p + "linear_1.weight", 0, tEmbd, vEmbd);
        bias(out, "mm.0.bias", p + "linear_1.bias", tEmbd);
        add(out, ModelKeys.MM2_WEIGHT, Role.MATRIX, p + "linear_2.weight", 0, tEmbd, tEmbd);
        bias(out, "mm.2.bias", p + "linear_2.bias", tEmbd);
        if (config.onevision()) {
            // the legacy converter names it model.image_newline, which clip.cpp never loads (TN_IMAGE_NEWLINE is
            // v.image_newline, and SafetyGuard's FeaturePacker reads that name)
            add(out, ModelKeys.IMAGE_NEWLINE, Role.VECTOR, layout.imageNewline(), 0, tEmbd);
        }
    }

    /** llama.cpp's mlp graph always adds both biases; a projector saved without them gets zeros. */
    private void bias(List<PlannedTensor> out, String name, String source, long width) throws CheckpointException {
        if (config.projectorBias()) {
            add(out, name, Role.VECTOR, source, 0, width);
        } else {
            out.add(new PlannedTensor(name, Role.VECTOR, new long[] {width}, null, 0));
        }
    }

    // ---- checks ----

    private void add(List<PlannedTensor> out, String name, Role role, String source, int ropeHeadDim, long... shape)
            throws CheckpointException {
        SafetensorsTensor t = tensors.get(source);
        if (t == null) {
            missing.add(source);
            return;
        }
        used.add(source);
        if (t.dtype().isEmpty()) {
            throw new CheckpointException("tensor " + t.where() + " is " + t.dtypeName()
                    + "; only BF16, F16 and F32 weights are supported (quantized or integer checkpoints are not)");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new CheckpointException("tensor " + t.where() + " has shape " + t.shapeText() + ", but config.json "
                    + "implies " + Arrays.toString(shape) + " (" + shapeReason() + ")");
        }
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ne[i] = shape[shape.length - 1 - i];
        }
        out.add(new PlannedTensor(name, role, ne, t, ropeHeadDim));
    }

    private String shapeReason() {
        TextConfig t = config.text();
        VisionConfig v = config.vision();
        return "text: hidden_size " + t.hiddenSize() + ", intermediate_size " + t.intermediateSize() + ", vocab_size "
                + t.vocabSize() + ", " + t.heads() + " heads, " + t.kvHeads() + " kv heads of " + t.headDim()
                + "; vision: hidden_size " + v.hiddenSize() + ", intermediate_size " + v.intermediateSize()
                + ", image_size " + v.imageSize() + ", patch_size " + v.patchSize();
    }

    /** Tensors a checkpoint may carry that the GGUF files do not need. */
    private boolean ignorable(String name) {
        if (name.endsWith("position_ids") || name.endsWith("rotary_emb.inv_freq")) {
            return true; // buffers older transformers saved; recomputed by every runtime
        }
        String vp = layout.visionPrefix();
        if (!name.startsWith(vp)) {
            return false;
        }
        String rest = name.substring(vp.length());
        if (rest.startsWith("post_layernorm.") || rest.startsWith("head.")) {
            return true; // after the feature layer (SigLIP's pooling head, CLIP's final norm)
        }
        Matcher m = VISION_LAYER.matcher(rest);
        if (m.matches()) {
            // the layers after the one LLaVA reads are dropped (the legacy converter does the same)
            long layer = Long.parseLong(m.group(1));
            return layer >= config.featureLayer() && layer < config.vision().layers();
        }
        return false;
    }

    private String architectureName() {
        return config.onevision() ? CheckpointConfig.ONEVISION : CheckpointConfig.LLAVA;
    }

    private static String listed(List<String> names) {
        List<String> shown = names.subList(0, Math.min(MAX_LISTED, names.size()));
        return shown + (names.size() > MAX_LISTED ? " and " + (names.size() - MAX_LISTED) + " more" : "");
    }
}
