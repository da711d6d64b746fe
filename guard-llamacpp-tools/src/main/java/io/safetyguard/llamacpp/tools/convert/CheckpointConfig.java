package io.safetyguard.llamacpp.tools.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the conversion needs from a checkpoint's {@code config.json} and {@code preprocessor_config.json}, checked
 * against what the pinned llama.cpp's llava graph can compute.
 *
 * @param onevision          {@code LlavaOnevisionForConditionalGeneration} (else {@code LlavaForConditionalGeneration})
 * @param text               the language model
 * @param vision             the vision tower
 * @param featureLayer       how many tower layers the language model reads: {@code hidden_states[featureLayer]}, with
 *                           {@code vision_feature_layer} made non-negative; the mmproj keeps exactly these layers
 * @param pinpoints          OneVision's {@code image_grid_pinpoints} flattened as {@code h0, w0, h1, w1, ...};
 *                           empty for LLaVA-1.5
 * @param aspectRatio        {@code anyres_max_9} style for OneVision, {@code pad} for LLaVA-1.5
 * @param projectorBias      the projector's linear layers have biases ({@code multimodal_projector_bias})
 * @param imageMean          per-channel normalisation mean
 * @param imageStd           per-channel normalisation std
 * @param modelName          {@code _name_or_path} or the folder name, for {@code general.name}
 */
record CheckpointConfig(
        boolean onevision,
        TextConfig text,
        VisionConfig vision,
        int featureLayer,
        int[] pinpoints,
        String aspectRatio,
        boolean projectorBias,
        float[] imageMean,
        float[] imageStd,
        String modelName) {

    static final String ONEVISION = "LlavaOnevisionForConditionalGeneration";
    static final String LLAVA = "LlavaForConditionalGeneration";
    static final String CONFIG_FILE = "config.json";
    static final String PREPROCESSOR_FILE = "preprocessor_config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads and checks the configuration in {@code dir}. */
    static CheckpointConfig read(Path dir) throws IOException {
        JsonFields top = new JsonFields(readJson(dir.resolve(CONFIG_FILE)), CONFIG_FILE);
        JsonNode archs = top.raw("architectures");
        String arch = archs != null
                        && archs.isArray()
                        && archs.size() == 1
                        && archs.get(0).isTextual()
                ? archs.get(0).asText()
                : null;
        if (arch == null || !(arch.equals(ONEVISION) || arch.equals(LLAVA))) {
            throw new CheckpointException(dir.resolve(CONFIG_FILE) + ": architectures is "
                    + (archs == null ? "missing" : archs) + "; supported are [\"" + ONEVISION
                    + "\"] (LlavaGuard v1.2) and [\"" + LLAVA + "\"] (LlavaGuard v1.0/v1.1)");
        }
        boolean onevision = arch.equals(ONEVISION);
        TextConfig text = TextConfig.parse(top.object("text_config"), onevision ? "qwen2" : "llama", top);
        JsonFields visionFields = top.object("vision_config");
        if (visionFields == null) {
            throw new CheckpointException(dir.resolve(CONFIG_FILE) + " has no vision_config");
        }
        VisionConfig vision = VisionConfig.parse(visionFields, onevision ? VisionConfig.SIGLIP : VisionConfig.CLIP);

        int featureLayer = featureLayer(top, vision, onevision ? -1 : -2);
        String strategy = top.string("vision_feature_select_strategy", onevision ? "full" : "default");
        // llama.cpp drops the class token exactly when the tower has one (patched llava graph): CLIP with
        // "default", SigLIP with "full"; the other two combinations would need a different graph
        String needed = vision.siglip() ? "full" : "default";
        if (!strategy.equals(needed)) {
            throw new CheckpointException(CONFIG_FILE + ": vision_feature_select_strategy '" + strategy + "' with a "
                    + (vision.siglip() ? "SigLIP" : "CLIP") + " tower is not supported; llama.cpp's llava graph "
                    + "computes '" + needed + "' for this tower");
        }
        String act = top.string("projector_hidden_act", "gelu");
        if (!act.equals("gelu")) {
            throw new CheckpointException(CONFIG_FILE + ": projector_hidden_act '" + act
                    + "' is not supported; llama.cpp's mlp projector runs GELU");
        }
        boolean projectorBias = top.bool("multimodal_projector_bias", true);

        int[] pinpoints = new int[0];
        String aspectRatio = "pad";
        if (onevision) {
            pinpoints = pinpoints(top, vision);
            aspectRatio = top.string("vision_aspect_ratio", "anyres_max_9");
            if (!aspectRatio.matches("anyres(_max_[1-9][0-9]*)?")) {
                throw new CheckpointException(CONFIG_FILE + ": vision_aspect_ratio '" + aspectRatio
                        + "' is not supported; expected anyres or anyres_max_N");
            }
        } else if (top.has("image_grid_pinpoints")) {
            throw new CheckpointException(CONFIG_FILE + ": an " + LLAVA
                    + " with image_grid_pinpoints is not LLaVA-1.5; LLaVA-NeXT checkpoints are not supported");
        }

        JsonFields pre = new JsonFields(readJson(dir.resolve(PREPROCESSOR_FILE)), PREPROCESSOR_FILE);
        float[] mean = triple(pre, "image_mean");
        float[] std = triple(pre, "image_std");
        for (float s : std) {
            if (!(s > 0)) {
                throw pre.wrong("image_std", "three positive numbers", pre.raw("image_std"));
            }
        }
        String name = top.string("_name_or_path", "");
        return new CheckpointConfig(
                onevision, text, vision, featureLayer, pinpoints, aspectRatio, projectorBias, mean, std, name);
    }

    /** The LlavaGuard version a checkpoint of this architecture is, unless told otherwise. */
    String defaultLlavaGuardVersion() {
        return onevision ? "v1.2" : "v1.1";
    }

    private static int featureLayer(JsonFields top, VisionConfig vision, int defaultLayer) throws CheckpointException {
        JsonNode v = top.raw("vision_feature_layer");
        int layer;
        if (v == null) {
            layer = defaultLayer;
        } else if (v.isArray() && v.size() == 1 && v.get(0).isIntegralNumber()) {
            layer = v.get(0).asInt();
        } else if (v.isIntegralNumber()) {
            layer = v.asInt();
        } else {
            throw new CheckpointException(CONFIG_FILE + ": vision_feature_layer " + v
                    + " is not supported; llama.cpp's llava graph reads one layer");
        }
        // hidden_states has num_hidden_layers + 1 entries: the embeddings, then each layer's output
        int nonNegative = layer >= 0 ? layer : vision.layers() + 1 + layer;
        if (nonNegative < 1 || nonNegative > vision.layers()) {
            throw new CheckpointException(CONFIG_FILE + ": vision_feature_layer " + layer + " does not pick a layer "
                    + "output of a " + vision.layers() + "-layer tower");
        }
        return nonNegative;
    }

    private static int[] pinpoints(JsonFields top, VisionConfig vision) throws CheckpointException {
        JsonNode p = top.raw("image_grid_pinpoints");
        if (p == null) {
            // LlavaOnevisionConfig's default: every [h, w] in {384, 768, ..., 2304}^2
            List<Integer> flat = new ArrayList<>();
            for (int h = 1; h <= 6; h++) {
                for (int w = 1; w <= 6; w++) {
                    flat.add(384 * h);
                    flat.add(384 * w);
                }
            }
            return flat.stream().mapToInt(Integer::intValue).toArray();
        }
        if (!p.isArray() || p.isEmpty()) {
            throw top.wrong("image_grid_pinpoints", "a list of [height, width] pairs", p);
        }
        int[] out = new int[2 * p.size()];
        for (int i = 0; i < p.size(); i++) {
            JsonNode pair = p.get(i);
            if (!pair.isArray()
                    || pair.size() != 2
                    || !pair.get(0).isIntegralNumber()
                    || !pair.get(1).isIntegralNumber()) {
                throw top.wrong("image_grid_pinpoints", "a list of [height, width] pairs", p);
            }
            for (int j = 0; j < 2; j++) {
                int side = pair.get(j).asInt();
                if (side <= 0 || side % vision.imageSize() != 0) {
                    throw new CheckpointException(CONFIG_FILE + ": image_grid_pinpoints entry " + pair
                            + " is not a multiple of the tile size " + vision.imageSize());
                }
                out[2 * i + j] = side;
            }
        }
        return out;
    }

    private static float[] triple(JsonFields f, String key) throws CheckpointException {
        JsonNode v = f.raw(key);
        if (v == null) {
            throw new CheckpointException(f.where() + " has no '" + key + "' (the image normalisation)");
        }
        if (!v.isArray() || v.size() != 3) {
            throw f.wrong(key, "three numbers (R, G, B)", v);
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!v.get(i).isNumber()) {
                throw f.wrong(key, "three numbers (R, G, B)", v);
            }
            out[i] = (float) v.get(i).asDouble();
        }
        return out;
    }

    private static JsonNode readJson(Path file) throws CheckpointException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": no such file; a Hugging Face checkpoint folder as published "
                    + "has " + CONFIG_FILE + " and " + PREPROCESSOR_FILE + " next to the weights");
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new CheckpointException(file + " is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            if (e instanceof CheckpointException ce) {
                throw ce;
            }
            throw new CheckpointException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
