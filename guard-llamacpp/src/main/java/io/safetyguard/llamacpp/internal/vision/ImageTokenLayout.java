package io.safetyguard.llamacpp.internal.vision;

import java.util.List;
import java.util.Objects;

/**
 * Where every image token of one image comes from, as the Hugging Face reference lays them out
 * ({@code LlavaOnevisionModel.pack_image_features}, {@code LlavaNextModel.pack_image_features}, or one LLaVA-1.5
 * tile).
 *
 * <p>Token order: the {@link #baseTokens()} of the overview tile first (row-major patches, no newline), then — for
 * anyres — {@link #packedRows()} rows of {@link #packedCols()} grid features, each row followed by one
 * {@code image_newline} token.
 *
 * <p>Pixel side: the image is resized to {@link #content()} (keeping its aspect ratio) and pasted at
 * ({@link #padLeft()}, {@link #padTop()}) on a {@link #canvas()}; for anyres the canvas is the
 * {@link #bestResolution()} and is cut into {@link #gridRows()} x {@link #gridCols()} tiles; for pad-to-square the
 * canvas is the square of the image's longer side, filled with the mean colour, and resized to one tile.
 *
 * @param imageWidth     the image's width in pixels
 * @param imageHeight    the image's height in pixels
 * @param padToSquare    LLaVA-1.5 layout (one tile) rather than anyres
 * @param bestResolution anyres: the chosen pinpoint; pad-to-square: the tile ({@code imageSize²})
 * @param canvas         what the tiles are cut from (anyres: the best resolution; pad: the padded square at the
 *                       image's own scale)
 * @param content        the image's size on the canvas
 * @param padLeft        columns of padding left of the image on the canvas
 * @param padTop         rows of padding above the image on the canvas
 * @param gridRows       tile rows (0 for pad-to-square)
 * @param gridCols       tile columns (0 for pad-to-square)
 * @param featureRows    feature rows of the stitched tile grid before unpadding ({@code gridRows * patchesPerSide})
 * @param featureCols    feature columns before unpadding
 * @param unpadRowOffset feature rows removed from the top (and as many from the bottom) by {@code unpad_image}
 * @param unpadColOffset feature columns removed from the left (and as many from the right)
 * @param unpaddedRows   feature rows after unpadding
 * @param unpaddedCols   feature columns after unpadding
 * @param downscaled     whether the {@code anyres_max_N} bilinear downscale applied
 * @param downscaleRatio the reference's {@code ratio = sqrt(rows*cols / (N * patchesPerSide²))}; 0 when no
 *                       {@code anyres_max} rule applies
 * @param packedRows     grid feature rows emitted (after the downscale, if any)
 * @param packedCols     grid feature columns emitted
 * @param newlineTokens  {@code image_newline} tokens (one per packed row)
 * @param baseTokens     tokens of the overview tile ({@code patchesPerSide²})
 * @param gridTokens     {@code packedRows * packedCols}
 * @param totalTokens    {@code baseTokens + gridTokens + newlineTokens}: the placeholders the prompt needs
 * @param tiles          the tiles to encode, in the reference's order: the base (overview) tile first, then the grid
 *                       in raster order
 */
public record ImageTokenLayout(
        int imageWidth,
        int imageHeight,
        boolean padToSquare,
        Resolution bestResolution,
        Resolution canvas,
        Resolution content,
        int padLeft,
        int padTop,
        int gridRows,
        int gridCols,
        int featureRows,
        int featureCols,
        int unpadRowOffset,
        int unpadColOffset,
        int unpaddedRows,
        int unpaddedCols,
        boolean downscaled,
        double downscaleRatio,
        int packedRows,
        int packedCols,
        int newlineTokens,
        int baseTokens,
        int gridTokens,
        int totalTokens,
        List<Tile> tiles) {

    public ImageTokenLayout {
        Objects.requireNonNull(bestResolution, "bestResolution");
        Objects.requireNonNull(canvas, "canvas");
        Objects.requireNonNull(content, "content");
        tiles = List.copyOf(tiles);
        if ((long) baseTokens + gridTokens + newlineTokens != totalTokens) {
            throw new IllegalArgumentException("token counts do not add up: " + baseTokens + " + " + gridTokens + " + "
                    + newlineTokens + " != " + totalTokens);
        }
        if (tiles.isEmpty() || tiles.get(0).kind() != TileKind.BASE) {
            throw new IllegalArgumentException("the base tile must come first");
        }
    }

    /** What a tile shows. */
    public enum TileKind {
        /** The whole image resized to one tile (anyres: squashed, not padded; pad-to-square: the padded square). */
        BASE,
        /** One tile of the best-resolution canvas. */
        GRID
    }

    /**
     * One tile to encode.
     *
     * @param kind base or grid
     * @param row  grid row (0 for the base tile)
     * @param col  grid column (0 for the base tile)
     * @param x    left edge on the canvas in pixels (0 for the base tile)
     * @param y    top edge on the canvas in pixels (0 for the base tile)
     * @param size tile side in pixels
     */
    public record Tile(TileKind kind, int row, int col, int x, int y, int size) {
        public Tile {
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** Number of tiles to encode (base included). */
    public int tileCount() {
        return tiles.size();
    }

    /** Number of grid tiles (base excluded). */
    public int gridTileCount() {
        return gridRows * gridCols;
    }

    /** One line for logs and reports. */
    public String describe() {
        if (padToSquare) {
            return imageWidth + "x" + imageHeight + ": padded to " + canvas + ", one tile, " + totalTokens + " tokens";
        }
        return imageWidth + "x" + imageHeight + ": best " + bestResolution + " (" + gridCols + "x" + gridRows
                + " tiles), features " + featureCols + "x" + featureRows + " -> unpadded " + unpaddedCols + "x"
                + unpaddedRows + (downscaled ? " -> downscaled " + packedCols + "x" + packedRows : "") + "; "
                + baseTokens + " base + " + gridTokens + " grid + " + newlineTokens + " newline = " + totalTokens
                + " tokens";
    }
}
