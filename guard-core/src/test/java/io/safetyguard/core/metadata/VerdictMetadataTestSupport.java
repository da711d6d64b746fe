package io.safetyguard.core.metadata;

import java.nio.charset.StandardCharsets;

/** Edits for tests outside this package. */
public final class VerdictMetadataTestSupport {
    private VerdictMetadataTestSupport() {}

    /** {@code png} with a tEXt chunk added after IHDR (a metadata edit that leaves the XMP alone). */
    public static byte[] addPngTextChunk(byte[] png, String keyword, String text) {
        return VerdictMetadataTest.insertAfterIhdr(
                png, "tEXt", (keyword + "\0" + text).getBytes(StandardCharsets.ISO_8859_1));
    }
}
