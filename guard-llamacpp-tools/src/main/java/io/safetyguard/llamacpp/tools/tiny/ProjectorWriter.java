package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the tiny mmproj: a ViT of {@value #V_EMBD} wide blocks on 28 px images of 14 px patches (4 tokens per
 * tile) and LLaVA's two-layer mlp projector into the text width, with the keys clip.cpp of llama.cpp v0.4.0
 * requires (exact types: pinpoints are i32, mean/std f32 arrays).
 */
final class ProjectorWriter {
    static final int V_EMBD = 32;
    static final int V_HEADS = 2;
    static final int V_FF = 48; // must differ from V_EMBD: clip.cpp swaps ffn up/down when ffn_down.ne[0] == n_embd
    static final int IMAGE_SIZE = 28;
    static final int PATCH_SIZE = 14;
    static final int[] PINPOINTS = {28, 28, 28, 56, 56, 28, 56, 56};
    private static final float LAYER_NORM_EPSILON = 1e-6f;

    private ProjectorWriter() {}

    static void write(TinyModelOptions o, Path out) throws IOException {
        TinyModelFlavor flavor = o.flavor();
        long nEmbd = o.textEmbd();
        long nPatch = (long) (IMAGE_SIZE / PATCH_SIZE) * (IMAGE_SIZE / PATCH_SIZE);

        GgufWriter w = new GgufWriter(out)
                .putString(ModelKeys.ARCHITECTURE, ModelKeys.CLIP_ARCHITECTURE)
                .putString(ModelKeys.NAME, "SafetyGuard tiny " + flavor.cliName() + " mmproj (random weights)")
                .putBool(ModelKeys.HAS_VISION_ENCODER, true)
                .putString(ModelKeys.PROJECTOR_TYPE, ModelKeys.PROJECTOR_MLP)
                .putBool(ModelKeys.USE_GELU, true)
                .putU32(ModelKeys.IMAGE_SIZE, IMAGE_SIZE)
                .putU32(ModelKeys.PATCH_SIZE, PATCH_SIZE)
                .putU32(ModelKeys.VISION_EMBEDDING_LENGTH, V_EMBD)
                .putU32(ModelKeys.VISION_FEED_FORWARD_LENGTH, V_FF)
                .putU32(ModelKeys.VISION_BLOCK_COUNT, o.visionLayers())
                .putU32(ModelKeys.VISION_PROJECTION_DIM, nEmbd)
                .putU32(ModelKeys.VISION_HEAD_COUNT, V_HEADS)
                .putF32(ModelKeys.VISION_LAYER_NORM_EPSILON, LAYER_NORM_EPSILON)
                .put(ModelKeys.IMAGE_MEAN, GgufValue.float32Array(0.5f, 0.5f, 0.5f))
                .put(ModelKeys.IMAGE_STD, GgufValue.float32Array(0.5f, 0.5f, 0.5f));
        if (o.featureLayer().isPresent()) {
            w.put(ModelKeys.FEATURE_LAYER, GgufValue.int32Array(o.featureLayer().getAsInt()));
        }
        if (flavor.anyres()) {
            w.put(ModelKeys.IMAGE_GRID_PINPOINTS, GgufValue.int32Array(PINPOINTS));
            w.putString(ModelKeys.MM_PATCH_MERGE_TYPE, "spatial_unpad");
        }
        w.putString(ModelKeys.LLAVAGUARD_VERSION, flavor.llavaGuardVersion()).putBool(ModelKeys.TINY, true);

        // the reference generator seeds the tower and the projector separately; keep that split
        TinyTensors tower = new TinyTensors(w, o.seed() + 1);
        tower.random("v.patch_embd.weight", GgmlType.F16, PATCH_SIZE, PATCH_SIZE, 3, V_EMBD);
        tower.random("v.patch_embd.bias", GgmlType.F32, V_EMBD);
        long nPos = nPatch;
        if (flavor.clipStyleTower()) {
            tower.random(ModelKeys.CLASS_EMBEDDING, GgmlType.F32, V_EMBD);
            tower.ones("v.pre_ln.weight", V_EMBD);
            tower.zeros("v.pre_ln.bias", V_EMBD);
            nPos++;
        }
        tower.random("v.position_embd.weight", GgmlType.F32, V_EMBD, nPos);
        for (int i = 0; i < o.visionLayers(); i++) {
            String p = "v.blk." + i + ".";
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_out"}) {
                tower.random(p + m + ".weight", GgmlType.F16, V_EMBD, V_EMBD);
                tower.random(p + m + ".bias", GgmlType.F32, V_EMBD);
            }
            for (String ln : new String[] {"ln1", "ln2"}) {
                tower.ones(p + ln + ".weight", V_EMBD);
                tower.zeros(p + ln + ".bias", V_EMBD);
            }
            tower.random(p + "ffn_up.weight", GgmlType.F16, V_EMBD, V_FF);
            tower.random(p + "ffn_up.bias", GgmlType.F32, V_FF);
            tower.random(p + "ffn_down.weight", GgmlType.F16, V_FF, V_EMBD);
            tower.random(p + "ffn_down.bias", GgmlType.F32, V_EMBD);
        }

        TinyTensors projector = new TinyTensors(w, o.seed() + 2);
        projector.random("mm.0.weight", GgmlType.F16, V_EMBD, nEmbd);
        projector.random("mm.0.bias", GgmlType.F32, nEmbd);
        projector.random(ModelKeys.MM2_WEIGHT, GgmlType.F16, nEmbd, nEmbd);
        projector.random("mm.2.bias", GgmlType.F32, nEmbd);
        if (flavor.anyres()) {
            if (o.recognisableImageNewline()) {
                projector.values(ModelKeys.IMAGE_NEWLINE, TinyModelGenerator.recognisableImageNewline(o.textEmbd()));
            } else {
                projector.random(ModelKeys.IMAGE_NEWLINE, GgmlType.F32, nEmbd);
            }
        }
        w.write();
    }
}
