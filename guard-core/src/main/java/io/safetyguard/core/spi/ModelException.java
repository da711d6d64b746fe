package io.safetyguard.core.spi;

/** A backend could not produce an answer; the message says what went wrong and what to do. */
public class ModelException extends Exception {
    private final boolean transientFailure;

    public ModelException(String message) {
        this(message, null, false);
    }

    public ModelException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param transientFailure true when retrying the same request later may succeed
     *                         (out of memory in a busy context, a timeout)
     */
    public ModelException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
