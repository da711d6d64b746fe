package io.safetyguard.core;

import java.time.Duration;

/**
 * Counts calls in progress so {@link SafetyGuard#close()} can stop new calls and wait for the
 * running ones before it frees the model.
 */
final class InFlight {
    private static final System.Logger LOG = System.getLogger(SafetyGuard.class.getName());

    private int active;
    private boolean closed;

    /** @return false when closed: the caller must not start */
    synchronized boolean enter() {
        if (closed) {
            return false;
        }
        active++;
        return true;
    }

    synchronized void exit() {
        if (--active == 0) {
            notifyAll();
        }
    }

    synchronized void close() {
        closed = true;
    }

    synchronized int active() {
        return active;
    }

    /**
     * Stops new calls, lets the running ones finish for up to {@code grace}, then calls
     * {@code askToStop} and waits up to {@code stopWait} more. Keeps the interrupt flag; an
     * interrupt also asks the calls to stop.
     */
    void closeAndDrain(Duration grace, Duration stopWait, Runnable askToStop) {
        close();
        try {
            if (!awaitIdle(grace)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "SafetyGuard.close(): {0} call(s) still running after {1}; " + "asking them to stop",
                        active(),
                        grace);
                askToStop.run();
                awaitIdle(stopWait);
            }
        } catch (InterruptedException e) {
            askToStop.run();
            Thread.currentThread().interrupt();
        }
    }

    /** @return true when no call is in progress, false when {@code timeout} passed first */
    synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (active > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
