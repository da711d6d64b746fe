package io.safetyguard.remote;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the pool's health probes in the background: one daemon thread wakes every {@code tick}, asks the
 * pool which endpoints are due and probes them asynchronously (at most one probe per endpoint at a time).
 */
final class HealthChecker implements AutoCloseable {

    private final EndpointPool pool;
    private final ServerProbe probe;
    private final ScheduledExecutorService timer;

    HealthChecker(EndpointPool pool, ServerProbe probe, Duration tick) {
        this.pool = pool;
        this.probe = probe;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "safetyguard-remote-health");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(10, tick.toMillis());
        timer.scheduleWithFixedDelay(this::probeDue, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Probes every endpoint that is due and waits for the answers (used once at start-up). */
    static void probeNow(EndpointPool pool, ServerProbe probe) {
        List<Endpoint> due = pool.dueForProbe();
        CompletableFuture<?>[] all = due.stream()
                .map(e -> probe.probe(e).thenAccept(r -> pool.probed(e, r)))
                .toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(all).join();
    }

    private void probeDue() {
        try {
            for (Endpoint e : pool.dueForProbe()) {
                probe.probe(e).thenAccept(r -> pool.probed(e, r));
            }
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again; log and keep probing
            System.getLogger(HealthChecker.class.getName()).log(System.Logger.Level.WARNING, "health check failed", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
