package io.safetyguard.llamacpp.tools.convert;

import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.util.List;

/**
 * Declares the mmproj GGUF: the keys clip.cpp of llama.cpp v0.4.0 requires for a LLaVA {@code mlp} projector (exact
 * types: sizes u32, mean/std f32 arrays, pinpoints and the feature layer i32 arrays), the ones SafetyGuard's image
 * pipeline reads (pinpoints, aspect-ratio mode, merge type, LlavaGuard version), then the tower and projector.
 */
final class ProjectorGguf {
    private ProjectorGguf() {}

    static void declare(
            GgufWriter w,
            CheckpointConfig config,
            List<PlannedTensor> tensors,
            String generalName,
            String llavaGuardVersion,
            GgmlType matrixType,
            TensorStreamer streamer) {
        VisionConfig v = config.vision();
        w.putString(ModelKeys.ARCHITECTURE, ModelKeys.CLIP_ARCHITECTURE)
                .putString(ModelKeys.NAME, generalName)
                .putString("general.description", "image encoder and projector for LLaVA")
                .putU32(ModelKeys.FILE_TYPE, FileTypes.of(matrixType))
                .putBool(ModelKeys.HAS_VISION_ENCODER, true)
                .putBool("clip.has_llava_projector", true)
                .putString(ModelKeys.PROJECTOR_TYPE, ModelKeys.PROJECTOR_MLP)
                .putBool(ModelKeys.USE_GELU, v.tanhGelu())
                .putU32(ModelKeys.IMAGE_SIZE, v.imageSize())
                .putU32(ModelKeys.PATCH_SIZE, v.patchSize())
                .putU32(ModelKeys.VISION_EMBEDDING_LENGTH, v.hiddenSize())
                .putU32(ModelKeys.VISION_FEED_FORWARD_LENGTH, v.intermediateSize())
                // exactly the stored layers: llama.cpp runs up to the feature layer, which must exist
                .putU32(ModelKeys.VISION_BLOCK_COUNT, config.featureLayer())
                .putU32(ModelKeys.VISION_PROJECTION_DIM, config.text().hiddenSize())
                .putU32(ModelKeys.VISION_HEAD_COUNT, v.heads())
                .putF32(ModelKeys.VISION_LAYER_NORM_EPSILON, v.layerNormEps())
                .put(ModelKeys.IMAGE_MEAN, GgufValue.float32Array(config.imageMean()))
                .put(ModelKeys.IMAGE_STD, GgufValue.float32Array(config.imageStd()))
                // without it llama.cpp runs one layer fewer than stored (ggml-org/llama.cpp#25817)
                .put(ModelKeys.FEATURE_LAYER, GgufValue.int32Array(config.featureLayer()))
                .putString(ModelKeys.IMAGE_ASPECT_RATIO, config.aspectRatio());
        if (config.onevision()) {
            // [height, width] pairs in the config's order, as the legacy converter stores them
            w.put(ModelKeys.IMAGE_GRID_PINPOINTS, GgufValue.int32Array(config.pinpoints()))
                    .putString(ModelKeys.MM_PATCH_MERGE_TYPE, "spatial_unpad");
        }
        w.putString(ModelKeys.LLAVAGUARD_VERSION, llavaGuardVersion);
        for (PlannedTensor p : tensors) {
            GgmlType type = switch (p.role()) {
                case VECTOR -> GgmlType.F32;
                case CONV_KERNEL -> GgmlType.F16;
                case MATRIX -> matrixType;
            };
            w.addTensor(p.name(), type, p.ne(), streamer.data(p, type));
        }
    }
}
