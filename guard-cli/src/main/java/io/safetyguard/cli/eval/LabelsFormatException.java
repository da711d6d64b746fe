package io.safetyguard.cli.eval;

/** A labels file cannot be used; the message names the file, the line and the fix. */
public final class LabelsFormatException extends RuntimeException {
    LabelsFormatException(String message) {
        super(message);
    }

    LabelsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
