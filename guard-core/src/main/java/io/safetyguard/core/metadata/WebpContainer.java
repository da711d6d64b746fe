package io.safetyguard.core.metadata;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A WebP file as its RIFF chunks. The XMP packet lives in the {@code XMP } chunk, which the
 * extended format (a {@code VP8X} header with the XMP flag) requires; a simple file (one
 * {@code VP8 } or {@code VP8L} chunk) gets a {@code VP8X} header whose canvas size and alpha flag
 * are read from the bitstream header. The XMP chunk goes last, where the container
 * specification puts it.
 *
 * <p>Content digest: SHA-256 over every chunk (FourCC, size, payload, padding) except the
 * {@code XMP } chunk, with the XMP flag of {@code VP8X} cleared; the RIFF header (whose size
 * changes with the XMP) is left out.
 */
final class WebpContainer implements ImageContainer {

    private static final int XMP_FLAG = 0x04;
    private static final int ALPHA_FLAG = 0x10;
    /** The RIFF size field is 32 bits. */
    private static final long MAX_RIFF_SIZE = 0xFFFFFFFEL;

    private record Chunk(String fourCc, int offset, int size) {
        int payload() {
            return offset + 8;
        }

        int end() {
            return offset + 8 + size + (size & 1);
        }
    }

    private final byte[] file;
    private final List<Chunk> chunks;

    private WebpContainer(byte[] file, List<Chunk> chunks) {
        this.file = file;
        this.chunks = chunks;
    }

    static boolean matches(byte[] file) {
        return file.length >= 12
                && new String(file, 0, 4, StandardCharsets.ISO_8859_1).equals("RIFF")
                && new String(file, 8, 4, StandardCharsets.ISO_8859_1).equals("WEBP");
    }

    static WebpContainer parse(byte[] file) throws VerdictMetadataException {
        if (!matches(file)) {
            throw new VerdictMetadataException("not a WebP file: no RIFF....WEBP header");
        }
        long riffSize = Bytes.u32le(file, 4);
        if (riffSize + 8 != file.length) {
            throw new VerdictMetadataException(
                    "WebP RIFF header declares " + (riffSize + 8) + " bytes but the file has " + file.length
                            + (riffSize + 8 > file.length ? " (truncated)" : " (trailing data)"));
        }
        List<Chunk> chunks = new ArrayList<>();
        int pos = 12;
        while (pos < file.length) {
            if (file.length - pos < 8) {
                throw new VerdictMetadataException("WebP truncated at byte " + pos + " inside a chunk header");
            }
            String fourCc = new String(file, pos, 4, StandardCharsets.ISO_8859_1);
            long size = Bytes.u32le(file, pos + 4);
            long end = pos + 8L + size + (size & 1);
            // The final chunk's padding byte is sometimes missing; tolerate only that.
            if (end > file.length && !(end == file.length + 1 && (size & 1) == 1)) {
                throw new VerdictMetadataException("WebP chunk '" + fourCc + "' at byte " + pos + " declares " + size
                        + " bytes but only " + (file.length - pos - 8) + " follow");
            }
            chunks.add(new Chunk(fourCc, pos, (int) size));
            pos = (int) Math.min(end, file.length);
        }
        if (chunks.isEmpty()) {
            throw new VerdictMetadataException("WebP file has no chunks");
        }
        String first = chunks.get(0).fourCc();
        if (first.equals("VP8X")) {
            if (chunks.get(0).size() < 10) {
                throw new VerdictMetadataException(
                        "WebP VP8X chunk has " + chunks.get(0).size() + " bytes, needs 10");
            }
        } else if (first.equals("VP8 ") || first.equals("VP8L")) {
            if (chunks.size() > 1) {
                throw new VerdictMetadataException("simple WebP (" + first.trim() + ") followed by chunk '"
                        + chunks.get(1).fourCc() + "' without a VP8X header: malformed");
            }
        } else {
            throw new VerdictMetadataException("WebP's first chunk is '" + first + "', expected VP8, VP8L or VP8X");
        }
        return new WebpContainer(file, List.copyOf(chunks));
    }

    @Override
    public String formatName() {
        return "WebP";
    }

    @Override
    public Optional<byte[]> xmp() throws VerdictMetadataException {
        List<Chunk> xmp = chunks.stream().filter(c -> c.fourCc().equals("XMP ")).toList();
        if (xmp.size() > 1) {
            throw new VerdictMetadataException("WebP has " + xmp.size() + " XMP chunks; which one counts is ambiguous");
        }
        if (xmp.isEmpty()) {
            return Optional.empty();
        }
        Chunk c = xmp.get(0);
        if (c.size() > MAX_XMP_BYTES) {
            throw PngContainer.tooLarge(c.size());
        }
        byte[] packet = new byte[c.size()];
        System.arraycopy(file, c.payload(), packet, 0, c.size());
        return Optional.of(packet);
    }

    @Override
    public byte[] withXmp(byte[] xmp) throws VerdictMetadataException {
        if (xmp.length > MAX_XMP_BYTES) {
            throw PngContainer.tooLarge(xmp.length);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(file.length + xmp.length + 32);
        Chunk first = chunks.get(0);
        if (first.fourCc().equals("VP8X")) {
            byte[] vp8x = copyChunk(first);
            vp8x[8] |= XMP_FLAG;
            body.write(vp8x, 0, vp8x.length);
        } else {
            byte[] vp8x = simpleToExtendedHeader(first);
            body.write(vp8x, 0, vp8x.length);
        }
        for (int i = first.fourCc().equals("VP8X") ? 1 : 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            if (!c.fourCc().equals("XMP ")) {
                byte[] copy = copyChunk(c);
                body.write(copy, 0, copy.length);
            }
        }
        byte[] header = new byte[8];
        System.arraycopy("XMP ".getBytes(StandardCharsets.ISO_8859_1), 0, header, 0, 4);
        Bytes.putU32le(header, 4, xmp.length);
        body.write(header, 0, 8);
        body.write(xmp, 0, xmp.length);
        if ((xmp.length & 1) == 1) {
            body.write(0);
        }
        long riffSize = 4L + body.size();
        if (riffSize > MAX_RIFF_SIZE) {
            throw new VerdictMetadataException("the stamped WebP would exceed the 4 GiB RIFF limit");
        }
        byte[] out = new byte[8 + (int) riffSize];
        System.arraycopy("RIFF".getBytes(StandardCharsets.ISO_8859_1), 0, out, 0, 4);
        Bytes.putU32le(out, 4, riffSize);
        System.arraycopy("WEBP".getBytes(StandardCharsets.ISO_8859_1), 0, out, 8, 4);
        byte[] chunkBytes = body.toByteArray();
        System.arraycopy(chunkBytes, 0, out, 12, chunkBytes.length);
        return out;
    }

    /** A chunk's bytes with its padding byte, restored if the file left it off at the very end. */
    private byte[] copyChunk(Chunk c) {
        byte[] copy = new byte[8 + c.size() + (c.size() & 1)];
        System.arraycopy(file, c.offset(), copy, 0, Math.min(copy.length, file.length - c.offset()));
        return copy;
    }

    /** A VP8X chunk for a simple file: XMP flag, alpha from a VP8L header, canvas from the bitstream. */
    private byte[] simpleToExtendedHeader(Chunk bitstream) throws VerdictMetadataException {
        int p = bitstream.payload();
        int width;
        int height;
        boolean alpha;
        if (bitstream.fourCc().equals("VP8L")) {
            // signature 0x2f, then 14 bits width-1, 14 bits height-1, 1 bit alpha, 3 bits version (LSB first)
            if (bitstream.size() < 5 || (file[p] & 0xFF) != 0x2F) {
                throw new VerdictMetadataException("WebP VP8L bitstream lacks its 0x2f signature");
            }
            long bits = Bytes.u32le(file, p + 1);
            width = (int) (bits & 0x3FFF) + 1;
            height = (int) ((bits >>> 14) & 0x3FFF) + 1;
            alpha = ((bits >>> 28) & 1) == 1;
            if ((bits >>> 29) != 0) {
                throw new VerdictMetadataException("WebP VP8L bitstream has version " + (bits >>> 29) + ", expected 0");
            }
        } else {
            // frame tag (3 bytes, bit 0 = 0 for a key frame), start code 9d 01 2a, 14-bit width and height
            if (bitstream.size() < 10
                    || (file[p] & 1) != 0
                    || (file[p + 3] & 0xFF) != 0x9D
                    || (file[p + 4] & 0xFF) != 0x01
                    || (file[p + 5] & 0xFF) != 0x2A) {
                throw new VerdictMetadataException("WebP VP8 bitstream does not start with a key frame header");
            }
            width = Bytes.u16le(file, p + 6) & 0x3FFF;
            height = Bytes.u16le(file, p + 8) & 0x3FFF;
            alpha = false;
            if (width == 0 || height == 0) {
                throw new VerdictMetadataException("WebP VP8 bitstream declares a " + width + "x" + height + " frame");
            }
        }
        byte[] chunk = new byte[18];
        System.arraycopy("VP8X".getBytes(StandardCharsets.ISO_8859_1), 0, chunk, 0, 4);
        Bytes.putU32le(chunk, 4, 10);
        chunk[8] = (byte) (XMP_FLAG | (alpha ? ALPHA_FLAG : 0));
        Bytes.putU24le(chunk, 12, width - 1);
        Bytes.putU24le(chunk, 15, height - 1);
        return chunk;
    }

    @Override
    public String contentDigest() {
        MessageDigest digest = ImageContainer.sha256();
        for (Chunk c : chunks) {
            if (c.fourCc().equals("XMP ")) {
                continue;
            }
            byte[] copy = copyChunk(c);
            if (c.fourCc().equals("VP8X")) {
                copy[8] &= (byte) ~XMP_FLAG;
            }
            digest.update(copy);
        }
        return ImageContainer.hex(digest);
    }
}
