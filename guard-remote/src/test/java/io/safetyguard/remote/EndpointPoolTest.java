package io.safetyguard.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** Load balancing and circuit breaking without any network. */
class EndpointPoolTest {

    private static Endpoint endpoint(String host, int slots) {
        return new Endpoint(URI.create("http://" + host + ":1"), slots, ServerDialect.LLAMA_SERVER);
    }

    private static EndpointPool pool(Endpoint... e) {
        EndpointPool p =
                new EndpointPool(List.of(e), 2, Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(10));
        for (Endpoint x : p.dueForProbe()) {
            p.probed(x, ProbeResult.up(ServerDialect.LLAMA_SERVER, "m"));
        }
        return p;
    }

    private static long soon() {
        return System.nanoTime() + Duration.ofMillis(200).toNanos();
    }

    @Test
    void leastInFlightWinsAndSlotsAreBounded() throws Exception {
        Endpoint a = endpoint("a", 2);
        Endpoint b = endpoint("b", 1);
        EndpointPool p = pool(a, b);

        EndpointPool.Lease first = p.acquire(null, () -> false, soon());
        EndpointPool.Lease second = p.acquire(null, () -> false, soon());
        assertThat(List.of(first.endpoint(), second.endpoint())).containsExactlyInAnyOrder(a, b);
        EndpointPool.Lease third = p.acquire(null, () -> false, soon());
        assertThat(third.endpoint()).isEqualTo(a); // b's only slot is taken
        assertThat(p.acquire(null, () -> false, soon())).isNull(); // all three slots busy: waits, then gives up

        p.succeeded(second);
        assertThat(p.acquire(null, () -> false, soon())).isNotNull();
    }

    @Test
    void aRetryWaitsForAnotherEndpointInsteadOfGoingBackToTheFailedOne() throws Exception {
        Endpoint a = endpoint("a", 1);
        Endpoint b = endpoint("b", 1);
        EndpointPool p = pool(a, b);
        EndpointPool.Lease onA = p.acquire(b, () -> false, soon());
        assertThat(onA.endpoint()).isEqualTo(a);
        // b just failed and a is busy: no lease until a is free, although b has a free slot
        assertThat(p.acquire(b, () -> false, soon())).isNull();
        p.succeeded(onA);
        assertThat(p.acquire(b, () -> false, soon()).endpoint()).isEqualTo(a);
    }

    @Test
    void consecutiveFaultsTakeAnEndpointOutAndAGoodProbeBringsItBack() throws Exception {
        Endpoint a = endpoint("a", 4);
        EndpointPool p = pool(a);

        p.failed(p.acquire(null, () -> false, soon()), "connection refused");
        assertThat(p.inRotation(a)).isTrue();
        p.succeeded(p.acquire(null, () -> false, soon())); // a success resets the count
        p.failed(p.acquire(null, () -> false, soon()), "connection refused");
        assertThat(p.inRotation(a)).isTrue();
        EndpointPool.Lease last = p.acquire(null, () -> false, soon());
        long out = System.nanoTime();
        p.failed(last, "connection refused");
        assertThat(p.inRotation(a)).isFalse();
        assertThatThrownBy(() -> p.acquire(null, () -> false, soon()))
                .isInstanceOf(EndpointPool.NoEndpointInRotation.class)
                .hasMessageContaining("http://a:1 (out of rotation: connection refused)");

        List<Endpoint> dueAtOnce = p.dueForProbe();
        // not before the first backoff (200 ms); a loaded machine may already be past it, then nothing is shown
        if (System.nanoTime() - out < Duration.ofMillis(200).toNanos()) {
            assertThat(dueAtOnce).isEmpty();
        }
        assertThat(awaitDue(p)).containsExactly(a);
        assertThat(System.nanoTime() - out)
                .isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
        long probedAt = System.nanoTime();
        p.probed(a, ProbeResult.down("connection refused")); // the backoff doubles to 400 ms
        assertThat(awaitDue(p)).containsExactly(a);
        assertThat(System.nanoTime() - probedAt)
                .isGreaterThanOrEqualTo(Duration.ofMillis(400).toNanos());
        p.probed(a, ProbeResult.up(ServerDialect.LLAMA_SERVER, "m"));
        assertThat(p.inRotation(a)).isTrue();
    }

    private static List<Endpoint> awaitDue(EndpointPool p) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            List<Endpoint> due = p.dueForProbe();
            if (!due.isEmpty()) {
                return due;
            }
            Thread.sleep(10);
        }
        return List.of();
    }

    @Test
    void waitingStopsWhenCancelled() throws Exception {
        Endpoint a = endpoint("a", 1);
        EndpointPool p = pool(a);
        p.acquire(null, () -> false, soon());
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> p.acquire(
                        null, () -> System.nanoTime() - t0 > 50_000_000L, System.nanoTime() + 10_000_000_000L))
                .isInstanceOf(CancellationException.class);
    }
}
