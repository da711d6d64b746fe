package io.safetyguard.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Iterator;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Builds test images in memory, with the JDK's writers, so every fixture's pixels are known. */
public final class TestImages {

    /*
     * ImageIO cannot write WebP, so these were made once with libwebp's cwebp 1.2.4 (Debian package
     * "webp") from two small PNGs with these pixels:
     *   quad.png: top-left FF0000, bottom-left 00FF00, top-right 0000FF, bottom-right 336699 at alpha 0
     *   halves.png: left half E02020, right half 2040E0, opaque
     *   cwebp -lossless -exact quad.png      -> WEBP_LOSSLESS_ALPHA (VP8L)
     *   cwebp -q 90 halves.png               -> WEBP_LOSSY (VP8)
     *   cwebp -q 90 -alpha_q 100 -exact quad.png -> WEBP_LOSSY_ALPHA (VP8X + ALPH + VP8)
     */
    public static final byte[] WEBP_LOSSLESS_ALPHA = Base64.getDecoder()
            .decode(
                    "UklGRkIAAABXRUJQVlA4TDUAAAAvB8ABEB8gECCY9X9gQyCQBLW/2gIBgv8CtQQERf6PFvjJUQUFbdswJVmSJfk2EBH9D+HTHwA=");
    public static final byte[] WEBP_LOSSY = Base64.getDecoder()
            .decode(
                    "UklGRkIAAABXRUJQVlA4IDYAAAAQAgCdASoQABAAAMASJaACdLoB+AH4gAPIAP75WD/+fu//16P90B6t/7oE//gy5lfwZj78wAA=");
    public static final byte[] WEBP_LOSSY_ALPHA = Base64.getDecoder()
            .decode(
                    "UklGRpwAAABXRUJQVlA4WAoAAAAQAAAABwAABwAAQUxQSA0AAAABDzD/ERHiD/8R/Y8HAFZQOCBoAAAAsAMAnQEqCAAIAADAEiWwAnS6AfgB"
                            + "RgPxArv/cAN4g/pIK2ZScAAA/v2ev/5zbP0x4Iv5KSv/gl/8o+BQ5wx9v+2lX/zMzVHTw7T6v9qvvSv/qGwDjnJxeoYTSFFhYefpyxEMV/0PgAA=");

    private TestImages() {}

    /** An opaque image filled with {@code rgb}. */
    public static BufferedImage solid(int width, int height, int rgb) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /** A small PNG unique to {@code rgb}: a handy distinct image per test case. */
    public static byte[] pngOfColour(int rgb) {
        return png(solid(4, 4, rgb));
    }

    /** A gradient with detail, so JPEG has something to compress. */
    public static BufferedImage gradient(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, ((x * 255 / width) << 16) | ((y * 255 / height) << 8) | ((x ^ y) & 0xFF));
            }
        }
        return img;
    }

    public static byte[] png(BufferedImage img) {
        return write(img, "png");
    }

    public static byte[] gif(BufferedImage img) {
        return write(img, "gif");
    }

    public static byte[] bmp(BufferedImage img) {
        return write(img, "bmp");
    }

    public static byte[] jpeg(BufferedImage img, boolean progressive) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.95f);
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        return writeWith(writer, new IIOImage(img, null, null), param);
    }

    /**
     * A CMYK JPEG as Photoshop writes them: Adobe APP14 marker with transform 0, four components,
     * inverted values (stored = 255 - ink). Left half red (C0 M100 Y100 K0), right half cyan.
     */
    public static byte[] cmykJpeg(int width, int height) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, y, x < width / 2 ? new int[] {255, 0, 0, 255} : new int[] {0, 255, 255, 255});
            }
        }
        ImageWriter writer = jdkJpegWriter();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(1f);
        try {
            IIOMetadata md = writer.getDefaultImageMetadata(
                    ImageTypeSpecifier.createFromRenderedImage(new BufferedImage(1, 1, BufferedImage.TYPE_3BYTE_BGR)),
                    param);
            String format = "javax_imageio_jpeg_image_1.0";
            IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(format);
            IIOMetadataNode variety =
                    (IIOMetadataNode) root.getElementsByTagName("JPEGvariety").item(0);
            while (variety.hasChildNodes()) {
                variety.removeChild(variety.getFirstChild()); // no JFIF: JFIF means YCbCr
            }
            IIOMetadataNode markers = (IIOMetadataNode)
                    root.getElementsByTagName("markerSequence").item(0);
            IIOMetadataNode adobe = new IIOMetadataNode("app14Adobe");
            adobe.setAttribute("transform", "0");
            markers.insertBefore(adobe, markers.getFirstChild());
            fourComponents(
                    (IIOMetadataNode) root.getElementsByTagName("sof").item(0),
                    "numFrameComponents",
                    "componentSpec",
                    "componentId");
            fourComponents(
                    (IIOMetadataNode) root.getElementsByTagName("sos").item(0),
                    "numScanComponents",
                    "scanComponentSpec",
                    "componentSelector");
            md.setFromTree(format, root);
            return writeWith(writer, new IIOImage(raster, null, md), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void fourComponents(IIOMetadataNode node, String countAttr, String specName, String idAttr) {
        node.setAttribute(countAttr, "4");
        IIOMetadataNode fourth =
                (IIOMetadataNode) node.getElementsByTagName(specName).item(2).cloneNode(false);
        fourth.setAttribute(idAttr, "4");
        node.appendChild(fourth);
        for (int i = 0; i < 4; i++) {
            IIOMetadataNode spec =
                    (IIOMetadataNode) node.getElementsByTagName(specName).item(i);
            if (specName.equals("componentSpec")) { // cloneNode drops attributes: set all of them
                spec.setAttribute("HsamplingFactor", "1");
                spec.setAttribute("VsamplingFactor", "1");
                spec.setAttribute("QtableSelector", "0");
            } else {
                spec.setAttribute("dcHuffTable", "0");
                spec.setAttribute("acHuffTable", "0");
            }
        }
    }

    private static ImageWriter jdkJpegWriter() {
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun.")) {
                return w;
            }
        }
        throw new IllegalStateException("no JDK JPEG writer");
    }

    /** An animated GIF: frame 0 then frame 1. */
    public static byte[] animatedGif(BufferedImage frame0, BufferedImage frame1) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(frame0, null, null), null);
            writer.writeToSequence(new IIOImage(frame1, null, null), null);
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A palette image; {@code alphas} may mark entries transparent. */
    public static BufferedImage indexed(int width, int height, int[] paletteRgb, byte[] alphas, int[] indices) {
        int n = paletteRgb.length;
        byte[] r = new byte[n];
        byte[] g = new byte[n];
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            r[i] = (byte) (paletteRgb[i] >> 16);
            g[i] = (byte) (paletteRgb[i] >> 8);
            b[i] = (byte) paletteRgb[i];
        }
        IndexColorModel icm =
                alphas == null ? new IndexColorModel(8, n, r, g, b) : new IndexColorModel(8, n, r, g, b, alphas);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, icm);
        img.getRaster().setSamples(0, 0, width, height, 0, indices);
        return img;
    }

    /**
     * A PNG whose header declares {@code width x height} but that carries a few bytes of data: what
     * a decompression bomb looks like before anything is decoded.
     */
    public static byte[] pngHeaderOnly(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(13)
                .putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A GIF whose screen and first image descriptor declare {@code width x height}. */
    public static byte[] gifHeaderOnly(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putShort((short) width)
                .putShort((short) height)
                .put((byte) 0x80)
                .put((byte) 0)
                .put((byte) 0);
        b.put(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255}); // 2-entry global palette
        b.put((byte) 0x2C)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) width)
                .putShort((short) height)
                .put((byte) 0);
        b.put((byte) 2)
                .put((byte) 2)
                .put((byte) 0x4C)
                .put((byte) 0x01)
                .put((byte) 0)
                .put((byte) 0x3B);
        byte[] out = new byte[b.position()];
        b.flip();
        b.get(out);
        return out;
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] write(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no " + format + " writer for image type " + img.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] writeWith(ImageWriter writer, IIOImage image, ImageWriteParam param) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, image, param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
