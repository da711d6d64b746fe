package io.safetyguard.llamacpp.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.llamacpp.internal.gguf.Float16;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.internal.vision.ReferenceVisionTower;
import io.safetyguard.llamacpp.internal.vision.ReferenceVisionTower.Variant;
import io.safetyguard.llamacpp.internal.vision.RgbImage;
import io.safetyguard.llamacpp.tools.tiny.SafetensorsData;
import io.safetyguard.llamacpp.tools.tiny.SafetensorsDtype;
import io.safetyguard.llamacpp.tools.tiny.SafetensorsWriter;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelOptions;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hugging Face view of a tower ({@link HfVisionTower}: checkpoint names, {@code vision_feature_layer},
 * {@code vision_feature_select_strategy}, {@code hidden_act}) computes what {@link ReferenceVisionTower} computes on
 * the same weights read from an mmproj, for a SigLIP tower ("full", last layer) and a CLIP tower ("default", the
 * second-to-last layer, CLS dropped). The checkpoints are written here from the tiny mmproj's tensors in both key
 * layouts.
 */
class HfVisionTowerTest {

    @TempDir
    Path dir;

    @Test
    void siglipTowerFromACheckpointEqualsTheMmprojTowerAtTheLastLayer() throws Exception {
        TinyModelPair pair = TinyModelGenerator.generate(
                TinyModelOptions.defaults(TinyModelFlavor.QWEN2_SIGLIP).withFeatureLayer(2), dir.resolve("s"));
        Path ckpt = writeCheckpoint(pair.mmproj(), dir.resolve("s-hf"), true, HfCheckpoint.KeyLayout.CURRENT, -1);
        assertSameOutput(pair.mmproj(), ckpt, 4);
    }

    @Test
    void clipTowerFromACheckpointDropsTheClsAtTheSecondToLastLayer() throws Exception {
        TinyModelPair pair = TinyModelGenerator.generate(
                TinyModelOptions.defaults(TinyModelFlavor.LLAMA_CLIP).withFeatureLayer(1), dir.resolve("c"));
        Path ckpt = writeCheckpoint(pair.mmproj(), dir.resolve("c-hf"), false, HfCheckpoint.KeyLayout.LEGACY, -2);
        assertSameOutput(pair.mmproj(), ckpt, 4);
    }

    @Test
    void anotherFeatureLayerGivesAnotherOutput() throws Exception {
        TinyModelPair pair = TinyModelGenerator.generate(
                TinyModelOptions.defaults(TinyModelFlavor.QWEN2_SIGLIP).withFeatureLayer(2), dir.resolve("s"));
        Path ckpt = writeCheckpoint(pair.mmproj(), dir.resolve("s-hf"), true, HfCheckpoint.KeyLayout.LEGACY, -2);
        RgbImage tile = tile(28, 5);
        float[][] gguf = ReferenceVisionTower.load(pair.mmproj()).encode(tile, Variant.HF_REFERENCE);
        float[][] hf = HfVisionTower.of(HfCheckpoint.open(ckpt)).encode(tile, Variant.HF_REFERENCE);
        assertThat(maxAbsDiff(gguf, hf)).isGreaterThan(1e-4);
    }

    private static void assertSameOutput(Path mmproj, Path ckpt, int tokens) throws Exception {
        RgbImage tile = tile(28, 3);
        float[][] gguf = ReferenceVisionTower.load(mmproj).encode(tile, Variant.HF_REFERENCE);
        float[][] hf = HfVisionTower.of(HfCheckpoint.open(ckpt)).encode(tile, Variant.HF_REFERENCE);
        assertThat(hf.length).isEqualTo(tokens).isEqualTo(gguf.length);
        assertThat(maxAbsDiff(gguf, hf)).isLessThan(1e-6);
    }

    static double maxAbsDiff(float[][] a, float[][] b) {
        double m = 0;
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[t].length; i++) {
                m = Math.max(m, Math.abs(a[t][i] - b[t][i]));
            }
        }
        return m;
    }

    static RgbImage tile(int size, long seed) {
        byte[] px = new byte[size * size * 3];
        new Random(seed).nextBytes(px);
        return new RgbImage(size, size, px);
    }

    /** A checkpoint folder holding the mmproj's tower and projector under transformers' names. */
    static Path writeCheckpoint(Path mmproj, Path out, boolean siglip, HfCheckpoint.KeyLayout layout, int featureLayer)
            throws Exception {
        Files.createDirectories(out);
        GgufFile f = GgufReader.read(mmproj);
        String tower = layout.visionTower + "vision_model.";
        SafetensorsWriter w = new SafetensorsWriter(out.resolve("model.safetensors"));
        for (GgufTensorInfo t : f.tensors()) {
            if (t.name().equals(ModelKeys.IMAGE_NEWLINE)) {
                continue;
            }
            long[] dims = t.dims();
            long[] shape = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = dims[dims.length - 1 - i]; // ggml ne is torch's shape reversed
            }
            w.add(
                    HfVisionTower.hfName(t.name(), tower, layout.projector),
                    SafetensorsDtype.F32,
                    shape,
                    SafetensorsData.of(floats(t, f.readTensorBytes(t.name()))));
        }
        w.add(
                layout.languageModel + "norm.weight",
                SafetensorsDtype.F32,
                new long[] {1},
                SafetensorsData.of(new float[] {1f}));
        w.write();

        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures")
                .add(siglip ? "LlavaOnevisionForConditionalGeneration" : "LlavaForConditionalGeneration");
        c.put("vision_feature_layer", featureLayer);
        c.put("vision_feature_select_strategy", siglip ? "full" : "default");
        c.put("projector_hidden_act", "gelu");
        ObjectNode v = c.putObject("vision_config");
        v.put("model_type", siglip ? "siglip_vision_model" : "clip_vision_model");
        v.put("hidden_size", (int) f.getU32(ModelKeys.VISION_EMBEDDING_LENGTH));
        v.put("num_hidden_layers", (int) f.getU32(ModelKeys.VISION_BLOCK_COUNT));
        v.put("num_attention_heads", (int) f.getU32(ModelKeys.VISION_HEAD_COUNT));
        v.put("image_size", (int) f.getU32(ModelKeys.IMAGE_SIZE));
        v.put("patch_size", (int) f.getU32(ModelKeys.PATCH_SIZE));
        v.put("layer_norm_eps", f.getF32(ModelKeys.VISION_LAYER_NORM_EPSILON));
        boolean useGelu = f.findBool(ModelKeys.USE_GELU).orElse(false);
        v.put("hidden_act", siglip ? "gelu_pytorch_tanh" : useGelu ? "gelu" : "quick_gelu");
        c.putObject("text_config").put("hidden_size", 1);
        ObjectNode pre = json.createObjectNode();
        float[] mean = f.getFloatArray(ModelKeys.IMAGE_MEAN);
        float[] std = f.getFloatArray(ModelKeys.IMAGE_STD);
        pre.putArray("image_mean").add(mean[0]).add(mean[1]).add(mean[2]);
        pre.putArray("image_std").add(std[0]).add(std[1]).add(std[2]);
        json.writeValue(out.resolve("config.json").toFile(), c);
        json.writeValue(out.resolve("preprocessor_config.json").toFile(), pre);
        return out;
    }

    private static float[] floats(GgufTensorInfo t, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[Math.toIntExact(t.elementCount())];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.type() == GgmlType.F32 ? b.getFloat() : Float16.toFloat(b.getShort());
        }
        return out;
    }
}
