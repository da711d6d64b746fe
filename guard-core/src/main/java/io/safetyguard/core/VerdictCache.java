package io.safetyguard.core;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Caffeine-backed verdict cache with compute-once semantics: concurrent lookups of one key share
 * one model run. The run happens on the thread of the first caller (not on a cache thread), so it
 * stays under that caller's timeout and cancellation; the others wait on its future. A run that
 * fails completes its future exceptionally, which makes Caffeine drop the entry: failures are
 * never served from the cache.
 */
final class VerdictCache {

    /** The shared future for a key, and whether this caller ran the loader. */
    record Lookup(CompletableFuture<Verdict> future, boolean loadedHere) {}

    private final AsyncCache<CacheKey, Verdict> cache;

    VerdictCache(CacheConfig config) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder()
                .maximumSize(config.maximumSize())
                .recordStats()
                // Maintenance (evictions, removal of failed futures) on the calling thread: no
                // background pool to leak, and stats are exact when a call returns.
                .executor(Runnable::run);
        if (!config.expireAfterWrite().isZero()) {
            builder.expireAfterWrite(config.expireAfterWrite());
        }
        this.cache = builder.buildAsync();
    }

    Lookup lookup(CacheKey key, Callable<Verdict> loader) {
        CompletableFuture<Verdict> mine = new CompletableFuture<>();
        CompletableFuture<Verdict> shared = cache.get(key, (k, executor) -> mine);
        if (shared != mine) {
            return new Lookup(shared, false);
        }
        try {
            mine.complete(loader.call());
        } catch (AssessmentFailure failure) {
            mine.completeExceptionally(new FailedLoad(failure));
        } catch (Throwable t) {
            mine.completeExceptionally(t);
        }
        return new Lookup(mine, true);
    }

    /**
     * Carries an expected failure (bad image, model error, timeout) through the shared future.
     * Caffeine logs every failed load at WARNING with a stack trace, except cancellations; a
     * failed assessment is an outcome the guard reports, not a cache fault, so it travels as one.
     * Caffeine still counts it as a load failure and drops the entry. {@code future.get()} throws
     * it as is (not wrapped in an ExecutionException).
     */
    static final class FailedLoad extends java.util.concurrent.CancellationException {
        private final transient AssessmentFailure failure;

        FailedLoad(AssessmentFailure failure) {
            super(failure.getMessage());
            this.failure = failure;
        }

        AssessmentFailure failure() {
            return failure;
        }
    }

    /** Removes {@code key} if it still maps to {@code future} (a failed load that must not be waited on again). */
    void forget(CacheKey key, CompletableFuture<Verdict> future) {
        cache.asMap().remove(key, future);
    }

    CacheStats stats() {
        cache.synchronous().cleanUp();
        com.github.benmanes.caffeine.cache.stats.CacheStats s =
                cache.synchronous().stats();
        return new CacheStats(
                s.hitCount(),
                s.missCount(),
                s.loadSuccessCount(),
                s.loadFailureCount(),
                s.evictionCount(),
                cache.synchronous().estimatedSize());
    }

    void invalidateAll() {
        cache.synchronous().invalidateAll();
    }
}
