/**
 * Verdicts embedded in an image's own metadata, as XMP: a PNG {@code iTXt} chunk, a JPEG APP1
 * segment or a WebP {@code XMP } chunk. {@link io.safetyguard.core.metadata.VerdictMetadata} writes
 * them by copying the file and replacing only the XMP carrier (pixels are never re-encoded) and
 * reads them back as {@link io.safetyguard.core.metadata.EmbeddedVerdict}s.
 */
package io.safetyguard.core.metadata;
