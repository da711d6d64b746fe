package io.safetyguard.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the verdict cache. A verdict is reused only for the same image bytes, the same
 * policy text (fingerprint), the same model identity and the same generation settings; failures
 * are never cached. An entry is a few kilobytes (rationale and raw answer).
 *
 * @param maximumSize      most verdicts kept; 0 disables the cache
 * @param expireAfterWrite how long a verdict stays usable; {@link Duration#ZERO} for no expiry
 *                         (the same inputs give the same verdict, so by default they do not expire)
 */
public record CacheConfig(long maximumSize, Duration expireAfterWrite) {

    public CacheConfig {
        Objects.requireNonNull(expireAfterWrite, "expireAfterWrite");
        if (maximumSize < 0) {
            throw new IllegalArgumentException("maximumSize must be >= 0 (0 disables the cache), got " + maximumSize);
        }
        if (expireAfterWrite.isNegative()) {
            throw new IllegalArgumentException("expireAfterWrite must not be negative, got " + expireAfterWrite);
        }
    }

    /** 10,000 verdicts, no expiry. */
    public static CacheConfig defaults() {
        return new CacheConfig(10_000, Duration.ZERO);
    }

    /** No caching: every call runs the model. */
    public static CacheConfig disabled() {
        return new CacheConfig(0, Duration.ZERO);
    }

    /** Up to {@code entries} verdicts, no expiry. */
    public static CacheConfig maximumSize(long entries) {
        return new CacheConfig(entries, Duration.ZERO);
    }

    public CacheConfig withExpireAfterWrite(Duration value) {
        return new CacheConfig(maximumSize, value);
    }

    public boolean enabled() {
        return maximumSize > 0;
    }
}
