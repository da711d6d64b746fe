package io.safetyguard.core.metadata;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A JPEG file as its header segments up to the first scan, and the rest (scan data and
 * everything after it) as one opaque tail that is copied unchanged. The XMP packet lives in an
 * APP1 segment whose payload starts with {@code http://ns.adobe.com/xap/1.0/\0}; a new one is
 * placed after the leading APP0/APP1 segments (JFIF, Exif). Extended XMP segments are other
 * metadata and are kept.
 *
 * <p>Content digest: SHA-256 over the SOI marker, every header segment except the XMP APP1
 * segment(s) (marker and payload), and the tail, in file order.
 */
final class JpegContainer implements ImageContainer {

    static final byte[] XMP_HEADER = "http://ns.adobe.com/xap/1.0/\0".getBytes(StandardCharsets.ISO_8859_1);
    /** A segment's length field counts itself and is 16 bits. */
    static final int MAX_XMP_IN_SEGMENT = 0xFFFF - 2 - XMP_HEADER.length;

    private static final int APP0 = 0xE0;
    private static final int APP1 = 0xE1;
    private static final int SOS = 0xDA;

    /** A header segment from its 0xFF marker byte to the end of its payload. */
    private record Segment(int marker, int offset, int end) {}

    private final byte[] file;
    private final List<Segment> segments;
    private final int tailOffset;

    private JpegContainer(byte[] file, List<Segment> segments, int tailOffset) {
        this.file = file;
        this.segments = segments;
        this.tailOffset = tailOffset;
    }

    static boolean matches(byte[] file) {
        return file.length >= 3 && (file[0] & 0xFF) == 0xFF && (file[1] & 0xFF) == 0xD8 && (file[2] & 0xFF) == 0xFF;
    }

    static JpegContainer parse(byte[] file) throws VerdictMetadataException {
        if (!matches(file)) {
            throw new VerdictMetadataException("not a JPEG file: no SOI marker (FF D8) at the start");
        }
        List<Segment> segments = new ArrayList<>();
        int pos = 2;
        while (true) {
            if (pos >= file.length || (file[pos] & 0xFF) != 0xFF) {
                throw new VerdictMetadataException("JPEG: expected a marker at byte " + pos
                        + (pos >= file.length ? " but the file ends (no scan found)" : ", found " + hex(file[pos])));
            }
            int markerOffset = pos;
            while (pos < file.length && (file[pos] & 0xFF) == 0xFF) {
                pos++; // fill bytes
            }
            if (pos >= file.length) {
                throw new VerdictMetadataException("JPEG truncated at byte " + pos + " inside a marker");
            }
            int marker = file[pos] & 0xFF;
            pos++;
            if (marker == SOS) {
                // Scan data is not length-delimited; it and everything after it stay as they are.
                return new JpegContainer(file, List.copyOf(segments), markerOffset);
            }
            if (marker == 0xD8
                    || marker == 0xD9
                    || marker == 0x00
                    || (marker >= 0xD0 && marker <= 0xD7)
                    || marker == 0x01) {
                throw new VerdictMetadataException("JPEG: unexpected marker " + hex((byte) marker) + " at byte "
                        + markerOffset + " before the first scan");
            }
            if (file.length - pos < 2) {
                throw new VerdictMetadataException(
                        "JPEG truncated at byte " + pos + " in the length of segment " + hex((byte) marker));
            }
            int length = Bytes.u16be(file, pos);
            if (length < 2 || length > file.length - pos) {
                throw new VerdictMetadataException("JPEG segment " + hex((byte) marker) + " at byte " + markerOffset
                        + " declares length " + length + " but " + (file.length - pos) + " bytes remain");
            }
            pos += length;
            segments.add(new Segment(marker, markerOffset, pos));
        }
    }

    @Override
    public String formatName() {
        return "JPEG";
    }

    private boolean isXmp(Segment s) {
        int payload = s.offset() + 4;
        return s.marker() == APP1
                && s.end() - payload >= XMP_HEADER.length
                && Arrays.equals(file, payload, payload + XMP_HEADER.length, XMP_HEADER, 0, XMP_HEADER.length);
    }

    @Override
    public Optional<byte[]> xmp() throws VerdictMetadataException {
        List<Segment> xmp = segments.stream().filter(this::isXmp).toList();
        if (xmp.size() > 1) {
            throw new VerdictMetadataException(
                    "JPEG has " + xmp.size() + " XMP APP1 segments; which one counts is ambiguous");
        }
        if (xmp.isEmpty()) {
            return Optional.empty();
        }
        Segment s = xmp.get(0);
        return Optional.of(Arrays.copyOfRange(file, s.offset() + 4 + XMP_HEADER.length, s.end()));
    }

    @Override
    public byte[] withXmp(byte[] xmp) throws VerdictMetadataException {
        if (xmp.length > MAX_XMP_IN_SEGMENT) {
            throw new VerdictMetadataException("the XMP packet would be " + xmp.length
                    + " bytes; a JPEG APP1 segment holds at most " + MAX_XMP_IN_SEGMENT
                    + " (extended XMP is not written)");
        }
        byte[] segment = new byte[4 + XMP_HEADER.length + xmp.length];
        segment[0] = (byte) 0xFF;
        segment[1] = (byte) APP1;
        segment[2] = (byte) ((segment.length - 2) >>> 8);
        segment[3] = (byte) (segment.length - 2);
        System.arraycopy(XMP_HEADER, 0, segment, 4, XMP_HEADER.length);
        System.arraycopy(xmp, 0, segment, 4 + XMP_HEADER.length, xmp.length);

        ByteArrayOutputStream out = new ByteArrayOutputStream(file.length + segment.length);
        out.write(file, 0, 2);
        boolean hasOldXmp = segments.stream().anyMatch(this::isXmp);
        boolean written = false;
        for (Segment s : segments) {
            if (isXmp(s)) {
                if (!written) {
                    out.write(segment, 0, segment.length);
                    written = true;
                }
                continue;
            }
            if (!hasOldXmp && !written && s.marker() != APP0 && s.marker() != APP1) {
                out.write(segment, 0, segment.length);
                written = true;
            }
            out.write(file, s.offset(), s.end() - s.offset());
        }
        if (!written) {
            out.write(segment, 0, segment.length);
        }
        out.write(file, tailOffset, file.length - tailOffset);
        return out.toByteArray();
    }

    @Override
    public String contentDigest() {
        MessageDigest digest = ImageContainer.sha256();
        digest.update(file, 0, 2);
        for (Segment s : segments) {
            if (!isXmp(s)) {
                digest.update(file, s.offset(), s.end() - s.offset());
            }
        }
        digest.update(file, tailOffset, file.length - tailOffset);
        return ImageContainer.hex(digest);
    }

    private static String hex(byte b) {
        return String.format("0x%02X", b & 0xFF);
    }
}
