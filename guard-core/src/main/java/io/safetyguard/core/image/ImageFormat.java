package io.safetyguard.core.image;

import java.nio.charset.StandardCharsets;

/**
 * What the first bytes of an input say it is. The content decides, never the file name: a PNG
 * called {@code photo.jpg} decodes as PNG, and a text file called {@code photo.png} is rejected.
 * Unsupported formats are recognised too, so the error can name them.
 */
enum ImageFormat {
    PNG("PNG", true),
    JPEG("JPEG", true),
    GIF("GIF", true),
    BMP("BMP", true),
    WEBP("WebP", true),
    TIFF("TIFF", false),
    HEIF("HEIF/AVIF", false),
    JPEG2000("JPEG 2000", false),
    JPEG_XL("JPEG XL", false),
    ICO("ICO", false),
    PSD("PSD", false),
    PDF("PDF", false),
    MARKUP("SVG/XML/HTML", false),
    TEXT("text", false),
    UNKNOWN("unknown", false);

    static final String SUPPORTED_LIST = "PNG, JPEG, GIF, BMP, WebP";

    private static final int TEXT_PROBE = 512;

    final String displayName;
    final boolean supported;

    ImageFormat(String displayName, boolean supported) {
        this.displayName = displayName;
        this.supported = supported;
    }

    static ImageFormat detect(byte[] b) {
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return PNG;
        }
        if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (startsWith(b, 0, 'G', 'I', 'F', '8') && b.length > 5 && (b[4] == '7' || b[4] == '9') && b[5] == 'a') {
            return GIF;
        }
        if (startsWith(b, 0, 'B', 'M') && b.length >= 26) {
            return BMP;
        }
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
            return WEBP;
        }
        if (startsWith(b, 0, 'I', 'I', 0x2A, 0x00)
                || startsWith(b, 0, 'M', 'M', 0x00, 0x2A)
                || startsWith(b, 0, 'I', 'I', 0x2B, 0x00)
                || startsWith(b, 0, 'M', 'M', 0x00, 0x2B)) {
            return TIFF;
        }
        if (startsWith(b, 4, 'f', 't', 'y', 'p')) {
            return HEIF;
        }
        if (startsWith(b, 0, 0x00, 0x00, 0x00, 0x0C, 'j', 'P', ' ', ' ') || startsWith(b, 0, 0xFF, 0x4F, 0xFF, 0x51)) {
            return JPEG2000;
        }
        if (startsWith(b, 0, 0xFF, 0x0A) || startsWith(b, 0, 0x00, 0x00, 0x00, 0x0C, 'J', 'X', 'L', ' ')) {
            return JPEG_XL;
        }
        if (startsWith(b, 0, 0x00, 0x00, 0x01, 0x00) || startsWith(b, 0, 0x00, 0x00, 0x02, 0x00)) {
            return ICO;
        }
        if (startsWith(b, 0, '8', 'B', 'P', 'S')) {
            return PSD;
        }
        if (startsWith(b, 0, '%', 'P', 'D', 'F')) {
            return PDF;
        }
        int first = firstNonBlank(b);
        if (first >= 0 && b[first] == '<') {
            return MARKUP;
        }
        return looksLikeText(b) ? TEXT : UNKNOWN;
    }

    private static boolean startsWith(byte[] b, int offset, int... magic) {
        if (b.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** Index of the first byte after a UTF-8 BOM and whitespace, or -1. */
    private static int firstNonBlank(byte[] b) {
        int i = startsWith(b, 0, 0xEF, 0xBB, 0xBF) ? 3 : 0;
        int end = Math.min(b.length, TEXT_PROBE);
        while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        return i < end ? i : -1;
    }

    /** No control bytes other than whitespace in the first bytes, and they decode as UTF-8. */
    private static boolean looksLikeText(byte[] b) {
        int end = Math.min(b.length, TEXT_PROBE);
        for (int i = 0; i < end; i++) {
            int c = b[i] & 0xFF;
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F) {
                return false;
            }
        }
        // A multi-byte character cut at the probe's end is fine; anything else malformed is binary.
        String s = new String(b, 0, end, StandardCharsets.UTF_8);
        int bad = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\uFFFD') {
                bad++;
            }
        }
        return bad <= 1;
    }
}
