package io.safetyguard.cli.bench;

/** The benchmark cannot go on; the message says why and what to do. */
public final class BenchException extends RuntimeException {
    public BenchException(String message) {
        super(message);
    }

    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
