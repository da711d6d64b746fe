package io.safetyguard.core.metadata;

import java.io.IOException;

/**
 * An image whose metadata cannot be read or written safely: a malformed or truncated container,
 * a checksum error, an oversized or ill-formed XMP packet, or a stamp that does not parse. The
 * message names what was found and where. Nothing is written when this is thrown.
 */
public class VerdictMetadataException extends IOException {
    public VerdictMetadataException(String message) {
        super(message);
    }

    public VerdictMetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}
