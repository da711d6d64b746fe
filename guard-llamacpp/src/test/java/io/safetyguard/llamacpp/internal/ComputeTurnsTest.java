package io.safetyguard.llamacpp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.spi.ModelException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ComputeTurnsTest {

    @Test
    void oversubscribedWhenBothGroupsNeedMoreThreadsThanCores() {
        assertThat(ComputeTurns.oversubscribed(2, 2, 2)).isTrue();
        assertThat(ComputeTurns.oversubscribed(2, 2, 3)).isTrue();
        assertThat(ComputeTurns.oversubscribed(2, 2, 4)).isFalse();
        assertThat(ComputeTurns.oversubscribed(1, 1, 16)).isFalse();
    }

    @Test
    void noneNeverWaitsAndCountsNothing() throws ModelException {
        ComputeTurns none = ComputeTurns.NONE;
        assertThat(none.active()).isFalse();
        none.take();
        none.take(() -> {});
        none.release();
        none.release();
        assertThat(none.waitMillis()).isZero();
    }

    @Test
    void twoThreadsNeverRunTheirTurnsAtTheSameTime() throws Exception {
        ComputeTurns turns = ComputeTurns.shared();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Runnable work = () -> {
                for (int i = 0; i < 200; i++) {
                    turns.take();
                    try {
                        if (inside.incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        Thread.onSpinWait();
                        inside.decrementAndGet();
                    } finally {
                        turns.release();
                    }
                }
            };
            Future<?> a = pool.submit(work);
            Future<?> b = pool.submit(work);
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(overlaps).hasValue(0);
    }

    @Test
    void aWaitingEncoderGivesUpWhenItsStopCheckSaysSo() throws Exception {
        ComputeTurns turns = ComputeTurns.shared();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            turns.take();
            held.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                turns.release();
            }
        });
        holder.start();
        held.await();
        try {
            AtomicInteger checks = new AtomicInteger();
            assertThatThrownBy(() -> turns.take(() -> {
                        if (checks.incrementAndGet() == 3) {
                            throw new ModelException("timed out");
                        }
                    }))
                    .isInstanceOf(ModelException.class)
                    .hasMessage("timed out");
            assertThat(turns.waitMillis()).isGreaterThan(0);
        } finally {
            done.countDown();
            holder.join();
        }
        turns.take(); // the turn is free again
        turns.release();
    }
}
