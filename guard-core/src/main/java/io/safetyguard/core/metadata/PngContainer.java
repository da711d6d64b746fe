package io.safetyguard.core.metadata;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A PNG file as its chunks. The XMP packet lives in an {@code iTXt} chunk with the keyword
 * {@code XML:com.adobe.xmp} (the XMP specification, part 3), placed right after {@code IHDR} when
 * there was none before. Every chunk's CRC is checked when parsing.
 *
 * <p>Content digest: SHA-256 over the signature and every chunk (length, type, data, CRC) except
 * the XMP {@code iTXt} chunk(s), in file order.
 */
final class PngContainer implements ImageContainer {

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    static final String XMP_KEYWORD = "XML:com.adobe.xmp";
    private static final byte[] XMP_PREFIX = (XMP_KEYWORD + "\0").getBytes(StandardCharsets.ISO_8859_1);

    /** One chunk: where it starts (its length field) and how long its data is. */
    private record Chunk(String type, int offset, int dataLength) {
        int end() {
            return offset + 12 + dataLength;
        }

        int dataOffset() {
            return offset + 8;
        }
    }

    private final byte[] file;
    private final List<Chunk> chunks;

    private PngContainer(byte[] file, List<Chunk> chunks) {
        this.file = file;
        this.chunks = chunks;
    }

    static boolean matches(byte[] file) {
        return file.length >= SIGNATURE.length && Arrays.equals(file, 0, SIGNATURE.length, SIGNATURE, 0, 8);
    }

    static PngContainer parse(byte[] file) throws VerdictMetadataException {
        if (!matches(file)) {
            throw new VerdictMetadataException("not a PNG file: the 8-byte PNG signature is missing");
        }
        List<Chunk> chunks = new ArrayList<>();
        int pos = SIGNATURE.length;
        while (true) {
            if (file.length - pos < 12) {
                throw new VerdictMetadataException("PNG truncated at byte " + pos + ": no IEND chunk");
            }
            long length = Bytes.u32be(file, pos);
            String type = new String(file, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (!type.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                throw new VerdictMetadataException(
                        "PNG chunk at byte " + pos + " has an invalid type " + printable(type));
            }
            if (length > Integer.MAX_VALUE || length > file.length - pos - 12L) {
                throw new VerdictMetadataException("PNG chunk " + type + " at byte " + pos + " declares " + length
                        + " data bytes but only " + Math.max(0, file.length - pos - 12) + " follow");
            }
            Chunk chunk = new Chunk(type, pos, (int) length);
            CRC32 crc = new CRC32();
            crc.update(file, pos + 4, 4 + chunk.dataLength());
            long stored = Bytes.u32be(file, chunk.end() - 4);
            if (crc.getValue() != stored) {
                throw new VerdictMetadataException(String.format(
                        "PNG chunk %s at byte %d: CRC mismatch (stored %08x, computed %08x)",
                        type, pos, stored, crc.getValue()));
            }
            if (chunks.isEmpty() && !type.equals("IHDR")) {
                throw new VerdictMetadataException("PNG's first chunk is " + type + ", not IHDR");
            }
            chunks.add(chunk);
            pos = chunk.end();
            if (type.equals("IEND")) {
                break;
            }
        }
        if (pos != file.length) {
            throw new VerdictMetadataException("PNG has " + (file.length - pos)
                    + " bytes after IEND; refusing to rewrite a file with trailing data");
        }
        return new PngContainer(file, List.copyOf(chunks));
    }

    @Override
    public String formatName() {
        return "PNG";
    }

    private boolean isXmp(Chunk c) {
        return c.type().equals("iTXt")
                && c.dataLength() >= XMP_PREFIX.length
                && Arrays.equals(
                        file, c.dataOffset(), c.dataOffset() + XMP_PREFIX.length, XMP_PREFIX, 0, XMP_PREFIX.length);
    }

    @Override
    public Optional<byte[]> xmp() throws VerdictMetadataException {
        List<Chunk> xmp = chunks.stream().filter(this::isXmp).toList();
        if (xmp.size() > 1) {
            throw new VerdictMetadataException(
                    "PNG has " + xmp.size() + " XMP iTXt chunks; which one counts is ambiguous");
        }
        if (xmp.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(itxtText(xmp.get(0)));
    }

    /** The text of an XMP iTXt chunk: keyword, NUL, compression flag and method, language, NUL, translated keyword, NUL, text. */
    private byte[] itxtText(Chunk c) throws VerdictMetadataException {
        int pos = c.dataOffset() + XMP_PREFIX.length;
        int end = c.dataOffset() + c.dataLength();
        if (end - pos < 2) {
            throw new VerdictMetadataException("PNG XMP iTXt chunk at byte " + c.offset() + " is truncated");
        }
        int compressed = file[pos] & 0xFF;
        int method = file[pos + 1] & 0xFF;
        pos += 2;
        for (int field = 0; field < 2; field++) { // language tag, translated keyword
            int nul = indexOf(file, (byte) 0, pos, end);
            if (nul < 0) {
                throw new VerdictMetadataException(
                        "PNG XMP iTXt chunk at byte " + c.offset() + " lacks the NUL after its language fields");
            }
            pos = nul + 1;
        }
        if (compressed == 0) {
            if (end - pos > MAX_XMP_BYTES) {
                throw tooLarge(end - pos);
            }
            return Arrays.copyOfRange(file, pos, end);
        }
        if (compressed != 1 || method != 0) {
            throw new VerdictMetadataException("PNG XMP iTXt chunk at byte " + c.offset() + " has compression flag "
                    + compressed + ", method " + method + " (only 0/0 and 1/0 exist)");
        }
        return inflate(file, pos, end - pos, c.offset());
    }

    private static byte[] inflate(byte[] data, int offset, int length, int chunkOffset)
            throws VerdictMetadataException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data, offset, length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new VerdictMetadataException(
                            "PNG XMP iTXt chunk at byte " + chunkOffset + ": compressed text is truncated");
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_XMP_BYTES) {
                    throw tooLarge(out.size());
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new VerdictMetadataException(
                    "PNG XMP iTXt chunk at byte " + chunkOffset + ": compressed text is corrupt: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    @Override
    public byte[] withXmp(byte[] xmp) throws VerdictMetadataException {
        if (xmp.length > MAX_XMP_BYTES) {
            throw tooLarge(xmp.length);
        }
        byte[] chunk = xmpChunk(xmp);
        ByteArrayOutputStream out = new ByteArrayOutputStream(file.length + chunk.length);
        out.write(SIGNATURE, 0, SIGNATURE.length);
        boolean hasOldXmp = chunks.stream().anyMatch(this::isXmp);
        boolean written = false;
        for (Chunk c : chunks) {
            if (isXmp(c)) {
                if (!written) {
                    out.write(chunk, 0, chunk.length); // where the old packet was
                    written = true;
                }
                continue;
            }
            out.write(file, c.offset(), c.end() - c.offset());
            if (!hasOldXmp && !written && c.type().equals("IHDR")) {
                out.write(chunk, 0, chunk.length);
                written = true;
            }
        }
        return out.toByteArray();
    }

    private static byte[] xmpChunk(byte[] xmp) {
        // keyword NUL, uncompressed (0), method 0, empty language tag NUL, empty translated keyword NUL, text
        int dataLength = XMP_PREFIX.length + 4 + xmp.length;
        byte[] chunk = new byte[12 + dataLength];
        Bytes.putU32be(chunk, 0, dataLength);
        System.arraycopy("iTXt".getBytes(StandardCharsets.ISO_8859_1), 0, chunk, 4, 4);
        System.arraycopy(XMP_PREFIX, 0, chunk, 8, XMP_PREFIX.length);
        System.arraycopy(xmp, 0, chunk, 8 + XMP_PREFIX.length + 4, xmp.length);
        CRC32 crc = new CRC32();
        crc.update(chunk, 4, 4 + dataLength);
        Bytes.putU32be(chunk, 8 + dataLength, crc.getValue());
        return chunk;
    }

    @Override
    public String contentDigest() {
        MessageDigest digest = ImageContainer.sha256();
        digest.update(SIGNATURE);
        for (Chunk c : chunks) {
            if (!isXmp(c)) {
                digest.update(file, c.offset(), c.end() - c.offset());
            }
        }
        return ImageContainer.hex(digest);
    }

    static VerdictMetadataException tooLarge(long size) {
        return new VerdictMetadataException(
                "XMP packet of " + size + " bytes exceeds the limit of " + MAX_XMP_BYTES + " bytes");
    }

    private static int indexOf(byte[] b, byte value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder("0x");
        for (char c : s.toCharArray()) {
            b.append(String.format("%02x", (int) c));
        }
        return b.toString();
    }
}
