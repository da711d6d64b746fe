package io.safetyguard.cli.audit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Decides which files an audit assesses. The rule, in order:
 *
 * <ol>
 *   <li>A name ending in an image extension ({@value #EXTENSION_LIST}, any case) is assessed, even
 *       if its content turns out not to be an image: a broken {@code .png} in a dataset is a
 *       finding, so it becomes an error line rather than a silent skip.</li>
 *   <li>Any other file is assessed only if its first bytes carry the signature of a format the
 *       decoder supports (PNG, JPEG, GIF, BMP, WebP): datasets often store images under hashed
 *       names with no extension.</li>
 *   <li>Everything else (captions, CSVs, {@code .DS_Store}) is skipped and counted.</li>
 * </ol>
 *
 * A file whose first bytes cannot be read is assessed, so that the audit reports the read error.
 */
public final class ImageFiles {
    static final String EXTENSION_LIST = ".png .jpg .jpeg .jpe .gif .bmp .webp";
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "jpe", "gif", "bmp", "webp");
    private static final int SIGNATURE_BYTES = 12;

    private ImageFiles() {}

    /** Whether the audit should assess this file (see the class comment). */
    public static boolean isCandidate(Path file) {
        return hasImageExtension(file) || hasImageSignature(file);
    }

    /** Whether the file name ends in one of the image extensions, ignoring case. */
    public static boolean hasImageExtension(Path file) {
        Path name = file.getFileName();
        if (name == null) {
            return false;
        }
        String s = name.toString();
        int dot = s.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(s.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Whether the file starts like a supported image; true when it cannot be read (see class comment). */
    static boolean hasImageSignature(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SIGNATURE_BYTES);
        } catch (IOException e) {
            return true;
        }
        return isImageSignature(head);
    }

    static boolean isImageSignature(byte[] b) {
        return startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)
                || startsWith(b, 0, 0xFF, 0xD8, 0xFF)
                || startsWith(b, 0, 'G', 'I', 'F', '8')
                || startsWith(b, 0, 'B', 'M') && b.length >= SIGNATURE_BYTES
                || startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P');
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
}
