package io.safetyguard.examples;

/**
 * A problem an example reports to its user as one line, without a stack trace: the message says
 * what went wrong and what to do about it.
 */
public class ExampleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /** The task could not be done (a server down, a disk full); exit code {@link ExampleCommandLine#EXIT_FAILED}. */
    public ExampleException(String message, Throwable cause) {
        this(message, cause, ExampleCommandLine.EXIT_FAILED);
    }

    /** The user's input is wrong (a missing file, a bad URL); exit code {@link ExampleCommandLine#EXIT_BAD_INPUT}. */
    public static ExampleException badInput(String message) {
        return new ExampleException(message, null, ExampleCommandLine.EXIT_BAD_INPUT);
    }

    /** {@link #badInput(String)} keeping the cause for debugging. */
    public static ExampleException badInput(String message, Throwable cause) {
        return new ExampleException(message, cause, ExampleCommandLine.EXIT_BAD_INPUT);
    }

    protected ExampleException(String message, Throwable cause, int exitCode) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** The process exit code this problem maps to. */
    public int exitCode() {
        return exitCode;
    }
}
