package io.safetyguard.llamacpp.tools.tiny;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The dimensions of a full-size random-weight model pair, so that timings reflect the real model's compute.
 *
 * <p>{@link #LLAVAGUARD_V1_2_0_5B} has LlavaGuard-v1.2-0.5B-OV's shapes (LLaVA-OneVision qwen2-0.5b), from the
 * public Hugging Face configs: the text model is Qwen2-0.5B(-Instruct) ({@code hidden_size} 896, 24 layers, 14
 * attention heads, 2 key/value heads, {@code intermediate_size} 4864, vocab 151,936, tied embeddings, q/k/v biases,
 * {@code rope_theta} 1e6, RMS-norm epsilon 1e-6, 32k context as LlavaGuard's card states); the vision tower is
 * google/siglip-so400m-patch14-384 ({@code hidden_size} 1152, {@code intermediate_size} 4304, 16 heads, patch 14,
 * image 384 = 729 tokens, layer-norm epsilon 1e-6) of which LLaVA-OneVision uses 26 of the 27 layers
 * ({@code mm_vision_select_layer} -2), with the {@code mlp2x_gelu} projector (1152 → 896 → 896), an
 * {@code image_newline} and the 36 anyres pinpoints (1..6 × 1..6 tiles of 384). See also docs/models.md.
 *
 * @param cliName      name on the command line
 * @param textEmbd     text hidden size
 * @param textLayers   text blocks
 * @param textHeads    attention heads
 * @param textKvHeads  key/value heads (grouped-query attention)
 * @param textFf       feed-forward width
 * @param contextLength trained context
 * @param visionEmbd   vision hidden size
 * @param visionFf     vision feed-forward width
 * @param visionHeads  vision attention heads
 * @param visionLayers vision blocks stored (and run: {@code clip.vision.feature_layer} is set to this)
 * @param imageSize    tile size in pixels
 * @param patchSize    patch size in pixels
 * @param pinpoints    anyres resolutions as [height, width] pairs, flattened
 */
public record RandomModelShape(
        String cliName,
        int textEmbd,
        int textLayers,
        int textHeads,
        int textKvHeads,
        int textFf,
        int contextLength,
        int visionEmbd,
        int visionFf,
        int visionHeads,
        int visionLayers,
        int imageSize,
        int patchSize,
        List<Integer> pinpoints) {

    /** LlavaGuard-v1.2-0.5B-OV: Qwen2-0.5B + SigLIP-so400m-384 (26 layers) + mlp2x. */
    public static final RandomModelShape LLAVAGUARD_V1_2_0_5B = new RandomModelShape(
            "llavaguard-v1.2-0.5b",
            896,
            24,
            14,
            2,
            4864,
            32768,
            1152,
            4304,
            16,
            26,
            384,
            14,
            oneVisionPinpoints(384, 6));

    public RandomModelShape {
        Objects.requireNonNull(cliName, "cliName");
        pinpoints = List.copyOf(pinpoints);
        if (textEmbd % textHeads != 0 || textHeads % textKvHeads != 0 || visionEmbd % visionHeads != 0) {
            throw new IllegalArgumentException("widths must divide into the heads, and heads into the key/value heads");
        }
        if (patchSize < 1 || imageSize < patchSize || pinpoints.size() % 2 != 0) {
            throw new IllegalArgumentException("the image must hold at least one patch; pinpoints come in pairs");
        }
        if (visionFf == visionEmbd) {
            // clip.cpp of llama.cpp v0.4.0 swaps ffn up/down when ffn_down.ne[0] == n_embd
            throw new IllegalArgumentException("the vision feed-forward width must differ from its hidden size");
        }
    }

    /** Width of one attention head. */
    public int headDim() {
        return textEmbd / textHeads;
    }

    /** Width of the key and value projections (key/value heads × head width). */
    public int kvWidth() {
        return textKvHeads * headDim();
    }

    /** Image tokens per tile; the patch convolution drops a remainder (384 px / 14 px = 27 patches a side). */
    public int tokensPerTile() {
        int side = imageSize / patchSize;
        return side * side;
    }

    /** The shape with this {@link #cliName()}, case-insensitive. */
    public static RandomModelShape fromCliName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals(LLAVAGUARD_V1_2_0_5B.cliName())) {
            return LLAVAGUARD_V1_2_0_5B;
        }
        throw new IllegalArgumentException("unknown model shape '" + name + "'; use " + LLAVAGUARD_V1_2_0_5B.cliName());
    }

    /** LLaVA-OneVision's grid: every (rows × cols) of {@code tile}-pixel tiles with 1..max each, row-major. */
    static List<Integer> oneVisionPinpoints(int tile, int max) {
        List<Integer> out = new java.util.ArrayList<>();
        for (int rows = 1; rows <= max; rows++) {
            for (int cols = 1; cols <= max; cols++) {
                out.add(rows * tile);
                out.add(cols * tile);
            }
        }
        return out;
    }
}
