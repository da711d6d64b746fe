package io.safetyguard.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.safetyguard.core.image.ImageDecodingException.Problem;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile and unusual inputs that {@link ImageDecoderTest} does not cover: extreme aspect ratios,
 * animated PNG and WebP, polyglot files, huge metadata chunks, huge declared JPEG sizes, BMP
 * heights that are negative or absurd, truncated WebP, and the inputs {@code ImageDecoderFuzzTest}
 * found. Each must decode correctly or fail with a typed {@link ImageDecodingException}, quickly
 * and without allocating anything near what the header claims.
 */
class HostileImagesTest {

    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);

    // ---- extreme aspect ratios ------------------------------------------------------------

    @Test
    void oneByThirtyThousandAndThirtyThousandByOneDecodeExactly() throws Exception {
        for (boolean tall : new boolean[] {true, false}) {
            int w = tall ? 1 : 30_000;
            int h = tall ? 30_000 : 1;
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            img.setRGB(0, 0, 0xFF0000);
            img.setRGB(w - 1, h - 1, 0x0000FF);
            for (String format : new String[] {"png", "gif", "bmp"}) {
                String name = w + "x" + h + "." + format;
                byte[] bytes = switch (format) {
                    case "png" -> TestImages.png(img);
                    case "gif" -> TestImages.gif(img);
                    default -> TestImages.bmp(img);
                };
                DecodedImage d = decoder.decode(bytes, name);
                assertThat(d.width()).as(name).isEqualTo(w);
                assertThat(d.height()).as(name).isEqualTo(h);
                assertThat(ImageDecoderTest.rgbAt(d, 0, 0)).as(name).isEqualTo(0xFF0000);
                assertThat(ImageDecoderTest.rgbAt(d, w - 1, h - 1)).as(name).isEqualTo(0x0000FF);
                assertThat(ImageDecoderTest.rgbAt(d, w / 2, h / 2)).as(name).isEqualTo(0x000000);
            }
        }
    }

    @Test
    void extremeAspectRatioJpegDecodes() throws Exception {
        BufferedImage img = new BufferedImage(30_000, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int x = 0; x < 30_000; x++) {
            for (int y = 0; y < 8; y++) {
                img.setRGB(x, y, x < 15_000 ? 0xC81E32 : 0x1E32C8);
            }
        }
        DecodedImage d = decoder.decode(TestImages.jpeg(img, false), "strip.jpg");
        assertThat(d.width()).isEqualTo(30_000);
        assertThat(d.height()).isEqualTo(8);
        assertClose(ImageDecoderTest.rgbAt(d, 100, 4), 0xC81E32, 8);
        assertClose(ImageDecoderTest.rgbAt(d, 29_900, 4), 0x1E32C8, 8);
    }

    @Test
    void extremeAspectRatiosOutsideTheLimitsAreTypedRejections() {
        byte[] tall = TestImages.png(new BufferedImage(1, 30_000, BufferedImage.TYPE_BYTE_GRAY));
        byte[] wide = TestImages.png(new BufferedImage(30_000, 1, BufferedImage.TYPE_BYTE_GRAY));
        ImageDecoder sides = new ImageDecoder(ImageLimits.DEFAULT.withMaxDimensions(16_384, 16_384));
        assertThat(rejected(sides, tall, "tall.png").getMessage()).contains("1x30000", "16384x16384");
        assertThat(rejected(sides, wide, "wide.png").getMessage()).contains("30000x1", "16384x16384");
        ImageDecoder pixels = new ImageDecoder(ImageLimits.DEFAULT.withMaxPixels(20_000));
        assertThat(rejected(pixels, tall, "tall.png").getMessage()).contains("1x30000 = 30000 pixels");
        assertThat(rejected(pixels, wide, "wide.png").problem()).isEqualTo(Problem.TOO_LARGE);
    }

    // ---- animated images: the first frame -------------------------------------------------

    @Test
    void animatedPngDecodesTheDefaultImage() throws Exception {
        byte[] apng = apng(
                TestImages.png(TestImages.solid(4, 4, 0xFF0000)), TestImages.png(TestImages.solid(4, 4, 0x0000FF)));
        DecodedImage d = decoder.decode(apng, "anim.png");
        assertThat(d.width()).isEqualTo(4);
        assertThat(ImageDecoderTest.rgbAt(d, 2, 2)).isEqualTo(0xFF0000);
    }

    @Test
    void animatedWebpDecodesTheFirstFrame() throws Exception {
        // Frame 0: the 16x16 lossy halves (left red, right blue); frame 1: the 8x8 lossless quad,
        // whose top-left is red, placed over the top-right quarter.
        byte[] webp = animatedWebp(
                16, 16, frame(0, 0, 16, 16, TestImages.WEBP_LOSSY), frame(8, 0, 8, 8, TestImages.WEBP_LOSSLESS_ALPHA));
        DecodedImage d = decoder.decode(webp, "anim.webp");
        assertThat(d.width()).isEqualTo(16);
        assertThat(d.height()).isEqualTo(16);
        assertClose(ImageDecoderTest.rgbAt(d, 2, 8), 0xE02020, 30);
        assertClose(ImageDecoderTest.rgbAt(d, 9, 1), 0x2040E0, 30); // frame 1 would make it red
    }

    // ---- polyglots -------------------------------------------------------------------------

    @Test
    void imagesWithAZipAppendedDecodeAsTheImage() throws Exception {
        byte[] png = TestImages.png(TestImages.solid(3, 2, 0x123456));
        byte[] zip = zip("payload.txt", "hidden\n");
        DecodedImage p = decoder.decode(concat(png, zip), "png+zip.png");
        assertThat(ImageDecoderTest.rgbAt(p, 2, 1)).isEqualTo(0x123456);
        assertThat(p.sha256())
                .as("the digest covers every byte, not just the image")
                .isNotEqualTo(ImageDecoder.sha256(png));
        DecodedImage j =
                decoder.decode(concat(TestImages.jpeg(TestImages.solid(16, 16, 0x20C040), false), zip), "jpg+zip.jpg");
        assertClose(ImageDecoderTest.rgbAt(j, 8, 8), 0x20C040, 6);
    }

    @Test
    void gifThatIsAlsoJavaScriptDecodesAsTheGif() throws Exception {
        // "GIF89a/*" makes the file a script comment; the logical screen is 0x2A2F = 10799 wide.
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes("GIF89a/*".getBytes(StandardCharsets.US_ASCII));
        o.writeBytes(new byte[] {1, 0, (byte) 0x80, 0, 0, 0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        o.writeBytes(new byte[] {0x2C, 0, 0, 0, 0, 2, 0, 1, 0, 0, 2, 2, 0x0C, 0x0A, 0, 0x3B}); // LZW: clear, 1, 0, end
        o.writeBytes("*/=1;alert(document.domain);//".getBytes(StandardCharsets.US_ASCII));
        DecodedImage d = decoder.decode(o.toByteArray(), "gif.js");
        assertThat(d.width()).isEqualTo(2);
        assertThat(d.height()).isEqualTo(1);
        assertThat(ImageDecoderTest.rgbAt(d, 0, 0)).isEqualTo(0xFFFFFF);
        assertThat(ImageDecoderTest.rgbAt(d, 1, 0)).isEqualTo(0x000000);
    }

    @Test
    void polyglotsThatDoNotStartAsAnImageAreUnsupported() {
        byte[] png = TestImages.pngOfColour(0x445566);
        assertThat(rejected(decoder, concat(zip("a.txt", "x"), png), "zip+png").problem())
                .isEqualTo(Problem.UNSUPPORTED_FORMAT);
        byte[] html = concat("<!-- <html><script>alert(1)</script> -->".getBytes(StandardCharsets.US_ASCII), png);
        assertThat(rejected(decoder, html, "html+png").getMessage()).contains("detected SVG/XML/HTML");
    }

    // ---- huge metadata ---------------------------------------------------------------------

    @Test
    @Timeout(10)
    void tenMegabyteTextChunksAreRejectedUnderTheByteLimitAndSkippedOtherwise() throws Exception {
        byte[] small = TestImages.png(TestImages.solid(2, 2, 0x336699));
        byte[] incompressible = new byte[10 << 20];
        new Random(3).nextBytes(incompressible);
        byte[] zTxt = chunk("zTXt", concat(latin1("Comment\0\0"), deflate(incompressible, Deflater.NO_COMPRESSION)));
        byte[] iTxt = chunk("iTXt", concat(latin1("XML:com.adobe.xmp\0\0\0\0\0"), incompressible));
        ImageDecoder capped = new ImageDecoder(ImageLimits.DEFAULT.withMaxBytes(4L << 20));
        for (byte[] textChunk : new byte[][] {zTxt, iTxt}) {
            byte[] png = insertAfterIhdr(small, textChunk);
            assertThat(png.length).isGreaterThan(10 << 20);
            long before = allocatedBytes();
            assertThat(rejected(capped, png, "meta.png").problem()).isEqualTo(Problem.TOO_MANY_BYTES);
            assertThat(allocatedBytes() - before)
                    .as("rejected from the byte count alone")
                    .isLessThan(1 << 20);

            before = allocatedBytes();
            DecodedImage d = decoder.decode(png, "meta.png");
            assertThat(ImageDecoderTest.rgbAt(d, 1, 1)).isEqualTo(0x336699);
            assertThat(allocatedBytes() - before)
                    .as("the chunk is skipped, not copied or inflated")
                    .isLessThan(8L << 20);
        }
    }

    @Test
    @Timeout(10)
    void compressedTextThatInflatesToGigabytesIsNeverInflated() throws Exception {
        byte[] bomb = deflate(new byte[256 << 20], Deflater.BEST_COMPRESSION); // 256 MiB of zeros, ~250 KB
        byte[] png = insertAfterIhdr(
                TestImages.png(TestImages.solid(2, 2, 0xABCDEF)), chunk("zTXt", concat(latin1("Comment\0\0"), bomb)));
        assertThat(png.length).isLessThan(1 << 20);
        long before = allocatedBytes();
        DecodedImage d = decoder.decode(png, "ztxt-bomb.png");
        assertThat(ImageDecoderTest.rgbAt(d, 0, 0)).isEqualTo(0xABCDEF);
        assertThat(allocatedBytes() - before).isLessThan(8L << 20);
    }

    @Test
    void chunkThatDeclaresTwoGigabytesIsACleanError() {
        byte[] small = TestImages.png(TestImages.solid(2, 2, 0));
        byte[] png = concat(
                Arrays.copyOf(small, 33),
                new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0, 't', 'E', 'X', 't', 'a', 'b', 'c'});
        assertThat(rejected(decoder, png, "chunk.png").problem()).isEqualTo(Problem.CORRUPT);
    }

    @Test
    @Timeout(20)
    void jpegWithManyMegabytesOfAppSegmentsDecodesWithoutCopyingThem() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.solid(16, 16, 0x3050A0), false);
        byte[] junk = new byte[65_000];
        new Random(5).nextBytes(junk);
        ByteArrayOutputStream segments = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            segments.writeBytes(segment(0xE1, concat(latin1("http://ns.adobe.com/xap/1.0/\0"), junk)));
        }
        byte[] big = concat(Arrays.copyOf(jpeg, 2), segments.toByteArray(), Arrays.copyOfRange(jpeg, 2, jpeg.length));
        assertThat(big.length).isGreaterThan(6 << 20);
        assertThat(rejected(new ImageDecoder(ImageLimits.DEFAULT.withMaxBytes(4L << 20)), big, "xmp.jpg")
                        .problem())
                .isEqualTo(Problem.TOO_MANY_BYTES);
        long before = allocatedBytes();
        DecodedImage d = decoder.decode(big, "xmp.jpg");
        assertClose(ImageDecoderTest.rgbAt(d, 8, 8), 0x3050A0, 6);
        assertThat(allocatedBytes() - before).isLessThan(64L << 20);
    }

    @Test
    void jpegWithATruncatedIccProfileDecodesWithoutIt() throws Exception {
        // The reader warns "Truncated ICC Profile data. Ignoring ICC profile." and decodes every
        // pixel; that warning is not a truncated image.
        byte[] jpeg = TestImages.jpeg(TestImages.solid(16, 16, 0x3050A0), false);
        byte[] profile = java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_sRGB)
                .getData();
        byte[] broken = concat(
                Arrays.copyOf(jpeg, 2),
                segment(0xE2, concat(latin1("ICC_PROFILE\0\1\2"), Arrays.copyOf(profile, 300))),
                Arrays.copyOfRange(jpeg, 2, jpeg.length));
        assertClose(ImageDecoderTest.rgbAt(decoder.decode(broken, "icc.jpg"), 8, 8), 0x3050A0, 6);
        assertThat(rejected(decoder, Arrays.copyOf(broken, broken.length - 200), "icc-cut.jpg")
                        .problem())
                .isEqualTo(Problem.CORRUPT);
    }

    // ---- huge declared JPEG ----------------------------------------------------------------

    @Test
    @Timeout(10)
    void jpegDeclaringHugeDimensionsIsRejectedFromTheHeader() {
        byte[] jpeg = TestImages.jpeg(TestImages.gradient(16, 16), false);
        long before = allocatedBytes();
        ImageDecodingException sides = rejected(decoder, patchSof(jpeg, 65_500, 65_500), "huge.jpg");
        assertThat(sides.problem()).isEqualTo(Problem.TOO_LARGE);
        assertThat(sides.getMessage()).contains("65500x65500");
        ImageDecodingException pixels = rejected(decoder, patchSof(jpeg, 30_000, 30_000), "many.jpg");
        assertThat(pixels.getMessage()).contains("30000x30000 = 900000000 pixels");
        assertThat(allocatedBytes() - before).isLessThan(16L << 20);
        assertThat(rejected(decoder, patchSof(jpeg, 16, 0), "zero.jpg").problem())
                .isEqualTo(Problem.CORRUPT);
    }

    // ---- BMP heights -----------------------------------------------------------------------

    @Test
    void bmpWithNegativeHeightIsTopDownAndDecodesInOrder() throws Exception {
        BufferedImage img = new BufferedImage(3, 3, BufferedImage.TYPE_3BYTE_BGR);
        int[] rows = {0xFF0000, 0x00FF00, 0x0000FF};
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                img.setRGB(x, y, rows[y]);
            }
        }
        byte[] bottomUp = TestImages.bmp(img);
        ByteBuffer header = ByteBuffer.wrap(bottomUp).order(ByteOrder.LITTLE_ENDIAN);
        int offset = header.getInt(10);
        int stride = (3 * 3 + 3) & ~3;
        byte[] topDown = bottomUp.clone();
        for (int y = 0; y < 3; y++) {
            System.arraycopy(bottomUp, offset + (2 - y) * stride, topDown, offset + y * stride, stride);
        }
        ByteBuffer.wrap(topDown).order(ByteOrder.LITTLE_ENDIAN).putInt(22, -3);
        DecodedImage d = decoder.decode(topDown, "top-down.bmp");
        assertThat(d.height()).isEqualTo(3);
        for (int y = 0; y < 3; y++) {
            assertThat(ImageDecoderTest.rgbAt(d, 1, y)).as("row %d", y).isEqualTo(rows[y]);
        }
    }

    @Test
    @Timeout(10)
    void bmpWithAbsurdDimensionsIsATypedRejection() {
        byte[] bmp = TestImages.bmp(TestImages.gradient(5, 3));
        long before = allocatedBytes();
        for (int[] wh : new int[][] {
            {5, Integer.MAX_VALUE},
            {5, Integer.MIN_VALUE},
            {5, -Integer.MAX_VALUE},
            {5, -40_000},
            {-5, 3},
            {Integer.MAX_VALUE, 3},
            {40_000, 40_000},
            {0, 3},
            {5, 0}
        }) {
            byte[] b = bmp.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(18, wh[0]).putInt(22, wh[1]);
            ImageDecodingException e = rejected(decoder, b, "odd.bmp");
            assertThat(e.problem()).as("%d x %d", wh[0], wh[1]).isIn(Problem.TOO_LARGE, Problem.CORRUPT);
        }
        assertThat(allocatedBytes() - before).isLessThan(16L << 20);
    }

    // ---- truncated WebP, and what the fuzzer found -----------------------------------------

    @Test
    void truncatedWebpIsRejected() {
        for (byte[] full : new byte[][] {TestImages.WEBP_LOSSY, TestImages.WEBP_LOSSY_ALPHA}) {
            // The last byte or two are RIFF padding; every shorter prefix lacks image data.
            for (int n = 1; n < full.length - 2; n++) {
                rejected(decoder, Arrays.copyOf(full, n), "cut.webp");
            }
        }
        byte[] lossless = TestImages.WEBP_LOSSLESS_ALPHA;
        for (int n : new int[] {13, 20, 25, 30, 34, 40, lossless.length / 2}) {
            assertThat(rejected(decoder, Arrays.copyOf(lossless, n), "cut.webp").problem())
                    .isEqualTo(Problem.CORRUPT);
        }
    }

    /**
     * Found by {@code ImageDecoderFuzzTest} (also in its seed corpus): a lossless WebP whose
     * Huffman code groups go on past the end of the data. The WebP reader took each read past the
     * end as zero bits and spent 20 to 30 seconds on 83 bytes before returning invented pixels.
     */
    @Test
    @Timeout(5)
    void losslessWebpThatKeepsReadingPastItsEndIsRejectedQuickly() {
        byte[] webp = Base64.getDecoder()
                .decode(
                        "UklGRkIAAABXRUJQVlA4TDUAAAAvB8ABEB8gECCY9X9gQyCQBLW/2gIBgv8CtQQERf6PAAAACAAAAAgoCAIAAAE8ahlKAA/+////////f+HTHwA=");
        ImageDecodingException e = rejected(decoder, webp, "groups.webp");
        assertThat(e.problem()).isEqualTo(Problem.CORRUPT);
        assertThat(e.getMessage()).contains("the data ends early");
    }

    /**
     * Single-colour images have one-symbol Huffman codes, which take no bits, so the WebP reader
     * decodes every pixel "past the end" of the data: valid, and it must stay within the limit.
     * Made with libwebp's cwebp 1.2.4 from PNGs: a 1x5000 black image ({@code cwebp -lossless -z 0},
     * 4 reads past the end per pixel, the most measured) and a 257x129 image of 336699 ({@code
     * cwebp -lossless -z 9}).
     */
    @Test
    void validSingleColourWebpThatIsDecodedPastItsEndStillDecodes() throws Exception {
        DecodedImage column = decoder.decode(
                Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA4AAAAvAMDhBAcQEf0PRET/Aw=="), "column.webp");
        assertThat(column.width()).isEqualTo(1);
        assertThat(column.height()).isEqualTo(5000);
        assertThat(ImageDecoderTest.rgbAt(column, 0, 4999)).isEqualTo(0x000000);
        DecodedImage flat = decoder.decode(
                Base64.getDecoder().decode("UklGRh4AAABXRUJQVlA4TBEAAAAvAAEgAAdQs840s/+BiOh/AAA="), "flat.webp");
        assertThat(flat.width()).isEqualTo(257);
        assertThat(flat.height()).isEqualTo(129);
        assertThat(ImageDecoderTest.rgbAt(flat, 256, 128)).isEqualTo(0x336699);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static ImageDecodingException rejected(ImageDecoder decoder, byte[] bytes, String name) {
        ImageDecodingException e =
                catchThrowableOfType(ImageDecodingException.class, () -> decoder.decode(bytes, name));
        assertThat(e)
                .as("expected %s (%d bytes) to be rejected", name, bytes.length)
                .isNotNull();
        assertThat(e.getMessage()).startsWith(name + ": ");
        return e;
    }

    /** Bytes allocated by this thread so far (HotSpot's per-thread counter, exact). */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void assertClose(int actual, int expected, int tolerance) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int a = (actual >> shift) & 0xFF;
            int e = (expected >> shift) & 0xFF;
            assertThat(Math.abs(a - e))
                    .as("channel at bit %d of %06x vs %06x", shift, actual, expected)
                    .isLessThanOrEqualTo(tolerance);
        }
    }

    private static byte[] apng(byte[] first, byte[] second) {
        int idat = indexOf(second, latin1("IDAT")) - 4;
        int length = ByteBuffer.wrap(second).getInt(idat);
        byte[] frame2 = Arrays.copyOfRange(second, idat + 8, idat + 8 + length);
        byte[] acTL = ByteBuffer.allocate(8).putInt(2).putInt(0).array();
        byte[] fcTL0 = fcTL(0);
        byte[] fcTL1 = fcTL(2);
        byte[] fdAT = concat(ByteBuffer.allocate(4).putInt(3).array(), frame2);
        byte[] withControl = insertAfterIhdr(first, concat(chunk("acTL", acTL), chunk("fcTL", fcTL0)));
        int iend = withControl.length - 12;
        return concat(
                Arrays.copyOf(withControl, iend),
                chunk("fcTL", fcTL1),
                chunk("fdAT", fdAT),
                Arrays.copyOfRange(withControl, iend, withControl.length));
    }

    private static byte[] fcTL(int sequence) {
        return ByteBuffer.allocate(26)
                .putInt(sequence)
                .putInt(4)
                .putInt(4)
                .putInt(0)
                .putInt(0)
                .putShort((short) 1)
                .putShort((short) 10)
                .put((byte) 0)
                .put((byte) 0)
                .array();
    }

    /** An ANMF frame: offset (even), size and the frame's bitstream chunks taken from a still WebP. */
    private static byte[] frame(int x, int y, int w, int h, byte[] still) {
        byte[] header = new byte[16];
        put24(header, 0, x / 2);
        put24(header, 3, y / 2);
        put24(header, 6, w - 1);
        put24(header, 9, h - 1);
        put24(header, 12, 100);
        return riffChunk("ANMF", concat(header, Arrays.copyOfRange(still, 12, still.length)));
    }

    private static byte[] animatedWebp(int width, int height, byte[]... frames) {
        byte[] vp8x = new byte[10];
        vp8x[0] = 0x02 | 0x10; // animation, alpha
        put24(vp8x, 4, width - 1);
        put24(vp8x, 7, height - 1);
        byte[] body = concat(latin1("WEBP"), riffChunk("VP8X", vp8x), riffChunk("ANIM", new byte[6]), concat(frames));
        return concat(
                latin1("RIFF"),
                ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(body.length)
                        .array(),
                body);
    }

    private static byte[] riffChunk(String type, byte[] data) {
        byte[] c = concat(
                latin1(type),
                ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(data.length)
                        .array(),
                data);
        return data.length % 2 == 1 ? concat(c, new byte[1]) : c;
    }

    private static void put24(byte[] b, int offset, int value) {
        b[offset] = (byte) value;
        b[offset + 1] = (byte) (value >> 8);
        b[offset + 2] = (byte) (value >> 16);
    }

    private static byte[] patchSof(byte[] jpeg, int width, int height) {
        byte[] b = jpeg.clone();
        for (int i = 2; i + 9 < b.length; ) {
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xC0 || marker == 0xC2) {
                b[i + 5] = (byte) (height >> 8);
                b[i + 6] = (byte) height;
                b[i + 7] = (byte) (width >> 8);
                b[i + 8] = (byte) width;
                return b;
            }
            i += 2 + (((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF));
        }
        throw new IllegalStateException("no SOF marker");
    }

    private static byte[] segment(int marker, byte[] data) {
        return concat(
                new byte[] {(byte) 0xFF, (byte) marker, (byte) ((data.length + 2) >> 8), (byte) (data.length + 2)},
                data);
    }

    private static byte[] insertAfterIhdr(byte[] png, byte[] chunk) {
        return concat(Arrays.copyOf(png, 33), chunk, Arrays.copyOfRange(png, 33, png.length));
    }

    private static byte[] chunk(String type, byte[] data) {
        byte[] t = latin1(type);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        return concat(
                ByteBuffer.allocate(4).putInt(data.length).array(),
                t,
                data,
                ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] deflate(byte[] data, int level) {
        Deflater deflater = new Deflater(level);
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    private static byte[] zip(String name, String content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry(name));
            z.write(content.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
