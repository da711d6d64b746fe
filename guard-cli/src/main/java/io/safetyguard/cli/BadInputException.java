package io.safetyguard.cli;

/** The user's input is wrong; the message says what and how to fix it. Exit code 2. */
final class BadInputException extends RuntimeException {
    BadInputException(String message) {
        super(message);
    }

    BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
