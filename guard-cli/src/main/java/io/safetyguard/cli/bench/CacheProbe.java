package io.safetyguard.cli.bench;

import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Measures verdict-cache hits: one miss fills the cache, then hits are timed next to plain file hashing. The miss
 * runs verdict-only with the default token cap whatever the benchmark's cap, since only a parsed verdict is cached.
 */
final class CacheProbe {
    private final SafetyModel model;
    private final Policy policy;
    private final GenerationOptions options;
    private final int repeats;

    CacheProbe(SafetyModel model, Policy policy, int repeats) {
        this.model = model;
        this.policy = policy;
        this.options = GenerationOptions.DEFAULT.withGreedy(true).withVerdictOnly(true);
        this.repeats = repeats;
    }

    /** The hit cost for {@code image}; empty (with the reason in {@code skipped}) when the model gave no verdict to cache. */
    Optional<CacheHit> measure(Path image, Consumer<String> skipped) throws IOException {
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .ownsModel(false)
                .policy(policy)
                .generationOptions(options)
                .cache(CacheConfig.defaults())
                .build()) {
            Verdict miss = guard.assess(ImageInput.ofPath(image)); // fills the cache
            if (miss.isFailure()) {
                skipped.accept(miss.failureReason().orElse("no verdict") + " (failed verdicts are not cached)");
                return Optional.empty();
            }
            List<Double> hits = new ArrayList<>();
            List<Double> hashes = new ArrayList<>();
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                Verdict v = guard.assess(ImageInput.ofPath(image));
                hits.add((System.nanoTime() - t0) / 1e3);
                if (v.source() != VerdictSource.CACHE) {
                    throw new BenchException("expected a cache hit for " + image + " but got " + v.source()
                            + v.failureReason().map(r -> " (" + r + ")").orElse(""));
                }
                long t1 = System.nanoTime();
                sha256(Files.readAllBytes(image));
                hashes.add((System.nanoTime() - t1) / 1e3);
            }
            return Optional.of(new CacheHit(
                    image.getFileName().toString(),
                    Files.size(image),
                    Stats.median(hits).orElse(Double.NaN),
                    Stats.median(hashes).orElse(Double.NaN)));
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }
}
