package io.safetyguard.core.image;

import io.safetyguard.core.image.ImageDecodingException.Problem;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageReader;

/**
 * Decodes untrusted images in Java into {@link DecodedImage} (8-bit packed RGB), within
 * {@link ImageLimits}. Supported: PNG, JPEG (baseline, progressive, CMYK/YCCK), GIF (first frame),
 * BMP and WebP (lossy, lossless, with alpha; first frame). The format is read from the bytes, not
 * the name. Alpha is dropped the way PIL's {@code convert("RGB")} drops it (see {@link DecodedImage}).
 *
 * <p>Order of checks: byte count, format signature, declared dimensions from the header (before
 * any pixel is allocated), then decoding. Truncated data is an error, not a partly grey image.
 * Every failure is an {@link ImageDecodingException} whose message names the input.
 *
 * <p>Thread-safe: each call uses its own ImageIO reader.
 */
public final class ImageDecoder {

    private static final int READ_CHUNK = 64 * 1024;

    private final ImageLimits limits;

    public ImageDecoder(ImageLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ImageLimits limits() {
        return limits;
    }

    /**
     * Decodes encoded image bytes.
     *
     * @param name how to refer to the input in error messages (a file name, "upload #3")
     */
    public DecodedImage decode(byte[] bytes, String name) throws ImageDecodingException {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(name, "name");
        checkByteCount(bytes.length, name);
        ImageFormat format = ImageFormat.detect(bytes);
        if (!format.supported) {
            throw new ImageDecodingException(
                    Problem.UNSUPPORTED_FORMAT,
                    name,
                    "unsupported image format (detected " + format.displayName + "); supported: "
                            + ImageFormat.SUPPORTED_LIST);
        }
        BufferedImage image = read(bytes, format, name);
        byte[] rgb = RgbConverter.toRgb(image);
        return new DecodedImage(image.getWidth(), image.getHeight(), rgb, sha256(bytes), name);
    }

    /**
     * Decodes one still image (an animation frame) keeping its alpha channel, for drawing it onto
     * an animation's canvas; the same checks as {@link #decode(byte[], String)}.
     */
    BufferedImage readImage(byte[] bytes, String name) throws ImageDecodingException {
        checkByteCount(bytes.length, name);
        ImageFormat format = ImageFormat.detect(bytes);
        if (!format.supported) {
            throw new ImageDecodingException(
                    Problem.UNSUPPORTED_FORMAT, name, "unsupported image format (detected " + format.displayName + ")");
        }
        return read(bytes, format, name);
    }

    /** Reads and decodes a file; see {@link #readBytes(Path)} and {@link #decode(byte[], String)}. */
    public DecodedImage decode(Path path) throws ImageDecodingException {
        return decode(readBytes(path), path.toString());
    }

    /**
     * Converts an image already in memory. The digest is of the dimensions and the RGB bytes, since
     * there are no encoded bytes.
     */
    public DecodedImage decode(BufferedImage image, String name) throws ImageDecodingException {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(name, "name");
        checkDimensions(image.getWidth(), image.getHeight(), name);
        byte[] rgb = RgbConverter.toRgb(image);
        return new DecodedImage(
                image.getWidth(), image.getHeight(), rgb, rgbDigest(image.getWidth(), image.getHeight(), rgb), name);
    }

    /**
     * Reads a whole file, refusing one larger than {@link ImageLimits#maxBytes()}. The size is
     * checked before reading and again while reading (a file can grow, and devices report size 0).
     */
    public byte[] readBytes(Path path) throws ImageDecodingException {
        Objects.requireNonNull(path, "path");
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new ImageDecodingException(Problem.UNREADABLE, name, "is a directory, not an image file");
        }
        try {
            long size = Files.size(path);
            if (size > limits.maxBytes()) {
                throw tooManyBytes(name, size + " bytes");
            }
            try (InputStream in = Files.newInputStream(path)) {
                return readBytes(in, name);
            }
        } catch (NoSuchFileException e) {
            throw new ImageDecodingException(Problem.UNREADABLE, name, "file not found", e);
        } catch (ImageDecodingException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageDecodingException(Problem.UNREADABLE, name, "cannot read file: " + e, e);
        }
    }

    /**
     * Reads a stream to its end, but never more than {@link ImageLimits#maxBytes()} + 1 bytes: a
     * longer stream is rejected without being drained. The stream is not closed.
     */
    public byte[] readBytes(InputStream in, String name) throws ImageDecodingException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(name, "name");
        long max = limits.maxBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(max, READ_CHUNK));
        byte[] chunk = new byte[READ_CHUNK];
        long total = 0;
        try {
            while (true) {
                int want = (int) Math.min(chunk.length, max + 1 - total);
                int n = in.read(chunk, 0, want);
                if (n < 0) {
                    break;
                }
                total += n;
                if (total > max) {
                    throw tooManyBytes(name, "more than " + max + " bytes");
                }
                out.write(chunk, 0, n);
            }
        } catch (ImageDecodingException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageDecodingException(Problem.UNREADABLE, name, "cannot read stream: " + e, e);
        }
        byte[] bytes = out.toByteArray();
        checkByteCount(bytes.length, name);
        return bytes;
    }

    /** Rejects an input of {@code count} bytes the way {@link #decode(byte[], String)} would: empty or over the limit. */
    public void checkByteCount(long count, String name) throws ImageDecodingException {
        if (count == 0) {
            throw new ImageDecodingException(Problem.EMPTY, name, "empty input (0 bytes), not an image");
        }
        if (count > limits.maxBytes()) {
            throw tooManyBytes(name, count + " bytes");
        }
    }

    private ImageDecodingException tooManyBytes(String name, String actual) {
        return new ImageDecodingException(
                Problem.TOO_MANY_BYTES,
                name,
                "input too large: " + actual + ", limit is " + limits.maxBytes()
                        + " bytes (raise ImageLimits.maxBytes to accept it)");
    }

    void checkDimensions(int width, int height, String name) throws ImageDecodingException {
        if (width <= 0 || height <= 0) {
            throw new ImageDecodingException(Problem.CORRUPT, name, "invalid dimensions " + width + "x" + height);
        }
        if (width > limits.maxWidth() || height > limits.maxHeight()) {
            throw new ImageDecodingException(
                    Problem.TOO_LARGE,
                    name,
                    "image is " + width + "x" + height + " pixels, larger than the limit of " + limits.maxWidth() + "x"
                            + limits.maxHeight() + " (ImageLimits.maxWidth/maxHeight)");
        }
        long pixels = (long) width * height;
        if (pixels > limits.maxPixels()) {
            throw new ImageDecodingException(
                    Problem.TOO_LARGE,
                    name,
                    "image is " + width + "x" + height + " = " + pixels + " pixels, more than the limit of "
                            + limits.maxPixels() + " (ImageLimits.maxPixels)");
        }
    }

    private BufferedImage read(byte[] bytes, ImageFormat format, String name) throws ImageDecodingException {
        String what = format.displayName;
        ImageReader reader;
        try {
            reader = Readers.create(format);
        } catch (IOException e) {
            throw new ImageDecodingException(Problem.UNREADABLE, name, "no " + what + " decoder available: " + e, e);
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        try (EndGuardedImageInputStream in = new EndGuardedImageInputStream(bytes)) {
            // Forward-only, no metadata: the first image is all we need, and skipping metadata
            // avoids parsing attacker-controlled chunks the pixels do not depend on.
            reader.setInput(in, true, true);
            // Header only: nothing proportional to the declared size is allocated before this check.
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            checkDimensions(width, height, name);
            in.allowPixels((long) width * height);
            BufferedImage image = reader.read(0, reader.getDefaultReadParam());
            if (image == null) {
                throw new ImageDecodingException(Problem.CORRUPT, name, "the " + what + " decoder returned no image");
            }
            checkDimensions(image.getWidth(), image.getHeight(), name);
            for (String warning : warnings) {
                if (isTruncation(warning)) {
                    throw new ImageDecodingException(
                            Problem.CORRUPT, name, "truncated or corrupt " + what + " data (" + warning + ")");
                }
            }
            return image;
        } catch (ImageDecodingException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageDecodingException(
                    Problem.CORRUPT, name, "truncated or corrupt " + what + " data (" + describe(e) + ")", e);
        } catch (RuntimeException e) {
            // Plugins throw unchecked exceptions (index out of bounds, illegal argument, negative
            // array size) on malformed input; to the caller it is all the same corrupt file.
            throw new ImageDecodingException(
                    Problem.CORRUPT, name, "corrupt " + what + " data (" + describe(e) + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * JPEG decoders warn instead of failing when the data ends early and fill the rest with grey;
     * PIL refuses such files ("image file is truncated"), and so do we. Other warnings (extraneous
     * bytes before a marker, odd metadata) describe files that decode completely, and are ignored;
     * so is a truncated embedded ICC profile, which the reader drops while the pixels are complete
     * (PIL ignores profiles too).
     */
    private static boolean isTruncation(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        if (w.contains("icc profile") || w.contains("icc_profile")) {
            return false;
        }
        return w.contains("truncat") || w.contains("premature end") || w.contains("missing eoi");
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** The digest {@link #decode(byte[], String)} records: lower-case hex SHA-256 of the encoded bytes. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Digest().digest(bytes));
    }

    private static String rgbDigest(int width, int height, byte[] rgb) {
        MessageDigest digest = sha256Digest();
        digest.update(ByteBuffer.allocate(8).putInt(width).putInt(height).array());
        digest.update(rgb);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
