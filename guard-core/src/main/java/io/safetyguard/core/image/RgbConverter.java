package io.safetyguard.core.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;

/**
 * Converts any {@link BufferedImage} to packed 8-bit RGB the way PIL's {@code Image.convert("RGB")}
 * does, which is what LlavaGuard saw in training:
 * <ul>
 *   <li>alpha is dropped, not composited: a transparent pixel keeps its stored colour;</li>
 *   <li>a palette pixel takes its palette colour, whatever the palette's alpha;</li>
 *   <li>grey is replicated into R, G and B from the raw sample. {@code BufferedImage.getRGB} is not
 *       used there because Java treats grey as linear and would brighten it (128 becomes 188);</li>
 *   <li>16-bit samples keep their high byte; 1-, 2- and 4-bit samples are scaled to 0..255;</li>
 *   <li>embedded colour profiles are ignored for RGB and grey (PIL ignores them too).</li>
 * </ul>
 * Other colour spaces (CMYK, YCCK, Lab) and premultiplied alpha go through Java's colour conversion.
 */
final class RgbConverter {

    private RgbConverter() {}

    static byte[] toRgb(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            return fromPalette(icm, raster);
        }
        if (isRawRgbOrGrey(cm, raster)) {
            byte[] fast = fromInterleavedBytes(cm, raster);
            return fast != null ? fast : fromSamples(cm, raster);
        }
        return fromColourManaged(image);
    }

    private static boolean isRawRgbOrGrey(ColorModel cm, Raster raster) {
        if (!(cm instanceof ComponentColorModel || cm instanceof DirectColorModel) || cm.isAlphaPremultiplied()) {
            return false;
        }
        int type = raster.getTransferType();
        if (type != DataBuffer.TYPE_BYTE && type != DataBuffer.TYPE_USHORT && type != DataBuffer.TYPE_INT) {
            return false; // float, double and signed samples are not 0..max integers
        }
        int csType = cm.getColorSpace().getType();
        int colours = cm.getNumColorComponents();
        return (csType == ColorSpace.TYPE_RGB && colours == 3) || (csType == ColorSpace.TYPE_GRAY && colours == 1);
    }

    private static byte[] fromPalette(IndexColorModel icm, Raster raster) {
        int size = icm.getMapSize();
        byte[] reds = new byte[size];
        byte[] greens = new byte[size];
        byte[] blues = new byte[size];
        icm.getReds(reds);
        icm.getGreens(greens);
        icm.getBlues(blues);
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                // An index past the palette (corrupt data the reader let through) reads as black.
                int i = row[x];
                if (i >= 0 && i < size) {
                    out[o] = reds[i];
                    out[o + 1] = greens[i];
                    out[o + 2] = blues[i];
                }
                o += 3;
            }
        }
        return out;
    }

    /** Fast path for 8-bit interleaved bytes (JPEG, most PNGs): a strided copy, no per-sample calls. */
    private static byte[] fromInterleavedBytes(ColorModel cm, Raster raster) {
        SampleModel sm = raster.getSampleModel();
        if (!(raster.getDataBuffer() instanceof DataBufferByte data)
                || data.getNumBanks() != 1
                || !(sm instanceof ComponentSampleModel csm)
                || csm.getNumBands() != cm.getNumComponents()) {
            return null;
        }
        for (int b = 0; b < csm.getNumBands(); b++) {
            if (csm.getSampleSize(b) != 8 || csm.getBankIndices()[b] != 0) {
                return null;
            }
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] offsets = csm.getBandOffsets();
        int pixelStride = csm.getPixelStride();
        int scanline = csm.getScanlineStride();
        int base = data.getOffset()
                - raster.getSampleModelTranslateY() * scanline
                - raster.getSampleModelTranslateX() * pixelStride;
        byte[] src = data.getData();
        boolean grey = cm.getNumColorComponents() == 1;
        int r = offsets[0];
        int g = grey ? offsets[0] : offsets[1];
        int bl = grey ? offsets[0] : offsets[2];
        byte[] out = new byte[w * h * 3];
        int o = 0;
        for (int y = 0; y < h; y++) {
            int p = base + y * scanline;
            for (int x = 0; x < w; x++, p += pixelStride) {
                out[o++] = src[p + r];
                out[o++] = src[p + g];
                out[o++] = src[p + bl];
            }
        }
        return out;
    }

    private static byte[] fromSamples(ColorModel cm, Raster raster) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        boolean grey = cm.getNumColorComponents() == 1;
        SampleModel sm = raster.getSampleModel();
        int[] bits = new int[Math.min(bands, 3)];
        for (int b = 0; b < bits.length; b++) {
            bits[b] = sm.getSampleSize(b);
        }
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * bands];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0, p = 0; x < w; x++, p += bands) {
                if (grey) {
                    byte v = to8(row[p], bits[0]);
                    out[o++] = v;
                    out[o++] = v;
                    out[o++] = v;
                } else {
                    out[o++] = to8(row[p], bits[0]);
                    out[o++] = to8(row[p + 1], bits[1]);
                    out[o++] = to8(row[p + 2], bits[2]);
                }
            }
        }
        return out;
    }

    static byte to8(int sample, int bits) {
        if (bits == 8) {
            return (byte) sample;
        }
        if (bits > 8) {
            return (byte) (sample >>> (bits - 8));
        }
        int max = (1 << bits) - 1;
        return (byte) ((sample * 255 + max / 2) / max);
    }

    private static byte[] fromColourManaged(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            // getRGB un-premultiplies and converts to sRGB; its alpha byte is ignored below.
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                out[o++] = (byte) (argb >> 16);
                out[o++] = (byte) (argb >> 8);
                out[o++] = (byte) argb;
            }
        }
        return out;
    }
}
