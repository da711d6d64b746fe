package io.safetyguard.core.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Objects;

/**
 * An image decoded in Java into packed 8-bit RGB (3 bytes per pixel, row-major, no padding),
 * with the SHA-256 digest of the original encoded bytes.
 *
 * <p>The pixel array is not copied; treat it as read-only.
 *
 * @param width   pixels per row, &gt; 0
 * @param height  rows, &gt; 0
 * @param rgb     {@code width * height * 3} bytes
 * @param sha256  lower-case hex SHA-256 of the source bytes (for a {@code BufferedImage} source:
 *                of the decoded RGB plus dimensions)
 * @param source  a short description of where the image came from (file path, "bytes", ...)
 */
public record DecodedImage(int width, int height, byte[] rgb, String sha256, String source) {
    public DecodedImage {
        Objects.requireNonNull(rgb, "rgb");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(source, "source");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive: " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException(
                    "RGB buffer has " + rgb.length + " bytes, expected " + ((long) width * height * 3));
        }
    }

    /** A new sRGB {@link BufferedImage} backed by a copy of the pixels. */
    public BufferedImage toBufferedImage() {
        WritableRaster raster = Raster.createInterleavedRaster(
                new DataBufferByte(rgb.clone(), rgb.length), width, height, width * 3, 3, new int[] {0, 1, 2}, null);
        ComponentColorModel cm = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        return new BufferedImage(cm, raster, false, null);
    }

    @Override
    public String toString() {
        return "DecodedImage[" + width + "x" + height + ", sha256=" + sha256 + ", source=" + source + "]";
    }
}
