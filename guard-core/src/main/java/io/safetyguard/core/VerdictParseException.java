package io.safetyguard.core;

/** The model's answer is not a verdict; the message says what was wrong with it. */
final class VerdictParseException extends Exception {
    VerdictParseException(String message) {
        super(message);
    }
}
