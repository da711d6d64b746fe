package io.safetyguard.core;

/**
 * Counters of the verdict cache since the guard was built. A call that joined another call's
 * in-progress computation of the same key counts as a hit.
 *
 * @param hitCount          lookups answered from the cache
 * @param missCount         lookups that had to run the model
 * @param loadSuccessCount  model runs whose verdict was stored
 * @param loadFailureCount  model runs that failed (not stored)
 * @param evictionCount     verdicts dropped for size or expiry
 * @param size              verdicts held now (approximate)
 */
public record CacheStats(
        long hitCount, long missCount, long loadSuccessCount, long loadFailureCount, long evictionCount, long size) {

    static final CacheStats EMPTY = new CacheStats(0, 0, 0, 0, 0, 0);

    /** Model runs started through the cache: successes plus failures. */
    public long loadCount() {
        return loadSuccessCount + loadFailureCount;
    }

    /** Share of lookups answered from the cache, 0 when there were none. */
    public double hitRate() {
        long total = hitCount + missCount;
        return total == 0 ? 0 : (double) hitCount / total;
    }
}
