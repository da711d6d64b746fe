package io.safetyguard.core.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.FailureMode;
import io.safetyguard.core.FakeSafetyModel;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.Rating;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.spi.ModelException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class VerdictMetadataTest {

    private static final Verdict UNSAFE = StampedVerdicts.unsafe(0.875);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    static Stream<Arguments> images() {
        return Stream.of(
                Arguments.of("PNG", TestImages.png(TestImages.gradient(40, 30))),
                Arguments.of("JPEG baseline", TestImages.jpeg(TestImages.gradient(40, 30), false)),
                Arguments.of("JPEG progressive", TestImages.jpeg(TestImages.gradient(40, 30), true)),
                Arguments.of("WebP lossy (VP8)", TestImages.WEBP_LOSSY),
                Arguments.of("WebP lossless with alpha (VP8L)", TestImages.WEBP_LOSSLESS_ALPHA),
                Arguments.of("WebP extended (VP8X+ALPH)", TestImages.WEBP_LOSSY_ALPHA));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void roundTripKeepsPixelsAndReadsTheVerdictBack(String name, byte[] image) throws Exception {
        assertThat(VerdictMetadata.read(image)).isEmpty();

        byte[] stamped = VerdictMetadata.write(image, UNSAFE, CLOCK);

        EmbeddedVerdict read = VerdictMetadata.read(stamped).orElseThrow();
        assertThat(read.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(read.modelRating()).isEqualTo(Rating.UNSAFE);
        assertThat(read.categoryLabel()).contains("O3: Sexual Content");
        assertThat(read.categoryId()).contains("O3");
        assertThat(read.probabilityUnsafe().getAsDouble()).isEqualTo(0.875);
        assertThat(read.policyFingerprint()).isEqualTo(UNSAFE.policyFingerprint());
        assertThat(read.modelId()).isEqualTo("fake-model");
        assertThat(read.rationale()).isEqualTo(UNSAFE.rationale());
        assertThat(read.stampedAt()).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
        assertThat(read.contentIntact()).isTrue();
        assertThat(read.contentDigest()).isEqualTo(VerdictMetadata.contentDigest(stamped));

        DecodedImage before = decode(image);
        DecodedImage after = decode(stamped);
        assertThat(after.width()).isEqualTo(before.width());
        assertThat(after.height()).isEqualTo(before.height());
        assertThat(after.rgb()).isEqualTo(before.rgb());
        // the encoded image data is copied byte for byte, never re-encoded
        assertThat(containsSlice(stamped, imageData(image))).isTrue();
    }

    @Test
    void pngAndJpegLayoutIsUnchangedSoTheirDigestEqualsTheOriginals() throws Exception {
        for (byte[] image : new byte[][] {
            TestImages.png(TestImages.gradient(9, 9)), TestImages.jpeg(TestImages.gradient(9, 9), false)
        }) {
            byte[] stamped = VerdictMetadata.write(image, UNSAFE);
            assertThat(VerdictMetadata.contentDigest(stamped)).isEqualTo(VerdictMetadata.contentDigest(image));
        }
    }

    @Test
    void xmpIsAnXmpPacketThatTheJdkXmlParserReads() throws Exception {
        byte[] stamped = VerdictMetadata.write(TestImages.png(TestImages.gradient(8, 8)), UNSAFE, CLOCK);
        byte[] xmp = PngContainer.parse(stamped).xmp().orElseThrow();
        String text = new String(xmp, StandardCharsets.UTF_8);
        assertThat(text).startsWith("<?xpacket begin=").endsWith("<?xpacket end=\"w\"?>");

        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xmp));
        Element root = doc.getDocumentElement();
        assertThat(root.getNamespaceURI()).isEqualTo("adobe:ns:meta/");
        assertThat(root.getLocalName()).isEqualTo("xmpmeta");
        Element verdict = (Element) doc.getElementsByTagNameNS("https://safetyguard.io/ns/1.0/", "verdict")
                .item(0);
        assertThat(verdict.getParentNode().getLocalName()).isEqualTo("Description");
        assertThat(verdict.getAttributeNS("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "parseType"))
                .isEqualTo("Resource");
        assertThat(child(verdict, "rating")).isEqualTo("Unsafe");
        assertThat(child(verdict, "category")).isEqualTo("O3: Sexual Content");
        assertThat(child(verdict, "probabilityUnsafe")).isEqualTo("0.875");
        assertThat(child(verdict, "modelId")).isEqualTo("fake-model");
        assertThat(child(verdict, "policyFingerprint")).isEqualTo(UNSAFE.policyFingerprint());
        assertThat(child(verdict, "contentDigest")).matches("sha256:[0-9a-f]{64}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void restampingReplacesTheOlderVerdict(String name, byte[] image) throws Exception {
        byte[] once = VerdictMetadata.write(image, UNSAFE);
        byte[] twice = VerdictMetadata.write(once, StampedVerdicts.safe(0.125));

        EmbeddedVerdict read = VerdictMetadata.read(twice).orElseThrow();
        assertThat(read.rating()).isEqualTo(Rating.SAFE);
        assertThat(read.probabilityUnsafe().getAsDouble()).isEqualTo(0.125);
        assertThat(read.contentIntact()).isTrue();
        String xmp = new String(container(twice).xmp().orElseThrow(), StandardCharsets.UTF_8);
        assertThat(xmp.split("safetyguard:verdict ", -1)).hasSize(2); // one opening tag
        assertThat(countOf(twice, "safetyguard:verdict ")).isEqualTo(1);
        assertThat(decode(twice).rgb()).isEqualTo(decode(image).rgb());
    }

    @Test
    void otherXmpPropertiesAndChunksAreKept() throws Exception {
        byte[] png = TestImages.png(TestImages.gradient(8, 8));
        String foreign = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF"
                + " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\""
                + " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:creator>Ada</dc:creator></rdf:Description>"
                + "</rdf:RDF></x:xmpmeta>";
        byte[] withForeign = PngContainer.parse(
                        insertAfterIhdr(png, "tEXt", "Author\0Ada".getBytes(StandardCharsets.ISO_8859_1)))
                .withXmp(foreign.getBytes(StandardCharsets.UTF_8));

        byte[] stamped = VerdictMetadata.write(VerdictMetadata.write(withForeign, UNSAFE), UNSAFE);

        String xmp = new String(PngContainer.parse(stamped).xmp().orElseThrow(), StandardCharsets.UTF_8);
        assertThat(xmp).contains("<dc:creator>Ada</dc:creator>");
        assertThat(countOf(stamped, "safetyguard:verdict ")).isEqualTo(1);
        assertThat(containsSlice(stamped, "tEXtAuthor\0Ada".getBytes(StandardCharsets.ISO_8859_1)))
                .isTrue();
        assertThat(VerdictMetadata.read(stamped).orElseThrow().contentIntact()).isTrue();
    }

    @Test
    void jpegKeepsItsExifSegmentFirstAndUnchanged() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.gradient(16, 16), false);
        byte[] exif = segment(0xE1, "Exif\0\0MM\0*\0\0\0\u0008\0\0".getBytes(StandardCharsets.ISO_8859_1));
        byte[] withExif = concat(Arrays.copyOf(jpeg, 2), exif, Arrays.copyOfRange(jpeg, 2, jpeg.length));

        byte[] stamped = VerdictMetadata.write(withExif, UNSAFE);

        int exifAt = indexOf(stamped, exif);
        int xmpAt = indexOf(stamped, JpegContainer.XMP_HEADER);
        assertThat(exifAt).isPositive();
        assertThat(xmpAt).isGreaterThan(exifAt);
        assertThat(decode(stamped).rgb()).isEqualTo(decode(withExif).rgb());
    }

    @Test
    void webpGainsAVp8xHeaderWithCanvasAndFlagsFromTheBitstream() throws Exception {
        byte[] stamped = VerdictMetadata.write(TestImages.WEBP_LOSSLESS_ALPHA, UNSAFE);
        assertThat(new String(stamped, 12, 4, StandardCharsets.ISO_8859_1)).isEqualTo("VP8X");
        int flags = stamped[20] & 0xFF;
        assertThat(flags & 0x04).as("XMP flag").isEqualTo(0x04);
        assertThat(flags & 0x10).as("alpha flag, from the VP8L header").isEqualTo(0x10);
        DecodedImage pixels = decode(TestImages.WEBP_LOSSLESS_ALPHA);
        assertThat(Bytes.u24le(stamped, 24) + 1).isEqualTo(pixels.width());
        assertThat(Bytes.u24le(stamped, 27) + 1).isEqualTo(pixels.height());
        assertThat(Bytes.u32le(stamped, 4)).isEqualTo(stamped.length - 8);
        // XMP is the last chunk
        int last = lastChunkOffset(stamped);
        assertThat(new String(stamped, last, 4, StandardCharsets.ISO_8859_1)).isEqualTo("XMP ");

        byte[] lossy = VerdictMetadata.write(TestImages.WEBP_LOSSY, UNSAFE);
        assertThat(lossy[20] & 0x10).as("no alpha in a VP8 file").isZero();
        assertThat(Bytes.u24le(lossy, 24) + 1)
                .isEqualTo(decode(TestImages.WEBP_LOSSY).width());
    }

    @Test
    void aStampCopiedOntoAnotherImageIsNotIntact() throws Exception {
        byte[] stamped = VerdictMetadata.write(TestImages.png(TestImages.solid(8, 8, 0x00FF00)), UNSAFE);
        byte[] xmp = PngContainer.parse(stamped).xmp().orElseThrow();
        byte[] other = PngContainer.parse(TestImages.png(TestImages.solid(8, 8, 0xFF0000)))
                .withXmp(xmp);

        EmbeddedVerdict read = VerdictMetadata.read(other).orElseThrow();
        assertThat(read.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(read.contentIntact()).isFalse();
        assertThat(read.matches(read.policyFingerprint(), read.modelId())).isFalse();
    }

    @Test
    void editingOtherMetadataAfterStampingBreaksTheBinding() throws Exception {
        byte[] stamped = VerdictMetadata.write(TestImages.jpeg(TestImages.gradient(8, 8), false), UNSAFE);
        byte[] comment = segment(0xFE, "edited".getBytes(StandardCharsets.ISO_8859_1));
        byte[] edited = concat(Arrays.copyOf(stamped, 2), comment, Arrays.copyOfRange(stamped, 2, stamped.length));
        assertThat(VerdictMetadata.read(edited).orElseThrow().contentIntact()).isFalse();
    }

    @Test
    void aFailureVerdictIsNotStamped() {
        FakeSafetyModel failing = new FakeSafetyModel().failingWith(new ModelException("boom"));
        Verdict failure;
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(failing)
                .failureMode(FailureMode.FAIL_CLOSED)
                .build()) {
            failure = guard.assess(ImageInput.ofBytes(TestImages.pngOfColour(1)));
        }
        assertThat(failure.isFailure()).isTrue();
        assertThatThrownBy(() -> VerdictMetadata.write(TestImages.pngOfColour(1), failure))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failure verdict");
    }

    @Test
    void gifAndBmpAreUnsupportedWithAReason() {
        assertThat(VerdictMetadata.supports(TestImages.gif(TestImages.gradient(4, 4))))
                .isFalse();
        assertThatThrownBy(() -> VerdictMetadata.write(TestImages.gif(TestImages.gradient(4, 4)), UNSAFE))
                .isInstanceOf(UnsupportedImageFormatException.class)
                .hasMessageContaining("PNG, JPEG and WebP only")
                .hasMessageContaining("GIF");
        assertThatThrownBy(() -> VerdictMetadata.read(TestImages.bmp(TestImages.gradient(4, 4))))
                .isInstanceOf(UnsupportedImageFormatException.class)
                .hasMessageContaining("BMP");
    }

    @Test
    void writingAFileGoesThroughATempFileAndLeavesTheSourceAlone(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("in.png");
        byte[] png = TestImages.png(TestImages.gradient(8, 8));
        Files.write(source, png);
        Path target = dir.resolve("out/in.png");

        VerdictMetadata.write(source, target, UNSAFE);

        assertThat(Files.readAllBytes(source)).isEqualTo(png);
        assertThat(VerdictMetadata.read(target)).isPresent();
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void aRejectedFileLeavesNoOutputBehind(@TempDir Path dir) throws Exception {
        byte[] png = TestImages.png(TestImages.gradient(8, 8));
        png[png.length - 20] ^= 1; // inside IDAT: its CRC no longer matches
        Path source = dir.resolve("bad.png");
        Files.write(source, png);
        Path out = Files.createDirectory(dir.resolve("out"));

        assertThatThrownBy(() -> VerdictMetadata.write(source, out.resolve("bad.png"), UNSAFE))
                .isInstanceOf(VerdictMetadataException.class)
                .hasMessageContaining("bad.png")
                .hasMessageContaining("CRC mismatch");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void malformedContainersAreRejectedWithWhatWasFound() {
        byte[] png = TestImages.png(TestImages.gradient(8, 8));
        assertRejected(Arrays.copyOf(png, png.length - 5), "no IEND");
        assertRejected(concat(png, new byte[] {1, 2, 3}), "3 bytes after IEND");
        byte[] hugeLength = png.clone();
        Bytes.putU32be(hugeLength, 8, 0x7FFFFFF0L); // IHDR's length
        assertRejected(hugeLength, "declares 2147483632 data bytes");

        byte[] jpeg = TestImages.jpeg(TestImages.gradient(8, 8), false);
        byte[] longSegment = jpeg.clone();
        longSegment[4] = (byte) 0xFF; // APP0 length high byte
        assertRejected(longSegment, "declares length");
        assertRejected(Arrays.copyOf(jpeg, 20), "JPEG");

        byte[] webp = TestImages.WEBP_LOSSY.clone();
        Bytes.putU32le(webp, 4, 5000);
        assertRejected(webp, "truncated");
        byte[] chunk = TestImages.WEBP_LOSSY.clone();
        Bytes.putU32le(chunk, 16, 5000);
        assertRejected(chunk, "declares 5000 bytes");
        assertRejected(concat(TestImages.WEBP_LOSSY, new byte[] {0, 0}), "trailing data");
    }

    @Test
    void hugeOrHostileXmpIsRejected() throws Exception {
        byte[] png = TestImages.png(TestImages.gradient(8, 8));
        byte[] huge = new byte[ImageContainer.MAX_XMP_BYTES + 1];
        Arrays.fill(huge, (byte) ' ');
        assertThatThrownBy(() -> PngContainer.parse(png).withXmp(huge))
                .isInstanceOf(VerdictMetadataException.class)
                .hasMessageContaining("exceeds the limit");
        byte[] hugeChunk = insertAfterIhdr(
                png, "iTXt", concat("XML:com.adobe.xmp\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1), huge));
        assertThatThrownBy(() -> VerdictMetadata.read(hugeChunk))
                .isInstanceOf(VerdictMetadataException.class)
                .hasMessageContaining("exceeds the limit");

        String entity = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">&e;</x:xmpmeta>";
        byte[] withEntity = PngContainer.parse(png).withXmp(entity.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> VerdictMetadata.read(withEntity))
                .isInstanceOf(VerdictMetadataException.class)
                .hasMessageContaining("not well-formed")
                .hasMessageContaining("DOCTYPE");
        assertThatThrownBy(() -> VerdictMetadata.write(withEntity, UNSAFE))
                .isInstanceOf(VerdictMetadataException.class);

        byte[] jpeg = TestImages.jpeg(TestImages.gradient(8, 8), false);
        byte[] big = new byte[JpegContainer.MAX_XMP_IN_SEGMENT + 1];
        Arrays.fill(big, (byte) ' ');
        assertThatThrownBy(() -> JpegContainer.parse(jpeg).withXmp(big))
                .isInstanceOf(VerdictMetadataException.class)
                .hasMessageContaining("APP1 segment holds at most");
    }

    @Test
    void illFormedStampsAreRejected() throws Exception {
        byte[] stamped = VerdictMetadata.write(TestImages.png(TestImages.gradient(8, 8)), UNSAFE, CLOCK);
        String xmp = new String(PngContainer.parse(stamped).xmp().orElseThrow(), StandardCharsets.UTF_8);
        assertStampRejected(stamped, xmp.replace(">0.875<", ">lots<"), "probabilityUnsafe is not a number");
        assertStampRejected(stamped, xmp.replace(">0.875<", ">1.5<"), "outside [0, 1]");
        assertStampRejected(
                stamped,
                xmp.replace(">Unsafe</safetyguard:rating>", ">Maybe</safetyguard:rating>"),
                "neither Safe nor Unsafe");
        assertStampRejected(
                stamped,
                xmp.replaceAll("<safetyguard:modelId>[^<]*</safetyguard:modelId>", ""),
                "lacks safetyguard:modelId");
        assertStampRejected(stamped, xmp.replace("<safetyguard:version>1<", "<safetyguard:version>7<"), "version 7");
        assertStampRejected(stamped, xmp.replaceAll("sha256:[0-9a-f]{64}", "sha256:xyz"), "contentDigest");
        assertStampRejected(stamped, xmp.replace("</rdf:RDF>", "<x/></rdf:RDF"), "not well-formed");
    }

    private static void assertStampRejected(byte[] stamped, String xmp, String message) throws Exception {
        byte[] edited = PngContainer.parse(stamped).withXmp(xmp.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> VerdictMetadata.read(edited))
                .isInstanceOf(VerdictMetadataException.class)
                .hasMessageContaining(message);
    }

    private static void assertRejected(byte[] file, String message) {
        assertThatThrownBy(() -> VerdictMetadata.write(file, UNSAFE))
                .isInstanceOf(VerdictMetadataException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> VerdictMetadata.read(file))
                .isInstanceOf(VerdictMetadataException.class)
                .hasMessageContaining(message);
    }

    // --- helpers ---

    private static DecodedImage decode(byte[] image) throws Exception {
        return new ImageDecoder(ImageLimits.DEFAULT).decode(image, "test");
    }

    private static ImageContainer container(byte[] file) throws VerdictMetadataException {
        if (PngContainer.matches(file)) {
            return PngContainer.parse(file);
        }
        return JpegContainer.matches(file) ? JpegContainer.parse(file) : WebpContainer.parse(file);
    }

    /** The bytes that encode the pixels: IDAT data, the JPEG scan, the WebP bitstream chunk. */
    private static byte[] imageData(byte[] file) {
        if (PngContainer.matches(file)) {
            int idat = indexOf(file, "IDAT".getBytes(StandardCharsets.ISO_8859_1));
            int length = (int) Bytes.u32be(file, idat - 4);
            return Arrays.copyOfRange(file, idat, idat + 4 + length);
        }
        if (JpegContainer.matches(file)) {
            int sos = indexOf(file, new byte[] {(byte) 0xFF, (byte) 0xDA});
            return Arrays.copyOfRange(file, sos, file.length);
        }
        int vp8 = indexOf(file, "VP8 ".getBytes(StandardCharsets.ISO_8859_1));
        if (vp8 < 0) {
            vp8 = indexOf(file, "VP8L".getBytes(StandardCharsets.ISO_8859_1));
        }
        int size = (int) Bytes.u32le(file, vp8 + 4);
        return Arrays.copyOfRange(file, vp8, vp8 + 8 + size);
    }

    private static String child(Element parent, String name) {
        return parent.getElementsByTagNameNS("https://safetyguard.io/ns/1.0/", name)
                .item(0)
                .getTextContent();
    }

    private static int lastChunkOffset(byte[] webp) {
        int pos = 12;
        int last = pos;
        while (pos < webp.length) {
            last = pos;
            long size = Bytes.u32le(webp, pos + 4);
            pos += 8 + (int) size + (int) (size & 1);
        }
        return last;
    }

    static byte[] insertAfterIhdr(byte[] png, String type, byte[] data) {
        byte[] chunk = new byte[12 + data.length];
        Bytes.putU32be(chunk, 0, data.length);
        System.arraycopy(type.getBytes(StandardCharsets.ISO_8859_1), 0, chunk, 4, 4);
        System.arraycopy(data, 0, chunk, 8, data.length);
        CRC32 crc = new CRC32();
        crc.update(chunk, 4, 4 + data.length);
        Bytes.putU32be(chunk, 8 + data.length, crc.getValue());
        int afterIhdr = 8 + 12 + 13;
        return concat(Arrays.copyOf(png, afterIhdr), chunk, Arrays.copyOfRange(png, afterIhdr, png.length));
    }

    private static byte[] segment(int marker, byte[] payload) {
        byte[] s = new byte[4 + payload.length];
        s[0] = (byte) 0xFF;
        s[1] = (byte) marker;
        s[2] = (byte) ((payload.length + 2) >>> 8);
        s[3] = (byte) (payload.length + 2);
        System.arraycopy(payload, 0, s, 4, payload.length);
        return s;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static int countOf(byte[] file, String text) {
        byte[] needle = text.getBytes(StandardCharsets.ISO_8859_1);
        int count = 0;
        for (int i = indexOf(file, needle, 0); i >= 0; i = indexOf(file, needle, i + 1)) {
            count++;
        }
        return count;
    }

    private static boolean containsSlice(byte[] file, byte[] slice) {
        return indexOf(file, slice) >= 0;
    }

    private static int indexOf(byte[] file, byte[] needle) {
        return indexOf(file, needle, 0);
    }

    private static int indexOf(byte[] file, byte[] needle, int from) {
        outer:
        for (int i = from; i <= file.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (file[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
