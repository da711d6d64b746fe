package io.safetyguard.micrometer;

import static io.safetyguard.micrometer.ScriptedModel.BLUE;
import static io.safetyguard.micrometer.ScriptedModel.RED;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters after real assessments through a guard with a scripted model. */
class SafetyGuardMetricsTest {

    private static final Tags GUARD = Tags.of("guard", "test");

    private static ImageInput image(int rgb, String name) {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return ImageInput.ofImage(img, name);
    }

    private static double count(SimpleMeterRegistry r, String name, String... tags) {
        return r.get(name).tags(GUARD).tags(tags).counter().count();
    }

    @Test
    void countsVerdictsByRatingCategoryAndSourceAndTimesThem() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SafetyGuardMetrics metrics = new SafetyGuardMetrics(registry, GUARD);
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new ScriptedModel(20))
                .eventListener(metrics)
                .build()) {
            metrics.monitorCache(guard);
            guard.assess(image(RED, "red"));
            guard.assess(image(0x00FF00, "green"));
            guard.assess(image(RED, "red again")); // a hit
            guard.assessAll(List.of(image(RED, "r"), image(0x00FF00, "g"), image(0x808080, "grey")));
            Verdict failure = guard.assess(image(BLUE, "blue"));
            assertThat(failure.isFailure()).isTrue();

            assertThat(count(
                            registry,
                            SafetyGuardMetrics.VERDICTS,
                            "rating",
                            "unsafe",
                            "category",
                            "O3",
                            "source",
                            "model"))
                    .isEqualTo(1);
            assertThat(count(
                            registry,
                            SafetyGuardMetrics.VERDICTS,
                            "rating",
                            "unsafe",
                            "category",
                            "O3",
                            "source",
                            "cache"))
                    .isEqualTo(2);
            assertThat(count(
                            registry,
                            SafetyGuardMetrics.VERDICTS,
                            "rating",
                            "safe",
                            "category",
                            "none",
                            "source",
                            "model"))
                    .isEqualTo(2);
            assertThat(count(
                            registry,
                            SafetyGuardMetrics.VERDICTS,
                            "rating",
                            "safe",
                            "category",
                            "none",
                            "source",
                            "cache"))
                    .isEqualTo(1);
            assertThat(registry.get(SafetyGuardMetrics.VERDICTS).counters()).hasSize(4);

            assertThat(count(registry, SafetyGuardMetrics.CACHE_GETS, "result", "hit"))
                    .isEqualTo(3);
            assertThat(count(registry, SafetyGuardMetrics.CACHE_GETS, "result", "miss"))
                    .isEqualTo(4); // red, green, grey, blue
            assertThat(count(registry, SafetyGuardMetrics.FAILURES, "kind", "model_error"))
                    .isEqualTo(1);
            assertThat(count(registry, SafetyGuardMetrics.FAILURES, "kind", "timeout"))
                    .isZero();

            var fromModel = registry.get(SafetyGuardMetrics.ASSESSMENTS)
                    .tags(GUARD)
                    .tag("source", "model")
                    .timer();
            var fromCache = registry.get(SafetyGuardMetrics.ASSESSMENTS)
                    .tags(GUARD)
                    .tag("source", "cache")
                    .timer();
            var failed = registry.get(SafetyGuardMetrics.ASSESSMENTS)
                    .tags(GUARD)
                    .tag("source", "failure")
                    .timer();
            assertThat(fromModel.count()).isEqualTo(3);
            assertThat(fromCache.count()).isEqualTo(3);
            assertThat(failed.count()).isEqualTo(1);
            // every model run sleeps 20 ms; a hit does not run the model
            assertThat(fromModel.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(3 * 20.0);
            assertThat(fromCache.mean(TimeUnit.MILLISECONDS)).isLessThan(fromModel.mean(TimeUnit.MILLISECONDS));

            var model = registry.get(SafetyGuardMetrics.MODEL_CALLS).tags(GUARD).timer();
            assertThat(model.count()).isEqualTo(4); // 3 answers and the failed run
            assertThat(model.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(4 * 20.0);

            assertThat(registry.get(SafetyGuardMetrics.CACHE_SIZE)
                            .tags(GUARD)
                            .gauge()
                            .value())
                    .isEqualTo(3); // failures are not cached
            assertThat(registry.get(SafetyGuardMetrics.ASSESSMENTS_ACTIVE)
                            .tags(GUARD)
                            .gauge()
                            .value())
                    .isZero();
            assertThat(registry.get(SafetyGuardMetrics.MODEL_CALLS_ACTIVE)
                            .tags(GUARD)
                            .gauge()
                            .value())
                    .isZero();
        }
    }

    @Test
    void theGaugesShowWorkInProgress() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SafetyGuardMetrics metrics = new SafetyGuardMetrics(registry, GUARD);
        CountDownLatch gate = new CountDownLatch(1);
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new ScriptedModel(0).blockedBy(gate))
                .parallelism(3)
                .eventListener(metrics)
                .build()) {
            // two images in the model, and a third call waiting for the first one's verdict
            List<CompletableFuture<Verdict>> calls = List.of(
                    guard.assessAsync(image(RED, "a")),
                    guard.assessAsync(image(0x00FF00, "b")),
                    guard.assessAsync(image(RED, "a again")));
            var active = registry.get(SafetyGuardMetrics.ASSESSMENTS_ACTIVE)
                    .tags(GUARD)
                    .gauge();
            var inModel = registry.get(SafetyGuardMetrics.MODEL_CALLS_ACTIVE)
                    .tags(GUARD)
                    .gauge();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((active.value() < 3 || inModel.value() < 2) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(active.value()).isEqualTo(3);
            assertThat(inModel.value()).isEqualTo(2);
            gate.countDown();
            for (var c : calls) {
                c.get(10, TimeUnit.SECONDS);
            }
            assertThat(active.value()).isZero();
            assertThat(inModel.value()).isZero();
        }
    }

    @Test
    void countsThresholdReRatingsOfFreshAndCachedVerdicts() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SafetyGuardMetrics metrics = new SafetyGuardMetrics(registry, GUARD);
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new ScriptedModel(0)) // Safe answers carry P(Unsafe) = 0.2
                .unsafeThreshold(0.1)
                .eventListener(metrics)
                .build()) {
            assertThat(guard.assess(image(0x00FF00, "g")).isUnsafe()).isTrue();
            guard.setUnsafeThreshold(0.5);
            assertThat(guard.assess(image(0x00FF00, "g")).isUnsafe()).isFalse();
        }
        assertThat(count(
                        registry,
                        SafetyGuardMetrics.RERATED,
                        "model_rating",
                        "safe",
                        "rating",
                        "unsafe",
                        "source",
                        "model"))
                .isEqualTo(1);
        assertThat(count(
                        registry,
                        SafetyGuardMetrics.RERATED,
                        "model_rating",
                        "safe",
                        "rating",
                        "safe",
                        "source",
                        "cache"))
                .isEqualTo(1);
        // the verdicts are counted with the rating the caller got
        assertThat(count(
                        registry,
                        SafetyGuardMetrics.VERDICTS,
                        "rating",
                        "unsafe",
                        "category",
                        "none",
                        "source",
                        "model"))
                .isEqualTo(1);
    }

    @Test
    void withoutACacheTheCacheMetersStayEmpty() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SafetyGuardMetrics metrics = new SafetyGuardMetrics(registry);
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new ScriptedModel(0))
                .cache(CacheConfig.disabled())
                .eventListener(metrics)
                .build()) {
            metrics.monitorCache(guard);
            guard.assess(image(RED, "r"));
            guard.assess(image(RED, "r"));
            assertThat(registry.get(SafetyGuardMetrics.CACHE_SIZE).gauge().value())
                    .isZero();
        }
        assertThat(registry.get(SafetyGuardMetrics.CACHE_GETS).counters())
                .allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(registry.get(SafetyGuardMetrics.VERDICTS)
                        .tags("source", "model")
                        .counter()
                        .count())
                .isEqualTo(2);
    }
}
