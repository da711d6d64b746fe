package io.safetyguard.cli.audit;

/** {@code verdicts.jsonl} holds a line that is not a verdict and is not a cut-off last line. */
public final class VerdictLogFormatException extends RuntimeException {
    VerdictLogFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
