package io.safetyguard.llamacpp.internal;

import io.safetyguard.core.spi.ModelException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes the image encoder and the batched text context take turns on the CPU when running both at once would
 * ask for more threads than there are cores. ggml's worker threads spin at every barrier while they wait for
 * each other; two thread groups sharing too few cores each wait for the other group's threads to be scheduled,
 * and both run several times slower than one after the other. Taking turns (one tile encode, then one decode
 * round) keeps every group's threads on a core of their own.
 *
 * <p>A fair lock, so neither side starves: a waiting encoder gets the next turn after the current decode
 * round, and the scheduler the next one after the current tile.
 */
public final class ComputeTurns {

    /** No turn-taking: every {@link #take} returns at once. */
    public static final ComputeTurns NONE = new ComputeTurns(null);

    private final ReentrantLock lock;
    private final LongAdder waitNanos = new LongAdder();

    private ComputeTurns(ReentrantLock lock) {
        this.lock = lock;
    }

    /** Turn-taking between two groups of threads. */
    public static ComputeTurns shared() {
        return new ComputeTurns(new ReentrantLock(true));
    }

    /**
     * Whether two groups of {@code encoderThreads} and {@code decoderThreads} busy threads would oversubscribe
     * {@code cores} if they ran at the same time.
     */
    public static boolean oversubscribed(int encoderThreads, int decoderThreads, int cores) {
        return encoderThreads + decoderThreads > cores;
    }

    /** Whether this object makes anyone wait. */
    public boolean active() {
        return lock != null;
    }

    /**
     * Waits for this thread's turn, checking {@code stop} while it waits.
     *
     * @throws ModelException        from {@code stop}
     * @throws CancellationException when interrupted while waiting
     */
    public void take(ReferenceImagePipeline.StopCheck stop) throws ModelException {
        if (lock == null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            while (!lock.tryLock(20, TimeUnit.MILLISECONDS)) {
                stop.check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for a turn on the CPU");
        } finally {
            waitNanos.add(System.nanoTime() - t0);
        }
    }

    /** Waits for this thread's turn without a way out (the batch scheduler: a turn comes after one tile). */
    public void take() {
        if (lock == null) {
            return;
        }
        long t0 = System.nanoTime();
        lock.lock();
        waitNanos.add(System.nanoTime() - t0);
    }

    /** Ends the turn {@link #take} began. */
    public void release() {
        if (lock != null) {
            lock.unlock();
        }
    }

    /** Time all threads spent waiting for a turn so far, in milliseconds. */
    public double waitMillis() {
        return waitNanos.sum() / 1e6;
    }
}
