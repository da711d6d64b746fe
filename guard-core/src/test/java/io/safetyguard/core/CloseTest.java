package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.image.TestImages;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CloseTest {

    private static ImageInput image() {
        return ImageInput.ofBytes(TestImages.pngOfColour(0x112211), "x.png");
    }

    @Test
    void closeIsIdempotentAndClosesAnOwnedModelOnce() {
        FakeSafetyModel model = new FakeSafetyModel();
        SafetyGuard guard = SafetyGuard.builder().model(model).ownsModel(true).build();
        assertThat(guard.isClosed()).isFalse();
        guard.close();
        guard.close();
        assertThat(guard.isClosed()).isTrue();
        assertThat(model.closeCount()).isEqualTo(1);
    }

    @Test
    void aBorrowedModelIsLeftOpen() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = SafetyGuard.builder().model(model).build()) {
            guard.assess(image());
        }
        assertThat(model.closeCount()).isZero();
        // The host can keep using it, e.g. in a new guard.
        try (SafetyGuard again = SafetyGuard.builder().model(model).build()) {
            assertThat(again.assess(image()).source()).isEqualTo(VerdictSource.MODEL);
        }
    }

    @Test
    void useAfterCloseThrowsIllegalState() {
        SafetyGuard guard =
                SafetyGuard.builder().model(new FakeSafetyModel("m1")).build();
        guard.close();
        String message = "this SafetyGuard is closed (model Fake m1); build a new SafetyGuard to assess more images";
        assertThatThrownBy(() -> guard.assess(image()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> guard.assessAsync(image()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> guard.assessAll(List.of(image())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(message);
    }

    @Test
    void closeLetsACallInProgressFinishBeforeClosingTheModel() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeSafetyModel model = new FakeSafetyModel().blockedBy(gate);
        SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .ownsModel(true)
                .closeTimeout(Duration.ofSeconds(10))
                .build();
        CompletableFuture<Verdict> inFlight = CompletableFuture.supplyAsync(() -> guard.assess(image()));
        assertThat(model.awaitCalls(1, Duration.ofSeconds(5))).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(guard::close);
        FailureModeTest.waitFor(guard::isClosed);
        Thread.sleep(100);
        assertThat(closing).as("close waits for the call in progress").isNotDone();
        assertThat(model.isClosed()).isFalse();
        assertThatThrownBy(() -> guard.assess(image())).isInstanceOf(IllegalStateException.class);
        gate.countDown();
        Verdict v = inFlight.get(5, TimeUnit.SECONDS);
        assertThat(v.source()).isEqualTo(VerdictSource.MODEL);
        closing.get(5, TimeUnit.SECONDS);
        assertThat(model.events()).containsExactly("start 0", "end 0", "close");
        assertThat(model.callsAfterClose()).isZero();
    }

    @Test
    void closeStopsCallsStillRunningAfterTheGracePeriod() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        FakeSafetyModel model = new FakeSafetyModel().blockedBy(never);
        SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .ownsModel(true)
                .closeTimeout(Duration.ofMillis(100))
                .build();
        CompletableFuture<Verdict> inFlight = guard.assessAsync(image());
        assertThat(model.awaitCalls(1, Duration.ofSeconds(5))).isTrue();
        long start = System.nanoTime();
        guard.close();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000L);
        Verdict v = inFlight.get(5, TimeUnit.SECONDS);
        assertThat(v.source()).isEqualTo(VerdictSource.FAILURE);
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(v.failureKind()).contains(FailureKind.CANCELLED);
        assertThat(v.failureReason()).contains("x.png: the assessment was stopped because the SafetyGuard is closing");
        assertThat(model.events()).containsExactly("start 0", "end 0", "close");
    }

    @Test
    void queuedAsyncCallsAreHonouredByClose() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeSafetyModel model = new FakeSafetyModel().blockedBy(gate);
        SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .parallelism(1)
                .cache(CacheConfig.disabled())
                .closeTimeout(Duration.ofSeconds(10))
                .build();
        CompletableFuture<Verdict> first = guard.assessAsync(image());
        CompletableFuture<Verdict> queued = guard.assessAsync(image());
        assertThat(model.awaitCalls(1, Duration.ofSeconds(5))).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(guard::close);
        FailureModeTest.waitFor(guard::isClosed);
        gate.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS).source()).isEqualTo(VerdictSource.MODEL);
        assertThat(queued.get(5, TimeUnit.SECONDS).source()).isEqualTo(VerdictSource.MODEL);
        closing.get(5, TimeUnit.SECONDS);
    }

    @Test
    void builderRequiresAModelAndValidSettings() {
        assertThatThrownBy(() -> SafetyGuard.builder().build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("SafetyGuard.builder().model(...)");
        assertThatThrownBy(() -> SafetyGuard.builder().parallelism(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SafetyGuard.builder().closeTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CacheConfig.maximumSize(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
