package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.internal.jni.LlamaContext;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The running state of one evaluation: what makes it stop (cancel, interrupt, timeout, close) and the context it
 * decodes into, whose abort flag the {@link Watchdog} or a close raises.
 */
public final class Run {

    private final BooleanSupplier cancelled;
    private final long deadline;
    private final Duration timeout;
    private final Thread thread;
    private volatile LlamaContext context;
    private volatile StopReason abortReason;
    private boolean done; // guarded by this

    private Run(BooleanSupplier cancelled, long deadline, Duration timeout, Thread thread) {
        this.cancelled = cancelled;
        this.deadline = deadline;
        this.timeout = timeout;
        this.thread = thread;
    }

    /** A run of {@code request} on the calling thread, its timeout counted from now. */
    static Run of(ModelRequest request) {
        Duration timeout = request.timeout();
        long start = System.nanoTime();
        long deadline = timeout.isZero() ? Long.MAX_VALUE : start + timeout.toNanos();
        return new Run(request.cancelled(), deadline, timeout, Thread.currentThread());
    }

    /** The context this run decodes into from now on (its abort flag is what stops a long decode). */
    void attach(LlamaContext context) {
        this.context = context;
    }

    /** Marks the run finished: later aborts no longer touch its (returned) context. */
    synchronized void finish() {
        done = true;
    }

    /** Whether an abort was raised (its native errors are then expected, not news). */
    boolean aborted() {
        return abortReason != null;
    }

    /** A close aborted this run. */
    boolean closedDuringRun() {
        return abortReason == StopReason.CLOSED;
    }

    /** Why this run should stop now, or null. */
    StopReason reasonToStop() {
        StopReason r = abortReason;
        if (r != null) {
            return r;
        }
        boolean c;
        try {
            c = cancelled.getAsBoolean();
        } catch (RuntimeException e) {
            c = true;
        }
        if (c) {
            return StopReason.CANCELLED;
        }
        if (thread.isInterrupted()) {
            return StopReason.INTERRUPTED;
        }
        if (System.nanoTime() - deadline > 0) {
            return StopReason.TIMEOUT;
        }
        return null;
    }

    /** Raises the native abort flag of this run's context (if it is still running). */
    synchronized void abort(StopReason reason) {
        if (done) {
            return;
        }
        if (abortReason == null) {
            abortReason = reason;
        }
        LlamaContext c = context;
        if (c != null) {
            c.setAbort(true);
        }
    }

    /**
     * Throws if the run must stop: {@link java.util.concurrent.CancellationException} when cancelled or
     * interrupted, {@link ModelException} on timeout or close.
     */
    public void check() throws ModelException {
        StopReason r = reasonToStop();
        if (r == null) {
            return;
        }
        if (abortReason == null) {
            abortReason = r;
        }
        r.raise(timeout);
    }
}
