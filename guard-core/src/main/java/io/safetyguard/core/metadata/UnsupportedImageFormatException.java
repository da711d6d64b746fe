package io.safetyguard.core.metadata;

/**
 * The image is in a format that verdicts cannot be embedded in (only PNG, JPEG and WebP can carry
 * one); callers usually skip such images with this message as the reason.
 */
public final class UnsupportedImageFormatException extends VerdictMetadataException {
    public UnsupportedImageFormatException(String message) {
        super(message);
    }
}
