package io.safetyguard.remote;

import java.time.Duration;

/** Why one HTTP attempt brought no answer, and what that means for retrying. */
final class AttemptFailure extends Exception {
    private static final long serialVersionUID = 1L;

    enum Kind {
        /** The endpoint is unreachable or broken (refused, reset, timed out, 502/503/504): retry, elsewhere if possible. */
        ENDPOINT_FAULT,
        /** The endpoint is busy (429): retry after a wait; says nothing about its health. */
        THROTTLED,
        /** The server refused this request (4xx, 500): retrying cannot help. */
        REJECTED
    }

    private final Kind kind;
    private final Duration retryAfter;

    AttemptFailure(Kind kind, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    Kind kind() {
        return kind;
    }

    /** The server's {@code Retry-After}, or null. */
    Duration retryAfter() {
        return retryAfter;
    }
}
