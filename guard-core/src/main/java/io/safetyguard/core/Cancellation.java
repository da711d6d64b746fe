package io.safetyguard.core;

/** A cancel flag for one call, set by a cancelled future, an interrupt or a timeout. */
final class Cancellation {
    private volatile boolean cancelled;

    void cancel() {
        cancelled = true;
    }

    boolean isCancelled() {
        return cancelled;
    }
}
