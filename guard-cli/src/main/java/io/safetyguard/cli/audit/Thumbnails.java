package io.safetyguard.cli.audit;

import io.safetyguard.core.ImageInput;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecodingException;
import io.safetyguard.core.image.ImageLimits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Small JPEG previews for the report's gallery, embedded as {@code data:} URIs so the report stays
 * one self-contained file. They are made from the image as SafetyGuard decodes it (the same safe
 * decoder and limits as the assessment), downscaled by area averaging.
 */
public final class Thumbnails {
    /** Longest side of a preview, in pixels. */
    public static final int MAX_SIDE = 160;

    private static final float JPEG_QUALITY = 0.8f;

    private Thumbnails() {}

    /**
     * A preview, or why there is none.
     *
     * @param dataUri the {@code data:image/jpeg;base64,…} URI, or null
     * @param problem why no preview could be made, or null
     */
    public record Thumbnail(String dataUri, String problem) {}

    /**
     * The preview of the image a record describes. There is none when the file can no longer be
     * decoded, or when its digest differs from the record's (the file changed after it was judged,
     * and showing the new content beside the old verdict would mislead).
     */
    public static Thumbnail forRecord(VerdictRecord record) {
        DecodedImage image;
        try {
            image = ImageInput.ofPath(Path.of(record.path())).decode(ImageLimits.DEFAULT);
        } catch (ImageDecodingException | RuntimeException e) {
            return new Thumbnail(null, "no preview: " + e.getMessage());
        }
        if (record.digest() != null && !record.digest().equals(image.sha256())) {
            return new Thumbnail(null, "no preview: the file changed after it was judged");
        }
        try {
            return new Thumbnail(jpegDataUri(image, MAX_SIDE), null);
        } catch (IOException e) {
            return new Thumbnail(null, "no preview: " + e.getMessage());
        }
    }

    /** {@code image} scaled to at most {@code maxSide} pixels on its longest side, as a JPEG data URI. */
    public static String jpegDataUri(DecodedImage image, int maxSide) throws IOException {
        BufferedImage small = downscale(image, maxSide);
        return "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(jpeg(small));
    }

    /** Area-averaging downscale straight from the packed RGB (never upscales). */
    static BufferedImage downscale(DecodedImage image, int maxSide) {
        int w = image.width();
        int h = image.height();
        double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
        int tw = Math.max(1, (int) Math.round(w * scale));
        int th = Math.max(1, (int) Math.round(h * scale));
        byte[] rgb = image.rgb();
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        for (int ty = 0; ty < th; ty++) {
            int y0 = (int) ((long) ty * h / th);
            int y1 = Math.max(y0 + 1, (int) ((long) (ty + 1) * h / th));
            for (int tx = 0; tx < tw; tx++) {
                int x0 = (int) ((long) tx * w / tw);
                int x1 = Math.max(x0 + 1, (int) ((long) (tx + 1) * w / tw));
                long r = 0;
                long g = 0;
                long b = 0;
                for (int y = y0; y < y1; y++) {
                    int i = (y * w + x0) * 3;
                    for (int x = x0; x < x1; x++, i += 3) {
                        r += rgb[i] & 0xFF;
                        g += rgb[i + 1] & 0xFF;
                        b += rgb[i + 2] & 0xFF;
                    }
                }
                long n = (long) (y1 - y0) * (x1 - x0);
                out.setRGB(tx, ty, (int) (r / n) << 16 | (int) (g / n) << 8 | (int) (b / n));
            }
        }
        return out;
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IOException("no JPEG encoder in this Java runtime");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
