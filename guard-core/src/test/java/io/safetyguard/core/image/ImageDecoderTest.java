package io.safetyguard.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.safetyguard.core.image.ImageDecodingException.Problem;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);

    // ---- pixel fidelity -------------------------------------------------------------------

    @Test
    void pngRgbDecodesExactly() throws Exception {
        BufferedImage img = TestImages.solid(3, 2, 0x123456);
        img.setRGB(2, 1, 0xFEDCBA);
        DecodedImage d = decoder.decode(TestImages.png(img), "rgb.png");
        assertThat(d.width()).isEqualTo(3);
        assertThat(d.height()).isEqualTo(2);
        assertThat(rgbAt(d, 0, 0)).isEqualTo(0x123456);
        assertThat(rgbAt(d, 2, 1)).isEqualTo(0xFEDCBA);
        assertThat(d.source()).isEqualTo("rgb.png");
    }

    @Test
    void pngAlphaIsDroppedNotComposited() throws Exception {
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00336699); // fully transparent, colour kept in the file
        img.setRGB(1, 0, 0x80FF0000); // half transparent red
        img.setRGB(2, 0, 0xFF00FF00); // opaque green
        DecodedImage d = decoder.decode(TestImages.png(img), "rgba.png");
        // PIL convert('RGB') keeps the stored colour; compositing on white would give FFFFFF / FF7F7F.
        assertThat(rgbAt(d, 0, 0)).isEqualTo(0x336699);
        assertThat(rgbAt(d, 1, 0)).isEqualTo(0xFF0000);
        assertThat(rgbAt(d, 2, 0)).isEqualTo(0x00FF00);
    }

    @Test
    void greyPngKeepsRawValuesInsteadOfJavasLinearToSrgbBrightening() throws Exception {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 128);
        grey.getRaster().setSample(1, 0, 0, 7);
        DecodedImage d = decoder.decode(TestImages.png(grey), "grey.png");
        assertThat(grey.getRGB(0, 0) & 0xFF).as("what getRGB would give").isNotEqualTo(128);
        assertThat(rgbAt(d, 0, 0)).isEqualTo(0x808080);
        assertThat(rgbAt(d, 1, 0)).isEqualTo(0x070707);
    }

    @Test
    void sixteenBitGreyPngKeepsTheHighByte() throws Exception {
        BufferedImage grey16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getRaster().setSample(0, 0, 0, 0x8123);
        grey16.getRaster().setSample(1, 0, 0, 0xFFFF);
        DecodedImage d = decoder.decode(TestImages.png(grey16), "grey16.png");
        assertThat(rgbAt(d, 0, 0)).isEqualTo(0x818181);
        assertThat(rgbAt(d, 1, 0)).isEqualTo(0xFFFFFF);
    }

    @Test
    void sixteenBitRgbaPngKeepsTheHighByteAndDropsAlpha() throws Exception {
        ColorModel cm = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_sRGB),
                true,
                false,
                Transparency.TRANSLUCENT,
                DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {0x1234, 0xABCD, 0xFF00, 0});
        raster.setPixel(1, 0, new int[] {0xFFFF, 0x0000, 0x7FFF, 0xFFFF});
        BufferedImage img = new BufferedImage(cm, raster, false, null);
        byte[] png = TestImages.png(img);
        assertThat(png[24]).as("PNG bit depth").isEqualTo((byte) 16);
        DecodedImage d = decoder.decode(png, "rgba16.png");
        assertThat(rgbAt(d, 0, 0)).isEqualTo(0x12ABFF);
        assertThat(rgbAt(d, 1, 0)).isEqualTo(0xFF007F);
    }

    @Test
    void palettePngWithTransparencyUsesThePaletteColour() throws Exception {
        BufferedImage img = TestImages.indexed(
                3, 1, new int[] {0xFF0000, 0x00FF00, 0x0000FF}, new byte[] {0, (byte) 255, (byte) 128}, new int[] {
                    0, 1, 2
                });
        byte[] png = TestImages.png(img);
        assertThat(png[25]).as("PNG colour type 3 = palette").isEqualTo((byte) 3);
        DecodedImage d = decoder.decode(png, "palette.png");
        assertThat(rgbAt(d, 0, 0)).as("transparent palette entry").isEqualTo(0xFF0000);
        assertThat(rgbAt(d, 1, 0)).isEqualTo(0x00FF00);
        assertThat(rgbAt(d, 2, 0)).isEqualTo(0x0000FF);
    }

    @Test
    void oneBitPngIsScaledToBlackAndWhite() throws Exception {
        BufferedImage img = new BufferedImage(8, 1, BufferedImage.TYPE_BYTE_BINARY);
        img.getRaster().setSample(3, 0, 0, 1);
        DecodedImage d = decoder.decode(TestImages.png(img), "bits.png");
        assertThat(rgbAt(d, 0, 0)).isEqualTo(0x000000);
        assertThat(rgbAt(d, 3, 0)).isEqualTo(0xFFFFFF);
    }

    @Test
    void baselineJpegDecodes() throws Exception {
        DecodedImage d = decoder.decode(TestImages.jpeg(TestImages.solid(16, 16, 0xC81E32), false), "photo.jpg");
        assertThat(d.width()).isEqualTo(16);
        assertClose(rgbAt(d, 8, 8), 0xC81E32, 6);
    }

    @Test
    void progressiveJpegDecodes() throws Exception {
        BufferedImage src = TestImages.gradient(64, 48);
        byte[] jpeg = TestImages.jpeg(src, true);
        assertThat(containsMarker(jpeg, 0xC2)).as("SOF2 = progressive").isTrue();
        DecodedImage d = decoder.decode(jpeg, "progressive.jpg");
        assertThat(d.width()).isEqualTo(64);
        assertThat(d.height()).isEqualTo(48);
        assertClose(rgbAt(d, 40, 20), src.getRGB(40, 20) & 0xFFFFFF, 24);
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws Exception {
        byte[] jpeg = TestImages.cmykJpeg(16, 8);
        DecodedImage d = decoder.decode(jpeg, "cmyk.jpg");
        assertThat(d.width()).isEqualTo(16);
        assertClose(rgbAt(d, 2, 4), 0xFF0000, 40);
        assertClose(rgbAt(d, 13, 4), 0x00FFFF, 40);
    }

    @Test
    void jpegAndWebpUseTheTwelveMonkeysReaders() throws Exception {
        ImageReader jpeg = Readers.create(ImageFormat.JPEG);
        ImageReader webp = Readers.create(ImageFormat.WEBP);
        try {
            assertThat(jpeg.getClass().getName()).startsWith("com.twelvemonkeys.imageio.plugins.jpeg.");
            assertThat(webp.getClass().getName()).startsWith("com.twelvemonkeys.imageio.plugins.webp.");
        } finally {
            jpeg.dispose();
            webp.dispose();
        }
    }

    @Test
    void gifDecodesTheFirstFrame() throws Exception {
        byte[] gif = TestImages.animatedGif(TestImages.solid(4, 4, 0xFF0000), TestImages.solid(4, 4, 0x0000FF));
        DecodedImage d = decoder.decode(gif, "anim.gif");
        assertThat(rgbAt(d, 1, 1)).isEqualTo(0xFF0000);
    }

    @Test
    void gifTransparentIndexKeepsItsPaletteColour() throws Exception {
        BufferedImage img =
                TestImages.indexed(2, 1, new int[] {0x00FF00, 0x123456}, new byte[] {0, (byte) 255}, new int[] {0, 1});
        DecodedImage d = decoder.decode(TestImages.gif(img), "transparent.gif");
        assertThat(rgbAt(d, 0, 0)).isEqualTo(0x00FF00);
        assertThat(rgbAt(d, 1, 0)).isEqualTo(0x123456);
    }

    @Test
    void bmpDecodes24BitAndIndexed() throws Exception {
        BufferedImage rgb = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
        rgb.setRGB(1, 1, 0xABCDEF);
        assertThat(rgbAt(decoder.decode(TestImages.bmp(rgb), "a.bmp"), 1, 1)).isEqualTo(0xABCDEF);
        // 20 entries: the JDK's BMP writer mangles an 8-bit palette image with only 2 entries.
        int[] palette = new int[20];
        palette[0] = 0x111111;
        palette[1] = 0xFA8072;
        BufferedImage indexed = TestImages.indexed(2, 2, palette, null, new int[] {0, 1, 1, 0});
        DecodedImage d = decoder.decode(TestImages.bmp(indexed), "b.bmp");
        assertThat(rgbAt(d, 1, 0)).isEqualTo(0xFA8072);
        assertThat(rgbAt(d, 1, 1)).isEqualTo(0x111111);
        BufferedImage oneBit = new BufferedImage(9, 1, BufferedImage.TYPE_BYTE_BINARY);
        oneBit.getRaster().setSample(8, 0, 0, 1);
        DecodedImage bits = decoder.decode(TestImages.bmp(oneBit), "c.bmp");
        assertThat(rgbAt(bits, 7, 0)).isEqualTo(0x000000);
        assertThat(rgbAt(bits, 8, 0)).isEqualTo(0xFFFFFF);
    }

    @Test
    void losslessWebpWithAlphaKeepsExactColoursUnderTransparency() throws Exception {
        DecodedImage d = decoder.decode(TestImages.WEBP_LOSSLESS_ALPHA, "quad.webp");
        assertThat(d.width()).isEqualTo(8);
        assertThat(rgbAt(d, 0, 0)).isEqualTo(0xFF0000);
        assertThat(rgbAt(d, 0, 7)).isEqualTo(0x00FF00);
        assertThat(rgbAt(d, 7, 0)).isEqualTo(0x0000FF);
        assertThat(rgbAt(d, 7, 7)).as("alpha 0 pixel keeps its RGB").isEqualTo(0x336699);
    }

    @Test
    void lossyWebpDecodes() throws Exception {
        DecodedImage d = decoder.decode(TestImages.WEBP_LOSSY, "halves.webp");
        assertThat(d.width()).isEqualTo(16);
        assertThat(d.height()).isEqualTo(16);
        assertClose(rgbAt(d, 2, 8), 0xE02020, 30);
        assertClose(rgbAt(d, 13, 8), 0x2040E0, 30);
    }

    @Test
    void lossyWebpWithAlphaDecodes() throws Exception {
        DecodedImage d = decoder.decode(TestImages.WEBP_LOSSY_ALPHA, "alpha.webp");
        assertThat(d.width()).isEqualTo(8);
        assertClose(rgbAt(d, 1, 1), 0xFF0000, 60);
        assertClose(rgbAt(d, 6, 1), 0x0000FF, 60);
    }

    @Test
    void bufferedImageInputDropsAlphaAndHandlesSubimages() throws Exception {
        BufferedImage argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(3, 3, 0x00ABCDEF);
        DecodedImage d = decoder.decode(argb, "argb");
        assertThat(rgbAt(d, 3, 3)).isEqualTo(0xABCDEF);

        BufferedImage bgr = TestImages.gradient(10, 10);
        BufferedImage sub = bgr.getSubimage(3, 4, 5, 2);
        DecodedImage s = decoder.decode(sub, "sub");
        assertThat(s.width()).isEqualTo(5);
        assertThat(rgbAt(s, 0, 0)).isEqualTo(bgr.getRGB(3, 4) & 0xFFFFFF);
        assertThat(rgbAt(s, 4, 1)).isEqualTo(bgr.getRGB(7, 5) & 0xFFFFFF);
    }

    @Test
    void bufferedImageDigestDependsOnPixelsAndSize() throws Exception {
        String a = decoder.decode(TestImages.solid(2, 3, 0x010203), "a").sha256();
        assertThat(decoder.decode(TestImages.solid(2, 3, 0x010203), "b").sha256())
                .isEqualTo(a);
        assertThat(decoder.decode(TestImages.solid(3, 2, 0x010203), "c").sha256())
                .isNotEqualTo(a);
        assertThat(decoder.decode(TestImages.solid(2, 3, 0x010204), "d").sha256())
                .isNotEqualTo(a);
    }

    @Test
    void digestIsSha256OfTheEncodedBytes() throws Exception {
        byte[] png = TestImages.pngOfColour(0x445566);
        String expected =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png));
        assertThat(decoder.decode(png, "x.png").sha256()).isEqualTo(expected);
        assertThat(ImageDecoder.sha256(png)).isEqualTo(expected);
    }

    @Test
    void decodedImageConvertsBackToBufferedImage() throws Exception {
        BufferedImage src = TestImages.gradient(7, 5);
        BufferedImage back = decoder.decode(TestImages.png(src), "g.png").toBufferedImage();
        assertThat(back.getRGB(6, 4)).isEqualTo(src.getRGB(6, 4));
        assertThat(back.getRGB(0, 0)).isEqualTo(src.getRGB(0, 0));
    }

    // ---- rejections -----------------------------------------------------------------------

    @Test
    void zeroBytesAreRejected() {
        ImageDecodingException e = reject(new byte[0], "empty.png");
        assertThat(e.problem()).isEqualTo(Problem.EMPTY);
        assertThat(e.getMessage()).isEqualTo("empty.png: empty input (0 bytes), not an image");
    }

    @Test
    void truncatedPngIsRejected() {
        byte[] png = TestImages.png(TestImages.gradient(64, 64));
        ImageDecodingException e = reject(Arrays.copyOf(png, png.length / 2), "cut.png");
        assertThat(e.problem()).isEqualTo(Problem.CORRUPT);
        assertThat(e.getMessage()).startsWith("cut.png: truncated or corrupt PNG data");
    }

    @Test
    void truncatedJpegIsRejectedNotFilledWithGrey() {
        byte[] jpeg = TestImages.jpeg(TestImages.gradient(64, 64), false);
        ImageDecodingException e = reject(Arrays.copyOf(jpeg, jpeg.length * 2 / 3), "cut.jpg");
        assertThat(e.problem()).isEqualTo(Problem.CORRUPT);
        assertThat(e.getMessage()).startsWith("cut.jpg: truncated or corrupt JPEG data");
    }

    @Test
    void truncatedProgressiveJpegIsRejected() {
        byte[] jpeg = TestImages.jpeg(TestImages.gradient(64, 64), true);
        assertThat(reject(Arrays.copyOf(jpeg, jpeg.length / 2), "cut.jpg").problem())
                .isEqualTo(Problem.CORRUPT);
    }

    @Test
    void truncatedGifAndBmpAreRejected() {
        byte[] gif = TestImages.gif(TestImages.gradient(32, 32));
        assertThat(reject(Arrays.copyOf(gif, gif.length / 2), "cut.gif").problem())
                .isEqualTo(Problem.CORRUPT);
        byte[] bmp = TestImages.bmp(TestImages.gradient(32, 32));
        assertThat(reject(Arrays.copyOf(bmp, bmp.length / 2), "cut.bmp").problem())
                .isEqualTo(Problem.CORRUPT);
    }

    @Test
    void jpegHeaderOnlyIsRejected() {
        byte[] jpeg = TestImages.jpeg(TestImages.gradient(16, 16), false);
        assertThat(reject(Arrays.copyOf(jpeg, 4), "stub.jpg").problem()).isEqualTo(Problem.CORRUPT);
    }

    @Test
    void contentDecidesNotTheExtension() throws Exception {
        DecodedImage d = decoder.decode(TestImages.pngOfColour(0x00FF00), "actually-a-png.jpg");
        assertThat(rgbAt(d, 0, 0)).isEqualTo(0x00FF00);
        ImageDecodingException e = reject("just some text\n".getBytes(StandardCharsets.UTF_8), "photo.png");
        assertThat(e.problem()).isEqualTo(Problem.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage())
                .isEqualTo("photo.png: unsupported image format (detected text); supported: PNG, JPEG, GIF, BMP, WebP");
    }

    @Test
    void textFileIsRejected() {
        ImageDecodingException e =
                reject("Käse, Brot und Äpfel\r\n1,2,3\n".getBytes(StandardCharsets.UTF_8), "notes.txt");
        assertThat(e.getMessage()).contains("notes.txt", "detected text", "supported: PNG, JPEG, GIF, BMP, WebP");
    }

    @Test
    void unsupportedFormatsAreNamed() {
        assertThat(reject(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0}, "photo.tiff")
                        .getMessage())
                .isEqualTo(
                        "photo.tiff: unsupported image format (detected TIFF); supported: PNG, JPEG, GIF, BMP, WebP");
        assertThat(reject("<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes(StandardCharsets.UTF_8), "x.svg")
                        .getMessage())
                .contains("detected SVG/XML/HTML");
        assertThat(reject("%PDF-1.7\n".getBytes(StandardCharsets.UTF_8), "x.pdf")
                        .getMessage())
                .contains("detected PDF");
        assertThat(reject(new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'}, "x.heic")
                        .getMessage())
                .contains("detected HEIF/AVIF");
        assertThat(reject(new byte[] {0x13, (byte) 0x99, 0x00, 0x02, 0x7F, (byte) 0x80, 0x01}, "blob")
                        .getMessage())
                .contains("detected unknown");
    }

    @Test
    @Timeout(10)
    void decompressionBombPngIsRejectedFromTheHeaderWithoutAllocating() {
        byte[] bomb = TestImages.pngHeaderOnly(100_000, 100_000);
        assertThat(bomb.length).isLessThan(100);
        long before = usedHeap();
        ImageDecodingException e = reject(bomb, "bomb.png");
        assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
        assertThat(e.getMessage())
                .isEqualTo("bomb.png: image is 100000x100000 pixels, larger than the limit of "
                        + "32768x32768 (ImageLimits.maxWidth/maxHeight)");
        // 10^10 pixels would need tens of GB; nothing near that may have been allocated.
        assertThat(usedHeap() - before).isLessThan(256L << 20);
    }

    @Test
    void pixelCountLimitAppliesWithinTheSideLimits() {
        ImageDecodingException e = reject(TestImages.pngHeaderOnly(20_000, 20_000), "wide.png");
        assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
        assertThat(e.getMessage())
                .contains("20000x20000 = 400000000 pixels", "limit of 67108864", "ImageLimits.maxPixels");
    }

    @Test
    void gifBombIsRejectedFromTheHeader() {
        ImageDecodingException e = reject(TestImages.gifHeaderOnly(65_000, 65_000), "bomb.gif");
        assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
    }

    @Test
    void configuredLimitsApply() {
        ImageDecoder small = new ImageDecoder(ImageLimits.DEFAULT.withMaxDimensions(16, 16));
        byte[] png = TestImages.png(TestImages.solid(17, 4, 0));
        ImageDecodingException e =
                catchThrowableOfType(ImageDecodingException.class, () -> small.decode(png, "wide.png"));
        assertThat(e.getMessage()).contains("17x4", "16x16");
        ImageDecoder fewPixels = new ImageDecoder(ImageLimits.DEFAULT.withMaxPixels(15));
        assertThatThrownBy(() -> fewPixels.decode(TestImages.png(TestImages.solid(4, 4, 0)), "p.png"))
                .isInstanceOf(ImageDecodingException.class)
                .hasMessageContaining("16 pixels");
    }

    @Test
    void inputOverMaxBytesIsRejected() {
        byte[] png = TestImages.png(TestImages.gradient(64, 64));
        ImageDecoder capped = new ImageDecoder(ImageLimits.DEFAULT.withMaxBytes(1000));
        ImageDecodingException e =
                catchThrowableOfType(ImageDecodingException.class, () -> capped.decode(png, "big.png"));
        assertThat(e.problem()).isEqualTo(Problem.TOO_MANY_BYTES);
        assertThat(e.getMessage())
                .isEqualTo("big.png: input too large: " + png.length
                        + " bytes, limit is 1000 bytes (raise ImageLimits.maxBytes to accept it)");
    }

    @Test
    @Timeout(10)
    void streamsAreReadOnlyUpToTheCap() {
        CountingEndlessStream endless = new CountingEndlessStream();
        ImageDecoder capped = new ImageDecoder(ImageLimits.DEFAULT.withMaxBytes(100_000));
        ImageDecodingException e =
                catchThrowableOfType(ImageDecodingException.class, () -> capped.readBytes(endless, "/dev/zero"));
        assertThat(e.problem()).isEqualTo(Problem.TOO_MANY_BYTES);
        assertThat(e.getMessage()).contains("more than 100000 bytes");
        assertThat(endless.read).isEqualTo(100_001);
    }

    @Test
    void filesAreReadWithChecks(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("ok.png");
        Files.write(png, TestImages.pngOfColour(0x0A0B0C));
        assertThat(rgbAt(decoder.decode(png), 0, 0)).isEqualTo(0x0A0B0C);
        assertThat(catchThrowableOfType(ImageDecodingException.class, () -> decoder.decode(dir.resolve("missing.png")))
                        .getMessage())
                .endsWith("missing.png: file not found");
        assertThat(catchThrowableOfType(ImageDecodingException.class, () -> decoder.decode(dir))
                        .problem())
                .isEqualTo(Problem.UNREADABLE);
        Path big = dir.resolve("big.png");
        Files.write(big, new byte[2000]);
        ImageDecoder capped = new ImageDecoder(ImageLimits.DEFAULT.withMaxBytes(1000));
        assertThat(catchThrowableOfType(ImageDecodingException.class, () -> capped.decode(big))
                        .problem())
                .isEqualTo(Problem.TOO_MANY_BYTES);
    }

    @Test
    void garbageAfterAValidSignatureIsACleanError() {
        byte[] junk = new byte[4096];
        new java.util.Random(7).nextBytes(junk);
        for (byte[] magic : new byte[][] {
            {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A},
            {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF},
            {'G', 'I', 'F', '8', '9', 'a'},
            {'B', 'M'},
            {'R', 'I', 'F', 'F', 1, 0, 0, 0, 'W', 'E', 'B', 'P'}
        }) {
            byte[] bytes = junk.clone();
            System.arraycopy(magic, 0, bytes, 0, magic.length);
            ImageDecodingException e = reject(bytes, "junk");
            assertThat(e.problem()).isIn(Problem.CORRUPT, Problem.TOO_LARGE);
            assertThat(e.getMessage()).startsWith("junk: ");
        }
    }

    @Test
    void everyTruncationOfASmallImageEitherDecodesOrFailsCleanly() {
        for (byte[] full : new byte[][] {
            TestImages.png(TestImages.gradient(8, 8)),
            TestImages.jpeg(TestImages.gradient(8, 8), true),
            TestImages.gif(TestImages.gradient(8, 8)),
            TestImages.WEBP_LOSSLESS_ALPHA,
            TestImages.WEBP_LOSSY
        }) {
            for (int n = 0; n < full.length; n++) {
                byte[] cut = Arrays.copyOf(full, n);
                try {
                    decoder.decode(cut, "cut");
                } catch (ImageDecodingException expected) {
                    assertThat(expected.getMessage()).startsWith("cut: ");
                }
            }
        }
    }

    @Test
    void limitsValidateTheirArguments() {
        assertThatThrownBy(() -> new ImageLimits(0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageLimits(1, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageLimits(1, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageLimits(1, Integer.MAX_VALUE, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theJdkAloneCannotDecodeWebp() throws IOException {
        // Documents why the TwelveMonkeys plugin is a dependency (and that the fixture is real WebP).
        boolean jdkOnly = true;
        for (var it = ImageIO.getImageReadersByFormatName("webp"); it.hasNext(); ) {
            jdkOnly &= !it.next().getClass().getName().startsWith("com.sun.");
        }
        assertThat(jdkOnly).isTrue();
        assertThat(new String(TestImages.WEBP_LOSSY, 8, 4, StandardCharsets.US_ASCII))
                .isEqualTo("WEBP");
    }

    // ---- helpers --------------------------------------------------------------------------

    private ImageDecodingException reject(byte[] bytes, String name) {
        ImageDecodingException e =
                catchThrowableOfType(ImageDecodingException.class, () -> decoder.decode(bytes, name));
        assertThat(e).as("expected %s to be rejected", name).isNotNull();
        assertThat(e.inputName()).isEqualTo(name);
        return e;
    }

    static int rgbAt(DecodedImage d, int x, int y) {
        int i = (y * d.width() + x) * 3;
        byte[] p = d.rgb();
        return ((p[i] & 0xFF) << 16) | ((p[i + 1] & 0xFF) << 8) | (p[i + 2] & 0xFF);
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

    private static boolean containsMarker(byte[] jpeg, int marker) {
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == marker) {
                return true;
            }
        }
        return false;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** An endless stream of zeros that counts what was read from it. */
    private static final class CountingEndlessStream extends InputStream {
        long read;

        @Override
        public int read() {
            read++;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Arrays.fill(b, off, off + len, (byte) 0);
            read += len;
            return len;
        }
    }

    @SuppressWarnings("unused")
    private static InputStream stream(byte[] b) {
        return new ByteArrayInputStream(b);
    }
}
