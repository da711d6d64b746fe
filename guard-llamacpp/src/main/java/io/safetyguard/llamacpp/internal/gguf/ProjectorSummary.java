package io.safetyguard.llamacpp.internal.gguf;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an mmproj (vision projector) GGUF says about itself.
 *
 * @param file                   the file name as given
 * @param architecture           {@code general.architecture}; {@code clip} for every mmproj
 * @param projectorType          {@code clip.projector_type}, {@code mlp} for LLaVA
 * @param hasVisionEncoder       {@code clip.has_vision_encoder}
 * @param imageSize              {@code clip.vision.image_size}: side of one tile in pixels
 * @param patchSize              {@code clip.vision.patch_size}
 * @param embeddingLength        {@code clip.vision.embedding_length}: width of the vision tower
 * @param blockCount             {@code clip.vision.block_count}
 * @param projectionOutputWidth  width of the embeddings the projector produces: {@code ne[1]} of
 *                               {@code mm.2.weight}, or of the last {@code mm.*} weight for other projectors;
 *                               empty when the file has no such tensor
 * @param projectionOutputTensor the tensor {@code projectionOutputWidth} was taken from
 * @param pinpoints              {@code clip.vision.image_grid_pinpoints} as flat width/height pairs; empty when
 *                               the projector does not tile
 * @param featureLayers          {@code clip.vision.feature_layer}; empty when absent
 * @param useGelu                {@code clip.use_gelu}, if present (absent means GELU-quick in llama.cpp)
 * @param imageMean              {@code clip.vision.image_mean}
 * @param imageStd               {@code clip.vision.image_std}
 * @param hasImageNewline        whether the {@code v.image_newline} tensor is present
 * @param hasClassEmbedding      whether {@code v.class_embd} is present (CLIP; SigLIP has none)
 * @param patchMergeType         {@code clip.vision.mm_patch_merge_type}, if present
 * @param declaredVersion        {@code safetyguard.llavaguard.version}, if present
 * @param tiny                   {@code safetyguard.tiny}
 * @param tensorCount            number of tensors
 */
public record ProjectorSummary(
        String file,
        String architecture,
        String projectorType,
        boolean hasVisionEncoder,
        long imageSize,
        long patchSize,
        long embeddingLength,
        long blockCount,
        OptionalLong projectionOutputWidth,
        Optional<String> projectionOutputTensor,
        List<Integer> pinpoints,
        List<Integer> featureLayers,
        Optional<Boolean> useGelu,
        List<Float> imageMean,
        List<Float> imageStd,
        boolean hasImageNewline,
        boolean hasClassEmbedding,
        Optional<String> patchMergeType,
        Optional<String> declaredVersion,
        boolean tiny,
        int tensorCount) {

    public ProjectorSummary {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(projectorType, "projectorType");
        Objects.requireNonNull(projectionOutputWidth, "projectionOutputWidth");
        Objects.requireNonNull(projectionOutputTensor, "projectionOutputTensor");
        pinpoints = List.copyOf(pinpoints);
        featureLayers = List.copyOf(featureLayers);
        Objects.requireNonNull(useGelu, "useGelu");
        imageMean = List.copyOf(imageMean);
        imageStd = List.copyOf(imageStd);
        Objects.requireNonNull(patchMergeType, "patchMergeType");
        Objects.requireNonNull(declaredVersion, "declaredVersion");
    }

    /** Image tokens one tile produces with the mlp projector: {@code (imageSize / patchSize)²}. */
    public long tokensPerTile() {
        return ModelFileInspector.tokensPerTile(imageSize, patchSize);
    }

    /**
     * The most tiles llama.cpp v0.4.0 encodes for one image: 1 without pinpoints; with pinpoints, the tiles of the
     * largest pinpoint resolution plus the overview image. (Images no larger than one tile get only the overview.)
     */
    public long maxTilesPerImage() {
        if (pinpoints.size() < 2 || imageSize <= 0) {
            return 1;
        }
        long max = 1;
        for (int i = 0; i + 1 < pinpoints.size(); i += 2) {
            long w = ceilDiv(pinpoints.get(i), imageSize);
            long h = ceilDiv(pinpoints.get(i + 1), imageSize);
            max = Math.max(max, w * h);
        }
        return max + 1;
    }

    /** Worst-case image tokens for one image ({@link #maxTilesPerImage()} × {@link #tokensPerTile()}). */
    public long maxTokensPerImage() {
        return maxTilesPerImage() * tokensPerTile();
    }

    /** One line for reports. */
    public String describe() {
        return file + ": projector " + Printable.of(projectorType) + ", vision width " + embeddingLength + ", "
                + blockCount
                + " layers, " + imageSize + " px tiles of " + patchSize + " px patches (" + tokensPerTile()
                + " tokens/tile, up to " + maxTokensPerImage() + " per image in libmtmd's pipeline), projects to "
                + (projectionOutputWidth.isPresent() ? String.valueOf(projectionOutputWidth.getAsLong()) : "?")
                + (pinpoints.isEmpty() ? "" : ", pinpoints " + pinpoints)
                + (featureLayers.isEmpty() ? "" : ", feature layers " + featureLayers)
                + (hasImageNewline ? ", image_newline" : "") + (tiny ? "; TINY TEST MODEL" : "");
    }

    private static long ceilDiv(long a, long b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }
}
