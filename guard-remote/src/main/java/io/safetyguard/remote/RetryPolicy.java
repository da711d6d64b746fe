package io.safetyguard.remote;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently a request is retried after a transient failure (connection refused or
 * reset, a timeout, HTTP 429/502/503/504). Input errors (other 4xx) are never retried.
 *
 * @param maxAttempts    attempts per request in all, at least 1
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff     cap on any wait (also on a server's {@code Retry-After})
 * @param multiplier     growth of the wait per attempt, at least 1
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {

    /** 4 attempts, waiting 0.25 s, 0.5 s, 1 s (plus up to 20% jitter), capped at 5 s. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(5), 2.0);

    /** One attempt, no retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0);

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoff durations must not be negative");
        }
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be >= 1, got " + multiplier);
        }
    }

    /**
     * The wait after failed attempt {@code attempt} (1-based): exponential with up to 20% jitter, so that
     * many clients that failed together do not come back together.
     */
    Duration backoffAfter(int attempt) {
        double base = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double jittered = base * (1 + 0.2 * ThreadLocalRandom.current().nextDouble());
        long nanos = (long) Math.min(jittered, maxBackoff.toNanos());
        return Duration.ofNanos(nanos);
    }

    /** A server's requested wait, capped at {@link #maxBackoff()}. */
    Duration cap(Duration requested) {
        return requested.compareTo(maxBackoff) > 0 ? maxBackoff : requested;
    }
}
