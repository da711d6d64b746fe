package io.safetyguard.core.metadata;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A parsed image file seen as a sequence of chunks or segments, one of which may carry the XMP
 * packet. Implementations only copy bytes: the image data is never decoded or re-encoded.
 */
interface ImageContainer {

    /** Upper bound for an XMP packet read from or written to any format. */
    int MAX_XMP_BYTES = 4 << 20;

    /** The format's name, for messages. */
    String formatName();

    /** The XMP packet's bytes (UTF-8), if the file has one. */
    Optional<byte[]> xmp() throws VerdictMetadataException;

    /** A new file: this one with its XMP packet (if any) replaced by {@code xmp}, everything else kept. */
    byte[] withXmp(byte[] xmp) throws VerdictMetadataException;

    /**
     * SHA-256 over every byte of the file that is not part of the XMP carrier (see the
     * implementations for the exact rule); unchanged by {@link #withXmp}, changed by any other edit.
     */
    String contentDigest();

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
