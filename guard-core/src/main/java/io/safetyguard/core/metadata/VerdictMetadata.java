package io.safetyguard.core.metadata;

import io.safetyguard.core.Verdict;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes a verdict into an image's own metadata and reads it back, for PNG ({@code iTXt} chunk
 * {@code XML:com.adobe.xmp}), JPEG (XMP APP1 segment) and WebP ({@code XMP } chunk, adding a
 * {@code VP8X} header to a simple file). The value is an XMP structure {@code safetyguard:verdict}
 * in the namespace {@value XmpVerdict#NS}, so XMP tools (exiftool, galleries) show it next to the
 * image's other metadata.
 *
 * <p>Writing copies the file and replaces only the XMP carrier: the image data is never decoded or
 * re-encoded, other metadata (EXIF, ICC, other XMP properties) is kept, and an earlier SafetyGuard
 * verdict is replaced rather than added to. The stamp records a digest of the file without its
 * XMP carrier, so a reader can tell whether the image was changed after it was stamped
 * ({@link EmbeddedVerdict#contentIntact()}).
 *
 * <p>Malformed files (bad chunk lengths, CRC errors, truncation, trailing data), XMP packets over
 * 4 MiB or not well-formed, and ill-formed stamps are rejected with a
 * {@link VerdictMetadataException} naming what was found; GIF, BMP and other formats with an
 * {@link UnsupportedImageFormatException}.
 */
public final class VerdictMetadata {

    /** Files larger than this are not read: the same bound the guard uses for images by default. */
    public static final long MAX_FILE_BYTES = 64L << 20;

    private VerdictMetadata() {}

    /** True when verdicts can be embedded in this file's format (PNG, JPEG, WebP), judged by content. */
    public static boolean supports(byte[] image) {
        return PngContainer.matches(image) || JpegContainer.matches(image) || WebpContainer.matches(image);
    }

    /**
     * The verdict embedded in {@code image}, if any, with {@link EmbeddedVerdict#contentIntact()}
     * computed from these bytes.
     *
     * @throws VerdictMetadataException when the file or its stamp is malformed, or the format is unsupported
     */
    public static Optional<EmbeddedVerdict> read(byte[] image) throws VerdictMetadataException {
        ImageContainer container = parse(image);
        Optional<byte[]> xmp = container.xmp();
        if (xmp.isEmpty()) {
            return Optional.empty();
        }
        Optional<EmbeddedVerdict> stamp = XmpVerdict.read(xmp.get());
        String digest = container.contentDigest();
        return stamp.map(v -> v.withContentIntact(v.contentDigest().equals(digest)));
    }

    /** {@link #read(byte[])} of a file. */
    public static Optional<EmbeddedVerdict> read(Path image) throws IOException {
        byte[] bytes = readFile(image);
        try {
            return read(bytes);
        } catch (VerdictMetadataException e) {
            throw named(image, e);
        }
    }

    /**
     * {@code image} with {@code verdict} embedded: a new byte array, the input untouched.
     *
     * @throws IllegalArgumentException for a failure verdict (it judges nothing)
     * @throws VerdictMetadataException when the file is malformed, its existing XMP cannot be
     *                                  merged into, or the format is unsupported
     */
    public static byte[] write(byte[] image, Verdict verdict) throws VerdictMetadataException {
        return write(image, verdict, Clock.systemUTC());
    }

    static byte[] write(byte[] image, Verdict verdict, Clock clock) throws VerdictMetadataException {
        Objects.requireNonNull(verdict, "verdict");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ImageContainer container = parse(image);
        Optional<byte[]> existing = container.xmp();
        // The digest covers the output's layout, which may differ from the input's (a WebP gains a
        // VP8X header), but not the XMP itself: stamp once to fix the layout, digest it, stamp again.
        EmbeddedVerdict draft = EmbeddedVerdict.of(verdict, "0".repeat(64), now);
        String digest =
                parse(container.withXmp(XmpVerdict.merge(existing, draft))).contentDigest();
        EmbeddedVerdict stamp = EmbeddedVerdict.of(verdict, digest, now);
        return container.withXmp(XmpVerdict.merge(existing, stamp));
    }

    /**
     * Writes a stamped copy of {@code source} to {@code target} (which may be {@code source}
     * itself to stamp in place). The copy is written to a temporary file beside the target and
     * moved over it, so a failure leaves no partial file and the target is either old or new.
     */
    public static void write(Path source, Path target, Verdict verdict) throws IOException {
        byte[] stamped;
        try {
            stamped = write(readFile(source), verdict);
        } catch (VerdictMetadataException e) {
            throw named(source, e);
        }
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.write(temp, stamped);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * SHA-256 (hex) of the file without its XMP carrier: what a stamp records as
     * {@link EmbeddedVerdict#contentDigest()}.
     */
    public static String contentDigest(byte[] image) throws VerdictMetadataException {
        return parse(image).contentDigest();
    }

    private static ImageContainer parse(byte[] image) throws VerdictMetadataException {
        if (PngContainer.matches(image)) {
            return PngContainer.parse(image);
        }
        if (JpegContainer.matches(image)) {
            return JpegContainer.parse(image);
        }
        if (WebpContainer.matches(image)) {
            return WebpContainer.parse(image);
        }
        throw new UnsupportedImageFormatException(
                "verdicts can be embedded in PNG, JPEG and WebP only; this file is " + describe(image));
    }

    private static String describe(byte[] b) {
        if (b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
            return "GIF";
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return "BMP";
        }
        return "not one of them";
    }

    private static VerdictMetadataException named(Path path, VerdictMetadataException e) {
        String message = path + ": " + e.getMessage();
        return e instanceof UnsupportedImageFormatException
                ? new UnsupportedImageFormatException(message)
                : new VerdictMetadataException(message, e);
    }

    private static byte[] readFile(Path path) throws IOException {
        long size = Files.size(path);
        if (size > MAX_FILE_BYTES) {
            throw new VerdictMetadataException(
                    path + ": " + size + " bytes is over the " + MAX_FILE_BYTES + "-byte limit for stamping");
        }
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }
}
