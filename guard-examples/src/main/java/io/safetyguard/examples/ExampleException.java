package io.safetyguard.examples;

/**
 * A problem an example reports to its user as one line, without a stack trace: the message says
 * what went wrong and what to do about it. {@link #isBadInput()} tells a caller whether the user's
 * input was wrong (a missing file, a bad URL) or the task itself failed (a server down, a disk full),
 * so a command line can pick its exit code from the type instead of parsing the message.
 */
public class ExampleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean badInput;

    /** The task could not be done (a server down, a disk full). */
    public ExampleException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** The user's input is wrong (a missing file, a bad URL). */
    public static ExampleException badInput(String message) {
        return new ExampleException(message, null, true);
    }

    /** {@link #badInput(String)} keeping the cause for debugging. */
    public static ExampleException badInput(String message, Throwable cause) {
        return new ExampleException(message, cause, true);
    }

    protected ExampleException(String message, Throwable cause, boolean badInput) {
        super(message, cause);
        this.badInput = badInput;
    }

    /** True when the user's input is wrong; false when the task failed for another reason. */
    public boolean isBadInput() {
        return badInput;
    }
}
