package io.safetyguard.llamacpp.internal.vision;

import java.util.List;
import java.util.Objects;

/**
 * Assembles per-tile image embeddings into the sequence the language model receives, as
 * {@code LlavaOnevisionModel.pack_image_features} / {@code LlavaNextModel.pack_image_features} do: the base tile's
 * features first, then the stitched grid features, unpadded, (for {@code anyres_max_N}) bilinearly downscaled, with
 * one {@code image_newline} embedding after each row.
 *
 * <p>The bilinear downscale follows {@code torch.nn.functional.interpolate(mode="bilinear", align_corners=False)}
 * without antialiasing: source coordinate {@code (dst + 0.5) * in / out - 0.5} clamped at 0, computed in float32.
 * The reference runs it in the model's dtype (often bf16/fp16 on a GPU), so results agree to float rounding, not
 * bit for bit.
 */
public final class FeaturePacker {
    private FeaturePacker() {}

    /**
     * Packs the embeddings of one image.
     *
     * @param geometry     the geometry the layout was planned with
     * @param layout       {@link ImageTokenPlanner#plan}
     * @param tileFeatures one array per tile in {@link ImageTokenLayout#tiles()} order (base first), each
     *                     {@code tokensPerTile * dim} floats, token {@code y * patchesPerSide + x} at offset
     *                     {@code token * dim}
     * @param newline      the {@code image_newline} embedding ({@code dim} floats); may be {@code null} only for a
     *                     pad-to-square layout
     * @param dim          embedding width
     * @return {@code layout.totalTokens() * dim} floats in the reference's order
     */
    public static float[] pack(
            VisionGeometry geometry, ImageTokenLayout layout, List<float[]> tileFeatures, float[] newline, int dim) {
        Objects.requireNonNull(geometry, "geometry");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(tileFeatures, "tileFeatures");
        if (dim <= 0) {
            throw new IllegalArgumentException("embedding width must be positive, got " + dim);
        }
        int p = geometry.patchesPerSide();
        if (layout.baseTokens() != p * p || layout.padToSquare() != geometry.padToSquare()) {
            throw new IllegalArgumentException("layout was not planned with this geometry");
        }
        if (tileFeatures.size() != layout.tileCount()) {
            throw new IllegalArgumentException(
                    "expected " + layout.tileCount() + " tiles of features, got " + tileFeatures.size());
        }
        long perTile = (long) p * p * dim;
        for (float[] t : tileFeatures) {
            if (t == null || t.length != perTile) {
                throw new IllegalArgumentException(
                        "each tile needs " + perTile + " floats (" + p * p + " tokens x " + dim + ")");
            }
        }
        if (!layout.padToSquare() && (newline == null || newline.length != dim)) {
            throw new IllegalArgumentException("image_newline must have " + dim + " floats");
        }
        long outLength = (long) layout.totalTokens() * dim;
        if (outLength > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(layout.totalTokens() + " tokens x " + dim + " floats is too large");
        }
        float[] out = new float[(int) outLength];
        System.arraycopy(tileFeatures.get(0), 0, out, 0, p * p * dim);
        if (layout.padToSquare()) {
            return out;
        }
        Grid grid = new Grid(layout, tileFeatures, p, dim);
        int o = p * p * dim;
        int rows = layout.packedRows();
        int cols = layout.packedCols();
        if (!layout.downscaled()) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    grid.copy(r, c, out, o);
                    o += dim;
                }
                System.arraycopy(newline, 0, out, o, dim);
                o += dim;
            }
            return out;
        }
        Axis ys = new Axis(layout.unpaddedRows(), rows);
        Axis xs = new Axis(layout.unpaddedCols(), cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float h0 = ys.lambda0[r];
                float h1 = ys.lambda1[r];
                float w0 = xs.lambda0[c];
                float w1 = xs.lambda1[c];
                int y0 = ys.index0[r];
                int y1 = y0 + ys.offset[r];
                int x0 = xs.index0[c];
                int x1 = x0 + xs.offset[c];
                for (int d = 0; d < dim; d++) {
                    float v = h0 * (w0 * grid.get(y0, x0, d) + w1 * grid.get(y0, x1, d))
                            + h1 * (w0 * grid.get(y1, x0, d) + w1 * grid.get(y1, x1, d));
                    out[o + d] = v;
                }
                o += dim;
            }
            System.arraycopy(newline, 0, out, o, dim);
            o += dim;
        }
        return out;
    }

    /** The unpadded feature map, read straight from the tiles. */
    private static final class Grid {
        private final List<float[]> tiles;
        private final int p;
        private final int dim;
        private final int cols;
        private final int rowOffset;
        private final int colOffset;

        Grid(ImageTokenLayout layout, List<float[]> tiles, int p, int dim) {
            this.tiles = tiles;
            this.p = p;
            this.dim = dim;
            this.cols = layout.gridCols();
            this.rowOffset = layout.unpadRowOffset();
            this.colOffset = layout.unpadColOffset();
        }

        private int tile(int r, int c) {
            return 1 + ((r + rowOffset) / p) * cols + (c + colOffset) / p;
        }

        private int offset(int r, int c) {
            return (((r + rowOffset) % p) * p + (c + colOffset) % p) * dim;
        }

        float get(int r, int c, int d) {
            return tiles.get(tile(r, c))[offset(r, c) + d];
        }

        void copy(int r, int c, float[] out, int at) {
            System.arraycopy(tiles.get(tile(r, c)), offset(r, c), out, at, dim);
        }
    }

    /** PyTorch's linear source indices and weights along one axis (align_corners=False). */
    private static final class Axis {
        final int[] index0;
        final int[] offset;
        final float[] lambda0;
        final float[] lambda1;

        Axis(int in, int out) {
            index0 = new int[out];
            offset = new int[out];
            lambda0 = new float[out];
            lambda1 = new float[out];
            float scale = (float) in / out;
            for (int i = 0; i < out; i++) {
                float src = scale * (i + 0.5f) - 0.5f;
                if (src < 0) {
                    src = 0;
                }
                int i0 = (int) src;
                index0[i] = i0;
                offset[i] = i0 < in - 1 ? 1 : 0;
                float l1 = Math.min(Math.max(src - i0, 0f), 1f);
                lambda1[i] = l1;
                lambda0[i] = 1f - l1;
            }
        }
    }
}
