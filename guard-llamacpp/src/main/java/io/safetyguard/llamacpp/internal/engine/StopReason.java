package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelException;
import java.time.Duration;
import java.util.concurrent.CancellationException;

/** Why an evaluation stops before its answer is complete, and what its caller is told. */
public enum StopReason {
    /** {@code ModelRequest.cancelled()} became true (or threw). */
    CANCELLED,
    /** The evaluating thread was interrupted. */
    INTERRUPTED,
    /** The request's timeout passed. */
    TIMEOUT,
    /** The model was closed and its close timeout ran out. */
    CLOSED;

    /**
     * Throws what the caller of {@code evaluate} gets: {@link CancellationException} for a cancel or an
     * interrupt, a transient {@link ModelException} for a timeout, a permanent one for a close.
     */
    void raise(Duration timeout) throws ModelException {
        switch (this) {
            case CANCELLED -> throw new CancellationException("evaluation cancelled");
            case INTERRUPTED -> throw new CancellationException("evaluation interrupted");
            case TIMEOUT ->
                throw new ModelException("the evaluation timed out after " + timeout.toMillis() + " ms", null, true);
            case CLOSED -> throw new ModelException("the model was closed during the evaluation");
        }
    }
}
