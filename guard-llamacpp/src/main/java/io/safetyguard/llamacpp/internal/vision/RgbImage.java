package io.safetyguard.llamacpp.internal.vision;

import java.util.Arrays;
import java.util.Objects;

/**
 * Packed 8-bit RGB pixels: 3 bytes per pixel, row-major, no row padding (the layout of
 * {@code io.safetyguard.core.image.DecodedImage}).
 *
 * <p>The array is not copied; treat it as read-only.
 *
 * @param width  pixels per row, &gt; 0
 * @param height rows, &gt; 0
 * @param rgb    {@code width * height * 3} bytes
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("RGB buffer has " + rgb.length + " bytes, expected "
                    + ((long) width * height * 3) + " for " + width + "x" + height);
        }
    }

    /** An image of one colour. */
    public static RgbImage filled(int width, int height, int[] color) {
        checkColor(color);
        long n = (long) width * height * 3;
        if (width <= 0 || height <= 0 || n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot allocate a " + width + "x" + height + " RGB image");
        }
        byte[] px = new byte[(int) n];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) color[0];
            px[i + 1] = (byte) color[1];
            px[i + 2] = (byte) color[2];
        }
        return new RgbImage(width, height, px);
    }

    /** The size as a {@link Resolution}. */
    public Resolution size() {
        return new Resolution(width, height);
    }

    /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel (x, y), 0..255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other
                && width == other.width
                && height == other.height
                && Arrays.equals(rgb, other.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }

    static void checkColor(int[] color) {
        Objects.requireNonNull(color, "color");
        if (color.length != 3) {
            throw new IllegalArgumentException("a colour needs 3 channels, got " + color.length);
        }
        for (int c : color) {
            if (c < 0 || c > 255) {
                throw new IllegalArgumentException("colour channels must be 0..255, got " + Arrays.toString(color));
            }
        }
    }
}
