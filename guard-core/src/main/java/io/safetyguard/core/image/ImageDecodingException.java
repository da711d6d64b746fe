package io.safetyguard.core.image;

import java.io.IOException;
import java.util.Objects;

/**
 * An image could not be read or was rejected. The message starts with the input's name and says
 * what was wrong, e.g. {@code "photo.tiff: unsupported image format (detected TIFF); supported: PNG,
 * JPEG, GIF, BMP, WebP"}.
 */
public class ImageDecodingException extends IOException {

    /** What kind of problem the input had. */
    public enum Problem {
        /** The input has no bytes. */
        EMPTY,
        /** The input is larger than {@link ImageLimits#maxBytes()}. */
        TOO_MANY_BYTES,
        /** The bytes are not one of the supported formats. */
        UNSUPPORTED_FORMAT,
        /** The header declares dimensions beyond {@link ImageLimits}. */
        TOO_LARGE,
        /** The data is corrupt or truncated. */
        CORRUPT,
        /** The input could not be read at all (missing file, I/O error). */
        UNREADABLE
    }

    private final Problem problem;
    private final String inputName;

    public ImageDecodingException(Problem problem, String inputName, String detail) {
        this(problem, inputName, detail, null);
    }

    public ImageDecodingException(Problem problem, String inputName, String detail, Throwable cause) {
        super(inputName + ": " + detail, cause);
        this.problem = Objects.requireNonNull(problem, "problem");
        this.inputName = Objects.requireNonNull(inputName, "inputName");
    }

    public Problem problem() {
        return problem;
    }

    /** The name of the rejected input (file path, or the name given with the bytes). */
    public String inputName() {
        return inputName;
    }
}
