package io.safetyguard.llamacpp.internal.vision;

import java.util.List;
import java.util.Objects;

/**
 * An image cut into the tiles the reference encodes, with the token layout they produce.
 *
 * @param layout the token layout ({@link ImageTokenPlanner#plan})
 * @param tiles  RGB tiles in encoding order: the base (overview) tile first, then the grid in raster order; each
 *               {@code imageSize x imageSize}
 */
public record PreparedImage(ImageTokenLayout layout, List<RgbImage> tiles) {
    public PreparedImage {
        Objects.requireNonNull(layout, "layout");
        tiles = List.copyOf(tiles);
        if (tiles.size() != layout.tileCount()) {
            throw new IllegalArgumentException(tiles.size() + " tiles for a layout of " + layout.tileCount());
        }
    }
}
