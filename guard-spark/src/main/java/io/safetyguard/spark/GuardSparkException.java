package io.safetyguard.spark;

/** A Spark audit job could not run: the model did not load, or the settings or output are wrong. */
public final class GuardSparkException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public GuardSparkException(String message) {
        super(message);
    }

    public GuardSparkException(String message, Throwable cause) {
        super(message, cause);
    }
}
