package io.safetyguard.core;

import java.util.Objects;

/**
 * No verdict could be produced and the guard's {@link FailureMode} is {@link FailureMode#THROW}.
 * The message is the reason (the same text a fail-closed verdict would carry); the cause, when
 * there is one, is the underlying error, e.g. an {@code ImageDecodingException} or a
 * {@code ModelException}.
 */
public class SafetyGuardException extends RuntimeException {

    private final FailureKind kind;

    public SafetyGuardException(FailureKind kind, String reason, Throwable cause) {
        super(reason, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public FailureKind kind() {
        return kind;
    }
}
