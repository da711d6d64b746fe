package io.safetyguard.llamacpp.internal.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallGateTest {

    @Test
    void aCallAfterCloseIsRefusedWithTheGivenMessage() {
        CallGate gate = new CallGate("the thing has been closed; open a new one");
        assertThat(gate.closeAndDrain(Duration.ZERO, () -> {})).isTrue();
        assertThatThrownBy(gate::enter)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the thing has been closed; open a new one");
        assertThat(gate.tryEnter()).isFalse();
        assertThat(gate.isClosed()).isTrue();
    }

    @Test
    void closingTwiceTellsTheSecondCallerNotToFreeAgain() {
        CallGate gate = new CallGate("closed");
        assertThat(gate.closeAndDrain(Duration.ZERO, () -> {})).isTrue();
        assertThat(gate.closeAndDrain(Duration.ZERO, () -> {})).isFalse();
    }

    @Test
    void closeWaitsForARunningCallWithinTheGraceWithoutAborting() throws Exception {
        CallGate gate = new CallGate("closed");
        gate.enter();
        AtomicInteger aborts = new AtomicInteger();
        Thread caller = new Thread(() -> {
            sleep(100);
            gate.exit();
        });
        caller.start();
        long t0 = System.nanoTime();
        assertThat(gate.closeAndDrain(Duration.ofSeconds(10), aborts::incrementAndGet))
                .isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(90);
        caller.join();
        // abortRunning runs once after the grace wait; no call was left to abort
        assertThat(aborts.get()).isEqualTo(1);
    }

    @Test
    void afterTheGraceCloseAbortsUntilTheLastCallHasLeft() throws Exception {
        CallGate gate = new CallGate("closed");
        gate.enter();
        AtomicBoolean abortRequested = new AtomicBoolean();
        AtomicBoolean leaving = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            while (!abortRequested.get()) {
                Thread.onSpinWait();
            }
            sleep(100); // a close that did not wait for the call would return during this
            leaving.set(true); // set before exit(), so it is visible once close has seen the exit
            gate.exit();
        });
        caller.start();
        assertThat(gate.closeAndDrain(Duration.ofMillis(20), () -> abortRequested.set(true)))
                .isTrue();
        assertThat(leaving.get())
                .as("closeAndDrain returned only after the call left")
                .isTrue();
        caller.join();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
