package io.safetyguard.llamacpp.internal.jni;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The enter/exit/close protocol shared by everything that frees native memory: calls bracket their native work
 * with {@link #enter()} / {@link #exit()}; {@link #closeAndDrain} refuses new calls and returns only once no call
 * is inside any more, so the memory can be freed. Used per native handle by {@link NativeResource} and once per
 * loaded model by the engine (which aborts its running evaluations while it drains).
 */
public final class CallGate {

    private final String closedMessage;
    private final Object lock = new Object();
    private int inFlight;
    private boolean closed;

    /** @param closedMessage what a call after close is told (what was closed, what to do instead) */
    public CallGate(String closedMessage) {
        this.closedMessage = closedMessage;
    }

    /**
     * Registers a call.
     *
     * @throws IllegalStateException once closed
     */
    public void enter() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException(closedMessage);
            }
            inFlight++;
        }
    }

    /** Registers a call unless closed; false when closed (for best-effort calls such as raising an abort flag). */
    public boolean tryEnter() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            inFlight++;
            return true;
        }
    }

    /** Ends a call registered by {@link #enter()} or a successful {@link #tryEnter()}. */
    public void exit() {
        synchronized (lock) {
            inFlight--;
            lock.notifyAll();
        }
    }

    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /**
     * Refuses new calls, waits up to {@code grace} for running ones, then calls {@code abortRunning} every 50 ms
     * until the last one has left. Never gives up that second wait: the caller frees memory the calls still use.
     * Returns false when this gate was already closed (the caller must not free twice), true otherwise; an
     * interrupt during the wait is kept as the thread's interrupt status.
     */
    public boolean closeAndDrain(Duration grace, Runnable abortRunning) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (lock) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        }
        abortRunning.run();
        synchronized (lock) {
            while (inFlight > 0) {
                try {
                    lock.wait(50);
                } catch (InterruptedException e) {
                    interrupted = true; // must not free memory that native code still uses
                }
                abortRunning.run();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
