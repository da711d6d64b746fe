package io.safetyguard.llamacpp.internal.vision;

import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout.Tile;
import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout.TileKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Computes the Hugging Face reference's image-token layout for an image size, without touching pixels.
 *
 * <p>Anyres (LLaVA-NeXT / LLaVA-OneVision), step by step as the reference does it:
 * <ol>
 *   <li>pick the best pinpoint ({@link Preprocess#selectBestResolution}); its size over the tile size gives the
 *       tile grid;</li>
 *   <li>stitch the grid's patch features into a {@code rows*p x cols*p} map ({@code p} patches per tile side);</li>
 *   <li>unpad it: remove the feature rows (or columns) that only cover the letterbox padding, computing the image's
 *       scaled height (width) as Python's {@code int(round(x, 7))};</li>
 *   <li>{@code anyres_max_N}: if {@code ratio = sqrt(rows*cols / (N*p²)) > 1.1}, bilinearly downscale the map to
 *       {@code int(rows // ratio) x int(cols // ratio)} (Python float floor division);</li>
 *   <li>append one {@code image_newline} per row and put the overview tile's {@code p²} features first.</li>
 * </ol>
 * Pad-to-square (LLaVA-1.5) is one tile of {@code p²} tokens, no newline.
 *
 * <p>All sizes are accepted from 1 up to {@link Integer#MAX_VALUE}; areas are computed in {@code long}.
 */
public final class ImageTokenPlanner {
    private ImageTokenPlanner() {}

    /** The reference's threshold: the downscale applies when the ratio is strictly above 1.1. */
    static final double DOWNSCALE_THRESHOLD = 1.1;

    /**
     * The token layout of a {@code width x height} image.
     *
     * @throws IllegalArgumentException if a dimension is not positive
     */
    public static ImageTokenLayout plan(VisionGeometry geometry, int width, int height) {
        Objects.requireNonNull(geometry, "geometry");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive, got " + width + "x" + height);
        }
        int tile = geometry.imageSize();
        int p = geometry.patchesPerSide();
        int base = p * p;
        List<Tile> tiles = new ArrayList<>();
        tiles.add(new Tile(TileKind.BASE, 0, 0, 0, 0, tile));

        if (geometry.padToSquare()) {
            int side = Math.max(width, height);
            return new ImageTokenLayout(
                    width,
                    height,
                    true,
                    new Resolution(tile, tile),
                    new Resolution(side, side),
                    new Resolution(width, height),
                    (side - width) / 2,
                    (side - height) / 2,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    false,
                    0.0,
                    0,
                    0,
                    0,
                    base,
                    0,
                    base,
                    tiles);
        }

        Resolution best = Preprocess.selectBestResolution(width, height, geometry.gridPinpoints());
        int rows = best.height() / tile;
        int cols = best.width() / tile;
        Resolution content = Preprocess.fitWithin(width, height, best);
        int padLeft = (best.width() - content.width()) / 2;
        int padTop = (best.height() - content.height()) / 2;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                tiles.add(new Tile(TileKind.GRID, r, c, c * tile, r * tile, tile));
            }
        }

        int featureRows = rows * p;
        int featureCols = cols * p;
        int unpadRowOffset = 0;
        int unpadColOffset = 0;
        // unpad_image: compare aspect ratios as Python floats, then scale the other side.
        if ((double) width / height > (double) featureCols / featureRows) {
            long scaledHeight = PyMath.intRound7(height * ((double) featureCols / width));
            unpadRowOffset = unpadOffset(featureRows, scaledHeight);
        } else {
            long scaledWidth = PyMath.intRound7(width * ((double) featureRows / height));
            unpadColOffset = unpadOffset(featureCols, scaledWidth);
        }
        int unpaddedRows = featureRows - 2 * unpadRowOffset;
        int unpaddedCols = featureCols - 2 * unpadColOffset;

        boolean downscaled = false;
        double ratio = 0.0;
        int packedRows = unpaddedRows;
        int packedCols = unpaddedCols;
        if (geometry.anyresMaxTiles() > 0) {
            long cells = (long) unpaddedRows * unpaddedCols;
            long budget = (long) geometry.anyresMaxTiles() * p * p;
            ratio = Math.sqrt((double) cells / (double) budget);
            if (ratio > DOWNSCALE_THRESHOLD) {
                downscaled = true;
                packedRows = (int) PyMath.trunc(PyMath.floorDiv(unpaddedRows, ratio));
                packedCols = (int) PyMath.trunc(PyMath.floorDiv(unpaddedCols, ratio));
            }
        }
        int gridTokens = Math.multiplyExact(packedRows, packedCols);
        int newlines = packedRows;
        int total = Math.addExact(Math.addExact(base, gridTokens), newlines);
        return new ImageTokenLayout(
                width,
                height,
                false,
                best,
                best,
                content,
                padLeft,
                padTop,
                rows,
                cols,
                featureRows,
                featureCols,
                unpadRowOffset,
                unpadColOffset,
                unpaddedRows,
                unpaddedCols,
                downscaled,
                ratio,
                packedRows,
                packedCols,
                newlines,
                base,
                gridTokens,
                total,
                tiles);
    }

    /** Total image tokens of a {@code width x height} image ({@code plan(...).totalTokens()}). */
    public static int tokenCount(VisionGeometry geometry, int width, int height) {
        return plan(geometry, width, height).totalTokens();
    }

    /** {@code (current - scaled) // 2}, the rows or columns unpad_image removes on each side. */
    private static int unpadOffset(int current, long scaled) {
        long pad = Math.floorDiv(current - scaled, 2L);
        if (pad < 0 || 2 * pad > current) {
            throw new IllegalStateException("unpad offset " + pad + " out of range for " + current + " features");
        }
        return (int) pad;
    }
}
