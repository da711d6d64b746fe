package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What a {@link GuardEventListener} is told, in which order, on every path through the guard. */
class GuardEventListenerTest {

    /** Records "event[detail]" per assessment id, in the order they came. */
    static final class Recorder implements GuardEventListener {
        final Map<Long, List<String>> byCall = new ConcurrentHashMap<>();
        final List<AssessmentCall> calls = new CopyOnWriteArrayList<>();
        final List<Double> modelMillis = new CopyOnWriteArrayList<>();

        private void add(AssessmentCall call, String event) {
            byCall.computeIfAbsent(call.id(), id -> new CopyOnWriteArrayList<>())
                    .add(event);
        }

        @Override
        public void assessmentStarted(AssessmentCall call) {
            calls.add(call);
            add(call, "started");
        }

        @Override
        public void cacheHit(AssessmentCall call) {
            add(call, "hit");
        }

        @Override
        public void cacheMiss(AssessmentCall call) {
            add(call, "miss");
        }

        @Override
        public void modelCallStarted(AssessmentCall call) {
            add(call, "model");
        }

        @Override
        public void modelCallEnded(AssessmentCall call, double millis) {
            modelMillis.add(millis);
            add(call, "modelEnd");
        }

        @Override
        public void verdictRerated(AssessmentCall call, Verdict modelVerdict, Verdict rerated) {
            add(call, "rerated[" + modelVerdict.rating() + "->" + rerated.rating() + " " + rerated.source() + "]");
        }

        @Override
        public void verdict(AssessmentCall call, Verdict verdict) {
            add(call, "verdict[" + verdict.rating() + " " + verdict.source() + "]");
        }

        @Override
        public void failed(AssessmentCall call, FailureKind kind, String reason) {
            assertThat(reason).isNotBlank();
            add(call, "failed[" + kind + "]");
        }

        List<String> only() {
            assertThat(byCall).hasSize(1);
            return byCall.values().iterator().next();
        }

        List<String> of(int nth) {
            return byCall.get(calls.get(nth).id());
        }

        List<String> all() {
            return byCall.values().stream().flatMap(List::stream).toList();
        }

        long count(String prefix) {
            return all().stream().filter(e -> e.startsWith(prefix)).count();
        }
    }

    private static ImageInput image(int colour) {
        return ImageInput.ofBytes(TestImages.pngOfColour(colour), "img-" + colour + ".png");
    }

    private static FakeSafetyModel withP(String text, double pUnsafe) {
        return new FakeSafetyModel()
                .behaving((r, i) -> new ModelOutput(text, OptionalDouble.of(pUnsafe), 1234, 56, 1, 2, 3));
    }

    @Test
    void aMissRunsTheModelAndTheSameImageAgainIsAHit() {
        Recorder events = new Recorder();
        FakeSafetyModel model = new FakeSafetyModel().withLatency(Duration.ofMillis(5));
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).eventListener(events).build()) {
            guard.assess(image(1));
            guard.assess(image(1));
        }
        assertThat(events.of(0)).containsExactly("started", "miss", "model", "modelEnd", "verdict[SAFE MODEL]");
        assertThat(events.of(1)).containsExactly("started", "hit", "verdict[SAFE CACHE]");
        assertThat(events.modelMillis)
                .singleElement()
                .satisfies(ms -> assertThat(ms).isGreaterThanOrEqualTo(5.0));
        assertThat(events.calls)
                .extracting(AssessmentCall::id, AssessmentCall::imageName, AssessmentCall::inBatch)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, "img-1.png", false),
                        org.assertj.core.groups.Tuple.tuple(2L, "img-1.png", false));
    }

    @Test
    void withoutACacheThereAreNoCacheEvents() {
        Recorder events = new Recorder();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new FakeSafetyModel().answering(FakeSafetyModel.UNSAFE_O3))
                .cache(CacheConfig.disabled())
                .eventListener(events)
                .build()) {
            guard.assess(image(1));
        }
        assertThat(events.only()).containsExactly("started", "model", "modelEnd", "verdict[UNSAFE MODEL]");
    }

    @Test
    void asyncAssessmentsReportTheSameSequence() throws Exception {
        Recorder events = new Recorder();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new FakeSafetyModel())
                .eventListener(events)
                .build()) {
            guard.assessAsync(image(1)).get(10, TimeUnit.SECONDS);
        }
        assertThat(events.only()).containsExactly("started", "miss", "model", "modelEnd", "verdict[SAFE MODEL]");
    }

    @Test
    void aBatchReportsEveryItemAndEachRunOfTheModel() {
        Recorder events = new Recorder();
        FakeSafetyModel model = new FakeSafetyModel();
        List<ImageInput> images = List.of(image(1), image(2), image(3), image(1), image(2));
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .parallelism(1) // in order, so the repeats are hits
                .eventListener(events)
                .build()) {
            guard.assessAll(images);
        }
        assertThat(events.calls)
                .hasSize(5)
                .allSatisfy(c -> assertThat(c.inBatch()).isTrue());
        assertThat(events.count("started")).isEqualTo(5);
        assertThat(events.count("miss")).isEqualTo(3);
        assertThat(events.count("hit")).isEqualTo(2);
        assertThat(events.count("model")).isEqualTo(6); // "model" and "modelEnd", 3 runs
        assertThat(model.calls()).isEqualTo(3);
        assertThat(events.count("verdict[SAFE MODEL]")).isEqualTo(3);
        assertThat(events.count("verdict[SAFE CACHE]")).isEqualTo(2);
    }

    @Test
    void concurrentCallsForOneImageRunTheModelOnceAndTheOthersHit() throws Exception {
        Recorder events = new Recorder();
        CountDownLatch gate = new CountDownLatch(1);
        FakeSafetyModel model = new FakeSafetyModel().blockedBy(gate);
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .parallelism(3)
                .eventListener(events)
                .build()) {
            var futures =
                    List.of(guard.assessAsync(image(7)), guard.assessAsync(image(7)), guard.assessAsync(image(7)));
            assertThat(model.awaitCalls(1, Duration.ofSeconds(10))).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (events.count("hit") < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            gate.countDown();
            for (var f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
        assertThat(model.calls()).isEqualTo(1);
        assertThat(events.count("miss")).isEqualTo(1);
        assertThat(events.count("hit")).isEqualTo(2);
        assertThat(events.count("verdict[SAFE CACHE]")).isEqualTo(2);
    }

    @Test
    void failuresAreReportedWithTheirKindBeforeTheFailureModeActs() {
        Recorder events = new Recorder();
        FakeSafetyModel model = new FakeSafetyModel().failingWith(new ModelException("out of memory"));
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).eventListener(events).build()) {
            Verdict v = guard.assess(image(1));
            assertThat(v.isFailure()).isTrue();
            guard.assess(ImageInput.ofPath(Path.of("no-such-image.png")));
            guard.assess(ImageInput.ofBytes(new byte[] {1, 2, 3}, "junk.png"));
        }
        assertThat(events.of(0)).containsExactly("started", "miss", "model", "modelEnd", "failed[MODEL_ERROR]");
        // a file that cannot be read fails before the cache lookup (no digest to look up)
        assertThat(events.of(1)).containsExactly("started", "failed[IMAGE_REJECTED]");
        // bytes that do not decode fail after the miss, before the model
        assertThat(events.of(2)).containsExactly("started", "miss", "failed[IMAGE_REJECTED]");
    }

    @Test
    void anUnparseableAnswerAndATimeoutAreFailuresToo() {
        Recorder events = new Recorder();
        FakeSafetyModel model = new FakeSafetyModel().answeringInOrder("no json here", FakeSafetyModel.SAFE);
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).eventListener(events).build()) {
            guard.assess(image(1));
        }
        assertThat(events.only()).containsExactly("started", "miss", "model", "modelEnd", "failed[UNPARSEABLE_OUTPUT]");

        Recorder slow = new Recorder();
        FakeSafetyModel stuck = new FakeSafetyModel().blockedBy(new CountDownLatch(1));
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(stuck)
                .generationOptions(GenerationOptions.DEFAULT.withTimeout(Duration.ofMillis(100)))
                .eventListener(slow)
                .build()) {
            guard.assess(image(2));
        }
        // the model's end may come after the failure (the call stops waiting), even after close() returned,
        // from the model runner's thread; it does come
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!slow.only().contains("modelEnd") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
        assertThat(slow.only()).startsWith("started", "miss", "model").contains("failed[TIMEOUT]", "modelEnd");
    }

    @Test
    void inThrowModeTheListenerHearsOfTheFailureBeforeTheException() {
        Recorder events = new Recorder();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new FakeSafetyModel().failingWith(new ModelException("boom")))
                .failureMode(FailureMode.THROW)
                .eventListener(events)
                .build()) {
            assertThatThrownBy(() -> guard.assess(image(1))).isInstanceOf(SafetyGuardException.class);
        }
        assertThat(events.only()).endsWith("failed[MODEL_ERROR]");
    }

    @Test
    void theThresholdReRatesFreshAndCachedVerdictsAndSaysSo() {
        Recorder events = new Recorder();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(withP(FakeSafetyModel.SAFE, 0.7))
                .unsafeThreshold(0.6)
                .eventListener(events)
                .build()) {
            guard.assess(image(1));
            guard.setUnsafeThreshold(0.8);
            guard.assess(image(1));
            guard.clearUnsafeThreshold();
            guard.assess(image(1));
        }
        assertThat(events.of(0))
                .containsExactly(
                        "started", "miss", "model", "modelEnd", "rerated[SAFE->UNSAFE MODEL]", "verdict[UNSAFE MODEL]");
        assertThat(events.of(1)).containsExactly("started", "hit", "rerated[SAFE->SAFE CACHE]", "verdict[SAFE CACHE]");
        assertThat(events.of(2)).containsExactly("started", "hit", "verdict[SAFE CACHE]");
    }

    @Test
    void aVerdictWithoutPUnsafeIsNotReRated() {
        Recorder events = new Recorder();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new FakeSafetyModel())
                .unsafeThreshold(0.1)
                .eventListener(events)
                .build()) {
            guard.assess(image(1));
        }
        assertThat(events.only()).noneMatch(e -> e.startsWith("rerated"));
    }

    @Test
    void aThrowingListenerChangesNothingAndTheOthersStillHearEverything() {
        GuardEventListener broken = new GuardEventListener() {
            @Override
            public void assessmentStarted(AssessmentCall call) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void verdict(AssessmentCall call, Verdict verdict) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void failed(AssessmentCall call, FailureKind kind, String reason) {
                throw new IllegalStateException("listener bug");
            }
        };
        Recorder after = new Recorder();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new FakeSafetyModel().answering(FakeSafetyModel.UNSAFE_O3))
                .eventListener(broken)
                .eventListener(after)
                .eventListenerFactory(call -> {
                    throw new IllegalStateException("factory bug");
                })
                .build()) {
            Verdict v = guard.assess(image(1));
            assertThat(v.isFailure()).isFalse();
            assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
            assertThat(guard.assess(ImageInput.ofBytes(new byte[] {1}, "junk")).failureKind())
                    .contains(FailureKind.IMAGE_REJECTED);
        }
        assertThat(after.of(0)).containsExactly("started", "miss", "model", "modelEnd", "verdict[UNSAFE MODEL]");
        assertThat(after.of(1)).containsExactly("started", "miss", "failed[IMAGE_REJECTED]");
    }

    @Test
    void aFactoryMakesOneListenerPerAssessment() {
        AtomicInteger made = new AtomicInteger();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new FakeSafetyModel())
                .eventListenerFactory(call -> {
                    made.incrementAndGet();
                    List<String> mine = new ArrayList<>(); // per-assessment state
                    return new GuardEventListener() {
                        @Override
                        public void cacheMiss(AssessmentCall c) {
                            mine.add("miss");
                        }

                        @Override
                        public void verdict(AssessmentCall c, Verdict v) {
                            assertThat(c).isSameAs(call);
                            seen.add(c.id() + ":" + String.join(",", mine));
                        }
                    };
                })
                .build()) {
            guard.assessAll(List.of(image(1), image(2)));
        }
        assertThat(made).hasValue(2);
        assertThat(seen.stream().sorted().collect(Collectors.toList())).containsExactly("1:miss", "2:miss");
    }

    @Test
    void withoutListenersTheEventPathAllocatesNothing() {
        GuardEvents none = GuardEvents.of(List.of());
        assertThat(none).isSameAs(GuardEvents.NONE);
        assertThat(none.start("a.png", "fp", false, 0)).isSameAs(CallEvents.NONE);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Verdict v = Verdict.builder()
                .rating(Rating.SAFE)
                .source(VerdictSource.MODEL)
                .policyFingerprint("fp")
                .modelId("m")
                .build();
        String name = "a.png";
        Runnable events = () -> {
            CallEvents call = none.start(name, "fp", false, 1L);
            call.started();
            call.cacheMiss();
            call.cacheHit();
            call.modelCallStarted();
            call.modelCallEnded(1.5);
            call.rerated(v, v);
            call.verdict(v);
            call.failed(FailureKind.TIMEOUT, "late");
        };
        for (int i = 0; i < 20_000; i++) {
            events.run(); // warm up: the JIT, not the events, allocates at first
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            events.run();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // a single 24-byte AssessmentCall per run would be 2.4 MB; allow the measurement's own noise
        assertThat(allocated).isLessThan(10_000);
    }
}
