package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.policy.Policy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class BatchAndAsyncTest {

    /** Image i is a solid PNG whose red channel is i; the fake rates odd i Unsafe (O(i % 9 + 1)). */
    private static ImageInput numbered(int i) {
        return ImageInput.ofBytes(TestImages.pngOfColour(i << 16), "img-" + i + ".png");
    }

    private static ModelOutput answerFor(ModelRequest request) {
        int i = request.image().rgb()[0] & 0xFF;
        String category =
                i % 2 == 1 ? Policy.llavaGuardDefault().categoryLabels().get(i % 9) : "NA: None applying";
        return ModelOutput.ofText(FakeSafetyModel.answer(i % 2 == 1 ? "Unsafe" : "Safe", category, "image " + i));
    }

    private static FakeSafetyModel numberedModel() {
        return new FakeSafetyModel().behaving((r, n) -> {
            // Random latency so completion order differs from input order.
            sleep(ThreadLocalRandom.current().nextInt(1, 15));
            return answerFor(r);
        });
    }

    @Test
    void batchKeepsInputOrderWithBoundedConcurrency() {
        FakeSafetyModel model = numberedModel();
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).parallelism(3).build()) {
            List<ImageInput> images = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                images.add(numbered(i));
            }
            List<Verdict> verdicts = guard.assessAll(images);
            assertThat(verdicts).hasSize(24);
            for (int i = 0; i < 24; i++) {
                Verdict v = verdicts.get(i);
                assertThat(v.rationale()).as("item %d", i).contains("image " + i);
                assertThat(v.rating()).isEqualTo(i % 2 == 1 ? Rating.UNSAFE : Rating.SAFE);
            }
            assertThat(model.maxInFlight()).isLessThanOrEqualTo(3).isGreaterThan(1);
        }
    }

    @Test
    void batchBoundHoldsOnAHostExecutorToo() {
        FakeSafetyModel model = numberedModel().withLatency(Duration.ofMillis(10));
        ExecutorService pool = Executors.newCachedThreadPool();
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).parallelism(2).executor(pool).build()) {
            List<ImageInput> images = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                images.add(numbered(i));
            }
            List<Verdict> verdicts = guard.assessAll(images);
            assertThat(verdicts)
                    .extracting(v -> v.rationale().orElseThrow())
                    .containsExactly(images.stream()
                            .map(im -> "image " + im.name().replaceAll("\\D", ""))
                            .toArray(String[]::new));
            assertThat(model.maxInFlight()).isEqualTo(2);
        } finally {
            assertThat(pool.isShutdown())
                    .as("a host executor is never shut down by the guard")
                    .isFalse();
            pool.shutdownNow();
        }
    }

    @Test
    void batchTurnsPerItemFailuresIntoVerdictsAndKeepsTheRest() {
        FakeSafetyModel model = new FakeSafetyModel().behaving((r, n) -> {
            int i = r.image().rgb()[0] & 0xFF;
            if (i == 2) {
                throw new ModelException("backend crashed on item 2");
            }
            if (i == 3) {
                return ModelOutput.ofText("not json");
            }
            return answerFor(r);
        });
        for (FailureMode mode : FailureMode.values()) {
            try (SafetyGuard guard = SafetyGuard.builder()
                    .model(model)
                    .failureMode(mode)
                    .cache(CacheConfig.disabled())
                    .parallelism(2)
                    .build()) {
                List<Verdict> verdicts = guard.assessAll(List.of(
                        numbered(0),
                        numbered(1),
                        numbered(2),
                        numbered(3),
                        ImageInput.ofBytes(new byte[] {1, 2, 3}, "broken.png"),
                        numbered(5)));
                assertThat(verdicts)
                        .extracting(Verdict::source)
                        .containsExactly(
                                VerdictSource.MODEL,
                                VerdictSource.MODEL,
                                VerdictSource.FAILURE,
                                VerdictSource.FAILURE,
                                VerdictSource.FAILURE,
                                VerdictSource.MODEL);
                assertThat(verdicts.get(2).failureKind()).contains(FailureKind.MODEL_ERROR);
                assertThat(verdicts.get(3).failureKind()).contains(FailureKind.UNPARSEABLE_OUTPUT);
                assertThat(verdicts.get(4).failureKind()).contains(FailureKind.IMAGE_REJECTED);
                assertThat(verdicts.get(4).failureReason())
                        .hasValueSatisfying(r -> assertThat(r).startsWith("broken.png: "));
                Rating failureRating = mode == FailureMode.FAIL_OPEN ? Rating.SAFE : Rating.UNSAFE;
                assertThat(verdicts.subList(2, 5)).extracting(Verdict::rating).containsOnly(failureRating);
                assertThat(verdicts.get(5).rationale()).contains("image 5");
            }
        }
    }

    @Test
    void emptyBatch() {
        try (SafetyGuard guard =
                SafetyGuard.builder().model(new FakeSafetyModel()).build()) {
            assertThat(guard.assessAll(List.of())).isEmpty();
        }
    }

    @Test
    void batchUnderAnotherPolicy() {
        FakeSafetyModel model = new FakeSafetyModel();
        Policy v10 = Policy.preset("llavaguard-v1.0");
        try (SafetyGuard guard = SafetyGuard.builder().model(model).build()) {
            List<Verdict> verdicts = guard.assessAll(List.of(numbered(0), numbered(2)), v10);
            assertThat(verdicts).extracting(Verdict::policyFingerprint).containsOnly(v10.fingerprint());
            assertThat(model.requests()).extracting(ModelRequest::policyPrompt).containsOnly(v10.render());
        }
    }

    @Test
    void interruptedBatchStillReturnsEveryItem() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeSafetyModel model = new FakeSafetyModel().blockedBy(gate);
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).parallelism(1).build()) {
            AtomicReference<List<Verdict>> result = new AtomicReference<>();
            AtomicReference<Boolean> interruptKept = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                result.set(guard.assessAll(List.of(numbered(0), numbered(2), numbered(4))));
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            caller.start();
            assertThat(model.awaitCalls(1, Duration.ofSeconds(5))).isTrue();
            caller.interrupt();
            caller.join(10_000);
            assertThat(caller.isAlive()).isFalse();
            assertThat(result.get()).hasSize(3);
            assertThat(result.get())
                    .extracting(Verdict::failureKind)
                    .containsOnly(java.util.Optional.of(FailureKind.CANCELLED));
            assertThat(interruptKept.get()).isTrue();
            assertThat(model.inFlight()).isZero();
        } finally {
            gate.countDown();
        }
    }

    @Test
    void asyncCompletesWithTheVerdict() throws Exception {
        FakeSafetyModel model = new FakeSafetyModel().answering(FakeSafetyModel.UNSAFE_O3);
        try (SafetyGuard guard = SafetyGuard.builder().model(model).build()) {
            CompletableFuture<Verdict> future = guard.assessAsync(numbered(7));
            Verdict v = future.get(5, TimeUnit.SECONDS);
            assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
            assertThat(v.source()).isEqualTo(VerdictSource.MODEL);
        }
    }

    @Test
    void asyncRunsOnTheGuardsThreads() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        FakeSafetyModel model = new FakeSafetyModel().behaving((r, n) -> {
            thread.set(Thread.currentThread().getName());
            return ModelOutput.ofText(FakeSafetyModel.SAFE);
        });
        try (SafetyGuard guard = SafetyGuard.builder().model(model).build()) {
            guard.assessAsync(numbered(1)).get(5, TimeUnit.SECONDS);
            assertThat(thread.get()).startsWith("safetyguard-").contains("-worker-");
        }
    }

    @Test
    void asyncConcurrencyIsBoundedByParallelism() throws Exception {
        FakeSafetyModel model = numberedModel().withLatency(Duration.ofMillis(20));
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).parallelism(2).build()) {
            List<CompletableFuture<Verdict>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futures.add(guard.assessAsync(numbered(i)));
            }
            for (int i = 0; i < 10; i++) {
                assertThat(futures.get(i).get(10, TimeUnit.SECONDS).rationale()).contains("image " + i);
            }
            assertThat(model.maxInFlight()).isEqualTo(2);
        }
    }

    @Test
    void asyncFailureInThrowModeCompletesExceptionally() {
        FakeSafetyModel model = new FakeSafetyModel().failingWith(new ModelException("no GPU"));
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .failureMode(FailureMode.THROW)
                .build()) {
            CompletableFuture<Verdict> future = guard.assessAsync(numbered(1));
            assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(SafetyGuardException.class)
                    .hasMessageContaining("no GPU");
        }
    }

    @Test
    void cancellingTheFutureStopsTheModel() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeSafetyModel model = new FakeSafetyModel().blockedBy(gate);
        try (SafetyGuard guard = SafetyGuard.builder().model(model).build()) {
            CompletableFuture<Verdict> future = guard.assessAsync(numbered(1));
            assertThat(model.awaitCalls(1, Duration.ofSeconds(5))).isTrue();
            future.cancel(true);
            FailureModeTest.waitFor(() -> model.cancellationsSeen() > 0 && model.inFlight() == 0);
            assertThat(future).isCancelled();
        } finally {
            gate.countDown();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
