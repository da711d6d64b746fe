package io.safetyguard.llamacpp.tools.gguf;

import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.LlavaGuardFamily;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.util.Map;

/**
 * The value checks a metadata rewrite makes before writing, for the keys whose wrong values llama.cpp or
 * SafetyGuard would only notice at load time (or never): the LlavaGuard version, feature layer, pinpoints and
 * mean/std.
 */
final class MetadataChecks {
    private MetadataChecks() {}

    static void check(String file, Map<String, GgufValue> meta) {
        for (Map.Entry<String, GgufValue> kv : meta.entrySet()) {
            try {
                KnownKeyTypes.check(kv.getKey(), kv.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        file + ": " + e.getMessage()
                                + " (the file has it so; correct it with --set or remove it with --remove)",
                        e);
            }
        }
        GgufValue version = meta.get(ModelKeys.LLAVAGUARD_VERSION);
        if (version != null && LlavaGuardFamily.fromVersion(version.stringValue()) == LlavaGuardFamily.UNKNOWN) {
            throw new IllegalArgumentException(ModelKeys.LLAVAGUARD_VERSION + " '" + version.stringValue()
                    + "' is not a LlavaGuard version SafetyGuard knows; use v1.0, v1.1 or v1.2");
        }
        GgufValue featureLayer = meta.get(ModelKeys.FEATURE_LAYER);
        GgufValue blocks = meta.get(ModelKeys.VISION_BLOCK_COUNT);
        if (featureLayer != null) {
            for (int layer : featureLayer.toIntArray()) {
                if (layer < 0 || (blocks != null && layer > blocks.longValue())) {
                    throw new IllegalArgumentException(file + ": feature layer " + layer + " must be between 0 and "
                            + (blocks == null ? "the block count" : blocks.longValue() + " (clip.vision.block_count)")
                            + "; llama.cpp reads hidden state N after N blocks");
                }
            }
        }
        GgufValue pinpoints = meta.get(ModelKeys.IMAGE_GRID_PINPOINTS);
        GgufValue aspect = meta.get(ModelKeys.IMAGE_ASPECT_RATIO);
        if (pinpoints == null && aspect != null && aspect.stringValue().startsWith("anyres")) {
            throw new IllegalArgumentException(file + ": image_aspect_ratio '" + aspect.stringValue() + "' needs "
                    + ModelKeys.IMAGE_GRID_PINPOINTS + ", which the file does not have: re-convert with guard model "
                    + "convert (docs/models.md) or give them with --pinpoints");
        }
        if (pinpoints != null) {
            int[] p = pinpoints.toIntArray();
            if (p.length % 2 != 0) {
                throw new IllegalArgumentException(
                        file + ": image_grid_pinpoints needs pairs, got " + p.length + " values");
            }
            GgufValue imageSize = meta.get(ModelKeys.IMAGE_SIZE);
            for (int v : p) {
                if (v <= 0 || (imageSize != null && imageSize.longValue() > 0 && v % imageSize.longValue() != 0)) {
                    throw new IllegalArgumentException(file + ": pinpoint " + v + " must be a positive multiple of "
                            + "the tile size" + (imageSize == null ? "" : " " + imageSize.longValue()));
                }
            }
        }
        for (String key : new String[] {ModelKeys.IMAGE_MEAN, ModelKeys.IMAGE_STD}) {
            GgufValue v = meta.get(key);
            if (v == null) {
                continue;
            }
            float[] f = v.toFloatArray();
            if (f.length != 3) {
                throw new IllegalArgumentException(file + ": " + key + " needs 3 values (R, G, B), got " + f.length);
            }
            if (key.equals(ModelKeys.IMAGE_STD)) {
                for (float s : f) {
                    if (!(s > 0)) {
                        throw new IllegalArgumentException(file + ": " + key + " values must be positive, got " + s);
                    }
                }
            }
        }
    }
}
