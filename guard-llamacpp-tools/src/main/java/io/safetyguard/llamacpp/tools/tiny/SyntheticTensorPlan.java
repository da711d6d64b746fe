package io.safetyguard.llamacpp.tools.tiny;

import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of a LLaVA-family checkpoint, named and shaped as transformers' modules store them, in the order the
 * model's {@code state_dict()} lists them (the order {@code save_pretrained} fills shards in): the model's own
 * {@code image_newline}, then vision tower, projector, text model, output head.
 *
 * <p>Scales keep activations O(1) and logits spread: linear weights have std 1/√(fan-in); token embeddings and the
 * output matrix 2/√hidden (logits of a unit-RMS state then have std about 2); norm weights are 1 ± 0.05 and
 * biases ±0.02, so a converter that drops a norm or bias changes the output measurably.
 */
final class SyntheticTensorPlan {
    private static final double BIAS_STD = 0.02;
    private static final double NORM_STD = 0.05;
    private static final double POSITION_STD = 0.3;

    private final HfArchitecture arch;
    private final HfKeyLayout layout;
    private final SyntheticDims d;
    private final List<SyntheticTensor> out = new ArrayList<>();

    private SyntheticTensorPlan(SyntheticCheckpointOptions options) {
        this.arch = options.architecture();
        this.layout = options.layout();
        this.d = options.dims();
    }

    static List<SyntheticTensor> tensors(SyntheticCheckpointOptions options) {
        SyntheticTensorPlan p = new SyntheticTensorPlan(options);
        if (p.arch == HfArchitecture.LLAVA_ONEVISION) {
            p.add(
                    p.layout.imageNewline(),
                    HfKeyLayout.LEGACY.imageNewline(),
                    0,
                    1 / Math.sqrt(p.d.textHidden()),
                    p.d.textHidden());
        }
        p.visionTower();
        p.projector();
        p.textModel();
        if (!options.tiedEmbeddings()) {
            p.add(
                    p.layout.lmHead(),
                    HfKeyLayout.LEGACY.lmHead(),
                    0,
                    2 / Math.sqrt(p.d.textHidden()),
                    p.d.vocabSize(),
                    p.d.textHidden());
        }
        return List.copyOf(p.out);
    }

    private void visionTower() {
        long h = d.visionHidden();
        long p = d.patchSize();
        boolean clip = arch == HfArchitecture.LLAVA;
        String e = "vision_model.embeddings.";
        if (clip) {
            vision(e + "class_embedding", 0, POSITION_STD, h);
        }
        vision(e + "patch_embedding.weight", 0, 1 / Math.sqrt(3.0 * p * p), h, 3, p, p);
        if (!clip) {
            vision(e + "patch_embedding.bias", 0, BIAS_STD, h);
        }
        vision(e + "position_embedding.weight", 0, POSITION_STD, d.patchesPerTile() + (clip ? 1 : 0), h);
        if (clip) {
            visionNorm("vision_model.pre_layrnorm"); // sic: CLIPVisionTransformer's attribute name
        }
        for (int i = 0; i < d.visionLayers(); i++) {
            String l = "vision_model.encoder.layers." + i + ".";
            for (String proj : new String[] {"k_proj", "v_proj", "q_proj", "out_proj"}) {
                visionLinear(l + "self_attn." + proj, h, h);
            }
            visionNorm(l + "layer_norm1");
            visionLinear(l + "mlp.fc1", d.visionIntermediate(), h);
            visionLinear(l + "mlp.fc2", h, d.visionIntermediate());
            visionNorm(l + "layer_norm2");
        }
        visionNorm("vision_model.post_layernorm");
    }

    private void projector() {
        linear(
                layout.projector("linear_1"),
                HfKeyLayout.LEGACY.projector("linear_1"),
                d.textHidden(),
                d.visionHidden(),
                true);
        linear(
                layout.projector("linear_2"),
                HfKeyLayout.LEGACY.projector("linear_2"),
                d.textHidden(),
                d.textHidden(),
                true);
    }

    private void textModel() {
        long h = d.textHidden();
        text("embed_tokens.weight", 0, 2 / Math.sqrt(h), d.vocabSize(), h);
        boolean qkvBias = arch == HfArchitecture.LLAVA_ONEVISION; // Qwen2 has q/k/v biases, Llama none
        for (int i = 0; i < d.textLayers(); i++) {
            String l = "layers." + i + ".";
            textLinear(l + "self_attn.q_proj", h, h, qkvBias);
            textLinear(l + "self_attn.k_proj", d.kvWidth(), h, qkvBias);
            textLinear(l + "self_attn.v_proj", d.kvWidth(), h, qkvBias);
            textLinear(l + "self_attn.o_proj", h, h, false);
            textLinear(l + "mlp.gate_proj", d.textIntermediate(), h, false);
            textLinear(l + "mlp.up_proj", d.textIntermediate(), h, false);
            textLinear(l + "mlp.down_proj", h, d.textIntermediate(), false);
            text(l + "input_layernorm.weight", 1, NORM_STD, h);
            text(l + "post_attention_layernorm.weight", 1, NORM_STD, h);
        }
        text("norm.weight", 1, NORM_STD, h);
    }

    private void vision(String local, double mean, double std, long... shape) {
        add(layout.visionTower(local), HfKeyLayout.LEGACY.visionTower(local), mean, std, shape);
    }

    private void visionLinear(String local, long out, long in) {
        linear(layout.visionTower(local), HfKeyLayout.LEGACY.visionTower(local), out, in, true);
    }

    private void visionNorm(String local) {
        vision(local + ".weight", 1, NORM_STD, d.visionHidden());
        vision(local + ".bias", 0, BIAS_STD, d.visionHidden());
    }

    private void text(String local, double mean, double std, long... shape) {
        add(layout.languageModel(local), HfKeyLayout.LEGACY.languageModel(local), mean, std, shape);
    }

    private void textLinear(String local, long out, long in, boolean bias) {
        linear(layout.languageModel(local), HfKeyLayout.LEGACY.languageModel(local), out, in, bias);
    }

    private void linear(String name, String canonical, long out, long in, boolean bias) {
        add(name + ".weight", canonical + ".weight", 0, 1 / Math.sqrt(in), out, in);
        if (bias) {
            add(name + ".bias", canonical + ".bias", 0, BIAS_STD, out);
        }
    }

    private void add(String name, String canonical, double mean, double std, long... shape) {
        out.add(new SyntheticTensor(name, canonical, shape, mean, std));
    }
}
