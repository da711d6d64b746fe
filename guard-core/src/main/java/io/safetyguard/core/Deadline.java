package io.safetyguard.core;

import java.time.Duration;

/** A point in {@link System#nanoTime()} time, or none; compared overflow-safely. */
final class Deadline {
    private final long at;
    private final boolean bounded;

    private Deadline(long at, boolean bounded) {
        this.at = at;
        this.bounded = bounded;
    }

    /** {@code timeout} from now; {@link Duration#ZERO} means no deadline. */
    static Deadline after(long startNanos, Duration timeout) {
        return timeout.isZero() ? new Deadline(0, false) : new Deadline(startNanos + timeout.toNanos(), true);
    }

    boolean bounded() {
        return bounded;
    }

    boolean expired() {
        return bounded && System.nanoTime() - at >= 0;
    }

    /** Nanoseconds left, at least 0; {@link Long#MAX_VALUE} without a deadline. */
    long remainingNanos() {
        return bounded ? Math.max(0, at - System.nanoTime()) : Long.MAX_VALUE;
    }
}
