package io.safetyguard.core;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageDecodingException;
import io.safetyguard.core.image.ImageLimits;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An image to assess: encoded bytes, a file, a stream, or a {@link BufferedImage}. Creating one
 * does no I/O; the image is read and decoded when it is assessed, under the guard's
 * {@link ImageLimits}. The format is recognised from the content (PNG, JPEG, GIF, BMP, WebP), not
 * from the name.
 */
public final class ImageInput {

    private enum Kind {
        BYTES,
        PATH,
        STREAM,
        IMAGE
    }

    private final Kind kind;
    private final String name;
    private final byte[] bytes;
    private final Path path;
    private final InputStream stream;
    private final BufferedImage image;

    // A stream can be read only once: its bytes (or the error reading them) are kept for reuse.
    private byte[] streamBytes;
    private ImageDecodingException streamError;

    private ImageInput(Kind kind, String name, byte[] bytes, Path path, InputStream stream, BufferedImage image) {
        this.kind = kind;
        this.name = Objects.requireNonNull(name, "name");
        this.bytes = bytes;
        this.path = path;
        this.stream = stream;
        this.image = image;
    }

    /** Encoded image bytes; copied, so later changes to the array do not affect the assessment. */
    public static ImageInput ofBytes(byte[] bytes) {
        return ofBytes(bytes, "bytes");
    }

    /**
     * Encoded image bytes with a name for messages and verdict reports.
     *
     * @param name e.g. the original file name or an upload id
     */
    public static ImageInput ofBytes(byte[] bytes, String name) {
        Objects.requireNonNull(bytes, "bytes");
        return new ImageInput(Kind.BYTES, name, bytes.clone(), null, null, null);
    }

    /** An image file, read when assessed. */
    public static ImageInput ofPath(Path path) {
        Objects.requireNonNull(path, "path");
        return new ImageInput(Kind.PATH, path.toString(), null, path, null, null);
    }

    /**
     * A stream of encoded bytes. It is read once, at the first assessment, and never beyond
     * {@link ImageLimits#maxBytes()} + 1 bytes; the bytes are kept for later assessments of this
     * input. The stream is not closed: that stays with the caller.
     */
    public static ImageInput ofStream(InputStream stream, String name) {
        Objects.requireNonNull(stream, "stream");
        return new ImageInput(Kind.STREAM, name, null, null, stream, null);
    }

    /** A decoded image; its pixels are read when assessed (alpha dropped, not composited). */
    public static ImageInput ofImage(BufferedImage image) {
        return ofImage(image, "BufferedImage");
    }

    public static ImageInput ofImage(BufferedImage image, String name) {
        Objects.requireNonNull(image, "image");
        return new ImageInput(Kind.IMAGE, name, null, null, null, image);
    }

    /** The name used in messages: the path, the given name, or "bytes" / "BufferedImage". */
    public String name() {
        return name;
    }

    /** Reads and decodes this input under the given limits, as an assessment would. */
    public DecodedImage decode(ImageLimits limits) throws ImageDecodingException {
        ImageDecoder decoder = new ImageDecoder(limits);
        return prepare(decoder).decode(decoder);
    }

    /** Reads the bytes and computes the digest; decoding is left for when the cache misses. */
    Prepared prepare(ImageDecoder decoder) throws ImageDecodingException {
        return switch (kind) {
            case BYTES -> {
                decoder.checkByteCount(bytes.length, name); // before hashing an oversized array
                yield Prepared.encoded(bytes, name);
            }
            case PATH -> Prepared.encoded(decoder.readBytes(path), name);
            case STREAM -> Prepared.encoded(streamBytes(decoder), name);
            case IMAGE -> Prepared.decoded(decoder.decode(image, name));
        };
    }

    private synchronized byte[] streamBytes(ImageDecoder decoder) throws ImageDecodingException {
        if (streamBytes == null && streamError == null) {
            try {
                streamBytes = decoder.readBytes(stream, name);
            } catch (ImageDecodingException e) {
                streamError = e;
            }
        }
        if (streamError != null) {
            throw streamError;
        }
        decoder.checkByteCount(streamBytes.length, name); // it may have been read under a larger limit
        return streamBytes;
    }

    @Override
    public String toString() {
        return "ImageInput[" + name + "]";
    }

    /** An input whose digest is known; pixels are decoded on demand. */
    static final class Prepared {
        private final String sha256;
        private final String name;
        private final byte[] encoded;
        private final DecodedImage decoded;

        private Prepared(String sha256, String name, byte[] encoded, DecodedImage decoded) {
            this.sha256 = sha256;
            this.name = name;
            this.encoded = encoded;
            this.decoded = decoded;
        }

        static Prepared encoded(byte[] bytes, String name) {
            return new Prepared(ImageDecoder.sha256(bytes), name, bytes, null);
        }

        static Prepared decoded(DecodedImage image) {
            return new Prepared(image.sha256(), image.source(), null, image);
        }

        String sha256() {
            return sha256;
        }

        String name() {
            return name;
        }

        /** The encoded bytes; null for an input given as pixels. */
        byte[] encoded() {
            return encoded;
        }

        DecodedImage decode(ImageDecoder decoder) throws ImageDecodingException {
            return decoded != null ? decoded : decoder.decode(encoded, name);
        }
    }
}
