package io.safetyguard.llamacpp.tools.tiny;

import java.util.ArrayList;
import java.util.List;

/**
 * The dimensions of a synthetic checkpoint, in the terms of its {@code config.json}.
 *
 * @param textHidden          {@code text_config.hidden_size}
 * @param textLayers          {@code text_config.num_hidden_layers}
 * @param textHeads           {@code text_config.num_attention_heads}
 * @param textKvHeads         {@code text_config.num_key_value_heads}
 * @param textIntermediate    {@code text_config.intermediate_size}
 * @param vocabSize           {@code text_config.vocab_size} = rows of the embedding and output matrices
 * @param maxPositions        {@code text_config.max_position_embeddings}
 * @param ropeTheta           {@code text_config.rope_theta}
 * @param rmsNormEps          {@code text_config.rms_norm_eps}
 * @param visionHidden        {@code vision_config.hidden_size}
 * @param visionLayers        {@code vision_config.num_hidden_layers} (all stored)
 * @param visionHeads         {@code vision_config.num_attention_heads}
 * @param visionIntermediate  {@code vision_config.intermediate_size}
 * @param imageSize           {@code vision_config.image_size} (one tile)
 * @param patchSize           {@code vision_config.patch_size}
 * @param visionLayerNormEps  {@code vision_config.layer_norm_eps}
 * @param pinpoints           {@code image_grid_pinpoints} as [height, width] pairs (OneVision; empty for LLaVA)
 */
public record SyntheticDims(
        int textHidden,
        int textLayers,
        int textHeads,
        int textKvHeads,
        int textIntermediate,
        int vocabSize,
        int maxPositions,
        double ropeTheta,
        double rmsNormEps,
        int visionHidden,
        int visionLayers,
        int visionHeads,
        int visionIntermediate,
        int imageSize,
        int patchSize,
        double visionLayerNormEps,
        List<List<Integer>> pinpoints) {

    public SyntheticDims {
        pinpoints = pinpoints.stream().map(List::copyOf).toList();
        if (textHidden % textHeads != 0 || textHeads % textKvHeads != 0 || visionHidden % visionHeads != 0) {
            throw new IllegalArgumentException("widths must divide into the heads, and heads into the key/value heads");
        }
        if (textIntermediate == textHidden || visionIntermediate == visionHidden) {
            // clip.cpp of the pinned llama.cpp swaps ffn up/down when ffn_down.ne[0] == n_embd
            throw new IllegalArgumentException("feed-forward widths must differ from the hidden sizes");
        }
        if (patchSize < 1 || imageSize < patchSize) {
            throw new IllegalArgumentException("a tile must hold at least one patch");
        }
    }

    /** Width of one text attention head. */
    public int headDim() {
        return textHidden / textHeads;
    }

    /** Rows of the key and value projections. */
    public int kvWidth() {
        return textKvHeads * headDim();
    }

    /** Patches of one tile: the patch convolution drops a remainder (384 px / 14 px = 27 a side, 729 patches). */
    public int patchesPerTile() {
        int side = imageSize / patchSize;
        return side * side;
    }

    /** LLaVA-OneVision's grid: every rows × cols of {@code tile}-pixel tiles with 1..max each, row-major. */
    static List<List<Integer>> grid(int tile, int max) {
        List<List<Integer>> out = new ArrayList<>();
        for (int rows = 1; rows <= max; rows++) {
            for (int cols = 1; cols <= max; cols++) {
                out.add(List.of(rows * tile, cols * tile));
            }
        }
        return out;
    }
}
