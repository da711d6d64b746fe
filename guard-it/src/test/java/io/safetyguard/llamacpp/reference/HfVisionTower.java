package io.safetyguard.llamacpp.reference;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.llamacpp.internal.vision.ReferenceVisionTower;
import io.safetyguard.llamacpp.internal.vision.ReferenceVisionTower.Activation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The vision tower and projector of a Hugging Face LLaVA / LLaVA-OneVision checkpoint as a
 * {@link ReferenceVisionTower}: the tower's computation is shared, the weights come straight from the checkpoint's
 * tensors (SigLIP / CLIP module names, transformers' {@code vision_feature_layer} and
 * {@code vision_feature_select_strategy}, the projector's {@code linear_1 -> act -> linear_2}).
 */
public final class HfVisionTower {

    private static final Pattern BLOCK = Pattern.compile("v\\.blk\\.(\\d+)\\.(\\w+)\\.(weight|bias)");

    private HfVisionTower() {}

    /** The tower of {@code ckpt}, run to its {@code vision_feature_layer}. */
    public static ReferenceVisionTower of(HfCheckpoint ckpt) throws IOException {
        JsonNode vc = ckpt.visionConfig();
        JsonNode c = ckpt.config();
        String type = HfCheckpoint.stringOr(vc, "model_type", "");
        boolean siglip = type.startsWith("siglip");
        boolean clip = type.startsWith("clip");
        if (!siglip && !clip) {
            throw new IllegalArgumentException(
                    ckpt.dir() + ": vision model_type '" + type + "' is neither SigLIP nor CLIP");
        }
        boolean onevision = ckpt.architecture().startsWith("LlavaOnevision");
        int blocks = HfCheckpoint.intOr(vc, "num_hidden_layers", -1);
        JsonNode flNode = c.get("vision_feature_layer");
        int fl = flNode == null || flNode.isNull() ? (onevision ? -1 : -2) : flNode.asInt();
        if (flNode != null && flNode.isArray()) {
            throw new IllegalArgumentException("several vision feature layers are not supported");
        }
        // hidden_states has blocks + 1 entries (the embeddings first): index i is the output of i layers
        int layersRun = fl < 0 ? blocks + 1 + fl : fl;
        String strategy = HfCheckpoint.stringOr(c, "vision_feature_select_strategy", onevision ? "full" : "default");
        String act = HfCheckpoint.stringOr(vc, "hidden_act", siglip ? "gelu_pytorch_tanh" : "quick_gelu");
        String projectorAct = HfCheckpoint.stringOr(c, "projector_hidden_act", "gelu");
        if (!projectorAct.equals("gelu")) {
            throw new IllegalArgumentException("projector_hidden_act '" + projectorAct + "' is not supported");
        }
        float[][] meanStd = meanStd(ckpt.dir(), siglip);
        String prefix = ckpt.layout().visionTower + "vision_model.";
        String projector = ckpt.layout().projector;
        ReferenceVisionTower.Config config = new ReferenceVisionTower.Config(
                HfCheckpoint.intOr(vc, "image_size", -1),
                HfCheckpoint.intOr(vc, "patch_size", -1),
                HfCheckpoint.intOr(vc, "hidden_size", -1),
                HfCheckpoint.intOr(vc, "num_attention_heads", -1),
                blocks,
                Math.toIntExact(ckpt.shape(projector + "linear_2.weight")[0]),
                HfCheckpoint.doubleOr(vc, "layer_norm_eps", siglip ? 1e-6 : 1e-5),
                false,
                Optional.of(layersRun),
                activation(act),
                strategy.equals("default"),
                meanStd[0],
                meanStd[1]);
        return new ReferenceVisionTower(config, name -> ckpt.find(hfName(name, prefix, projector)));
    }

    /** The checkpoint's name of a tower tensor named as in an mmproj. */
    static String hfName(String gguf, String tower, String projector) {
        switch (gguf) {
            case "v.patch_embd.weight":
                return tower + "embeddings.patch_embedding.weight";
            case "v.patch_embd.bias":
                return tower + "embeddings.patch_embedding.bias";
            case "v.class_embd":
                return tower + "embeddings.class_embedding";
            case "v.position_embd.weight":
                return tower + "embeddings.position_embedding.weight";
            case "v.pre_ln.weight":
                return tower + "pre_layrnorm.weight";
            case "v.pre_ln.bias":
                return tower + "pre_layrnorm.bias";
            default:
                break;
        }
        if (gguf.startsWith("mm.0.")) {
            return projector + "linear_1." + gguf.substring(5);
        }
        if (gguf.startsWith("mm.2.")) {
            return projector + "linear_2." + gguf.substring(5);
        }
        Matcher m = BLOCK.matcher(gguf);
        if (!m.matches()) {
            throw new IllegalArgumentException("no checkpoint tensor for " + gguf);
        }
        String module = switch (m.group(2)) {
            case "ln1" -> "layer_norm1";
            case "ln2" -> "layer_norm2";
            case "attn_q" -> "self_attn.q_proj";
            case "attn_k" -> "self_attn.k_proj";
            case "attn_v" -> "self_attn.v_proj";
            case "attn_out" -> "self_attn.out_proj";
            case "ffn_up" -> "mlp.fc1";
            case "ffn_down" -> "mlp.fc2";
            default -> throw new IllegalArgumentException("no checkpoint tensor for " + gguf);
        };
        return tower + "encoder.layers." + m.group(1) + "." + module + "." + m.group(3);
    }

    static Activation activation(String hiddenAct) {
        return switch (hiddenAct) {
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> Activation.GELU_TANH;
            case "quick_gelu" -> Activation.GELU_QUICK;
            case "gelu" -> Activation.GELU_ERF;
            default -> throw new IllegalArgumentException("vision hidden_act '" + hiddenAct + "' is not supported");
        };
    }

    /** {@code image_mean}/{@code image_std} of {@code preprocessor_config.json}, else the tower family's. */
    static float[][] meanStd(Path dir, boolean siglip) throws IOException {
        Path pre = dir.resolve("preprocessor_config.json");
        if (Files.exists(pre)) {
            JsonNode p = new com.fasterxml.jackson.databind.ObjectMapper().readTree(pre.toFile());
            if (p.has("image_mean") && p.has("image_std")) {
                return new float[][] {floats(p.get("image_mean")), floats(p.get("image_std"))};
            }
        }
        if (siglip) {
            return new float[][] {{0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}};
        }
        return new float[][] {{0.48145466f, 0.4578275f, 0.40821073f}, {0.26862954f, 0.26130258f, 0.27577711f}};
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.get(i).asDouble();
        }
        return f;
    }
}
