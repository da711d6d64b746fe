package io.safetyguard.core.image;

/**
 * Bounds on what the decoder accepts. They are checked before any pixel is decoded: the byte count
 * before reading past it, the dimensions from the image header before allocating a raster, so a
 * small file that declares a huge image (a decompression bomb) is rejected cheaply.
 *
 * <p>Worst-case memory for one decode is about {@code maxPixels * 8} bytes for the decoder's raster
 * (16-bit RGBA) plus {@code maxPixels * 3} for the RGB copy; with the defaults that is about 700 MiB.
 * Lower the limits when many images are decoded at once on a small heap.
 *
 * @param maxBytes  largest encoded input accepted, in bytes
 * @param maxPixels largest {@code width * height} accepted
 * @param maxWidth  largest width accepted, in pixels
 * @param maxHeight largest height accepted, in pixels
 */
public record ImageLimits(long maxBytes, long maxPixels, int maxWidth, int maxHeight) {

    /** 64 MiB of input; 8192 x 8192 = 64 Mi pixels; no side longer than 32768. */
    public static final ImageLimits DEFAULT = new ImageLimits(64L << 20, 8192L * 8192, 32768, 32768);

    public ImageLimits {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
            // Encoded bytes are held in one array, so the cap is the largest array Java can allocate.
            throw new IllegalArgumentException(
                    "maxBytes must be in [1, " + (Integer.MAX_VALUE - 8) + "], got " + maxBytes);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
        }
        if (maxPixels * 3 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxPixels must be at most " + ((Integer.MAX_VALUE - 8) / 3)
                    + " (the RGB copy is one array), got " + maxPixels);
        }
        if (maxWidth < 1 || maxHeight < 1) {
            throw new IllegalArgumentException(
                    "maxWidth and maxHeight must be >= 1, got " + maxWidth + "x" + maxHeight);
        }
    }

    public ImageLimits withMaxBytes(long value) {
        return new ImageLimits(value, maxPixels, maxWidth, maxHeight);
    }

    public ImageLimits withMaxPixels(long value) {
        return new ImageLimits(maxBytes, value, maxWidth, maxHeight);
    }

    public ImageLimits withMaxDimensions(int width, int height) {
        return new ImageLimits(maxBytes, maxPixels, width, height);
    }
}
