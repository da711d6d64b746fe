package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.safetyguard.core.AssessmentCall;
import io.safetyguard.core.GuardEventListener;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.micrometer.SafetyGuardMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener and the Micrometer meters see real llama.cpp runs on the tiny model. */
class GuardMetricsIT {

    @TempDir
    Path dir;

    @Test
    void theListenerAndTheMetersSeeModelTimeAndTheRightCounts() throws Exception {
        List<Double> modelMillis = new CopyOnWriteArrayList<>();
        List<Verdict> verdicts = new CopyOnWriteArrayList<>();
        GuardEventListener listener = new GuardEventListener() {
            @Override
            public void modelCallEnded(AssessmentCall call, double millis) {
                modelMillis.add(millis);
            }

            @Override
            public void verdict(AssessmentCall call, Verdict verdict) {
                verdicts.add(verdict);
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SafetyGuardMetrics metrics = new SafetyGuardMetrics(registry);
        List<ImageInput> images = List.of(
                ImageInput.ofBytes(encode(pattern(40, 32, 41), "png"), "a.png"),
                ImageInput.ofBytes(encode(pattern(32, 40, 42), "png"), "b.png"),
                ImageInput.ofBytes(encode(pattern(36, 36, 43), "jpeg"), "c.jpg"));
        try (LlamaCppModel model = LlamaCppModel.open(config(TestSupport.generate(TinyModelFlavor.LLAMA_CLIP, dir))
                        .parallelContexts(2)
                        .build());
                SafetyGuard guard = SafetyGuard.builder()
                        .model(model)
                        .generationOptions(
                                GenerationOptions.DEFAULT.withGreedy(true).withVerdictOnly(true))
                        .parallelism(2)
                        .eventListener(listener)
                        .eventListener(metrics)
                        .build()) {
            metrics.monitorCache(guard);
            guard.assessAll(images);
            Verdict again = guard.assess(images.get(0));
            assertThat(again.source()).isEqualTo(VerdictSource.CACHE);
            guard.setUnsafeThreshold(0.5);
            guard.assess(images.get(1)); // a cached verdict, re-rated by the threshold

            assertThat(modelMillis).hasSize(3).allSatisfy(ms -> assertThat(ms).isPositive());
            assertThat(verdicts).hasSize(5).noneMatch(Verdict::isFailure);

            var modelTimer = registry.get(SafetyGuardMetrics.MODEL_CALLS).timer();
            assertThat(modelTimer.count()).isEqualTo(3);
            assertThat(modelTimer.totalTime(TimeUnit.MILLISECONDS))
                    .isCloseTo(
                            modelMillis.stream()
                                    .mapToDouble(Double::doubleValue)
                                    .sum(),
                            org.assertj.core.data.Offset.offset(0.01));
            assertThat(registry.get(SafetyGuardMetrics.ASSESSMENTS)
                            .tag("source", "model")
                            .timer()
                            .count())
                    .isEqualTo(3);
            assertThat(registry.get(SafetyGuardMetrics.ASSESSMENTS)
                            .tag("source", "cache")
                            .timer()
                            .count())
                    .isEqualTo(2);
            assertThat(registry.get(SafetyGuardMetrics.CACHE_GETS)
                            .tag("result", "miss")
                            .counter()
                            .count())
                    .isEqualTo(3);
            assertThat(registry.get(SafetyGuardMetrics.CACHE_GETS)
                            .tag("result", "hit")
                            .counter()
                            .count())
                    .isEqualTo(2);
            assertThat(registry.get(SafetyGuardMetrics.CACHE_SIZE).gauge().value())
                    .isEqualTo(3);
            // the tiny model's verdicts carry P(Unsafe), so the threshold decided the last one
            assertThat(registry.get(SafetyGuardMetrics.RERATED).tag("source", "cache").counters().stream()
                            .mapToDouble(Counter::count)
                            .sum())
                    .isEqualTo(1);
            // every verdict is counted once, under the policy's category ids (or none)
            var byCategory = registry.get(SafetyGuardMetrics.VERDICTS).counters();
            assertThat(byCategory.stream().mapToDouble(Counter::count).sum()).isEqualTo(5);
            assertThat(byCategory)
                    .allSatisfy(c -> assertThat(c.getId().getTag("category")).matches("O[1-9]|none"));
            assertThat(registry.get(SafetyGuardMetrics.ASSESSMENTS_ACTIVE)
                            .gauge()
                            .value())
                    .isZero();
        }
    }
}
