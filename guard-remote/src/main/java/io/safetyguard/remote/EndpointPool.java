package io.safetyguard.remote;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Client-side load balancing over several endpoints with a circuit breaker per endpoint.
 *
 * <ul>
 *   <li><b>Choice:</b> the endpoint in rotation with the fewest requests in flight and a free slot (at most
 *       {@link Endpoint#maxInFlight()} each); ties go round-robin. A retry waits for another endpoint
 *       rather than going back to the one that just failed, unless that one is the only one in rotation.</li>
 *   <li><b>Breaker:</b> {@code failureThreshold} consecutive endpoint faults (connection refused or reset,
 *       timeouts, 502/503/504) take an endpoint out of rotation; a failed health probe does too.</li>
 *   <li><b>Probing back:</b> an endpoint out of rotation is probed after a backoff that doubles from
 *       {@code probeInitial} up to {@code probeMax}; one good probe puts it back. Endpoints in rotation
 *       are probed every {@code healthInterval}. The probes themselves run in {@link HealthChecker}.</li>
 * </ul>
 */
final class EndpointPool {

    /** How long a waiting caller sleeps between checks of its cancellation flag. */
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final List<Endpoint> endpoints;
    private final int failureThreshold;
    private final Duration probeInitial;
    private final Duration probeMax;
    private final Duration healthInterval;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int rotation;

    EndpointPool(
            List<Endpoint> endpoints,
            int failureThreshold,
            Duration probeInitial,
            Duration probeMax,
            Duration healthInterval) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint is needed");
        }
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failure threshold must be at least 1, got " + failureThreshold);
        }
        this.endpoints = List.copyOf(endpoints);
        this.failureThreshold = failureThreshold;
        this.probeInitial = probeInitial;
        this.probeMax = probeMax;
        this.healthInterval = healthInterval;
    }

    /** A slot on one endpoint, held for one HTTP attempt; give it back through exactly one of the report methods. */
    record Lease(Endpoint endpoint, ServerDialect dialect) {}

    /** No endpoint is in rotation at all (as opposed to all being busy). */
    static final class NoEndpointInRotation extends Exception {
        private static final long serialVersionUID = 1L;

        NoEndpointInRotation(String message) {
            super(message, null, false, false);
        }
    }

    List<Endpoint> endpoints() {
        return endpoints;
    }

    /**
     * Takes a slot on the best endpoint, waiting while all endpoints in rotation are busy.
     *
     * @param avoid         the endpoint that just failed, or null
     * @param cancelled     polled while waiting
     * @param deadlineNanos {@link System#nanoTime()} after which to give up waiting
     * @return the lease, or null when the deadline passed while all were busy
     * @throws NoEndpointInRotation when no endpoint is in rotation
     * @throws CancellationException when {@code cancelled} turned true
     */
    Lease acquire(Endpoint avoid, BooleanSupplier cancelled, long deadlineNanos) throws NoEndpointInRotation {
        lock.lock();
        try {
            while (true) {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("cancelled while waiting for a free endpoint");
                }
                Endpoint best = choose(avoid);
                if (best != null) {
                    best.inFlight++;
                    return new Lease(best, best.dialect);
                }
                if (endpoints.stream().noneMatch(e -> e.inRotation)) {
                    throw new NoEndpointInRotation("no endpoint is in rotation: " + describeLocked());
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                try {
                    changed.awaitNanos(Math.min(left, WAIT_SLICE_NANOS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for a free endpoint");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private Endpoint choose(Endpoint avoid) {
        Endpoint best = null;
        boolean otherInRotation = false;
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get((rotation + i) % n);
            if (e.inRotation && e != avoid) {
                otherInRotation = true;
                if (e.inFlight < e.maxInFlight() && (best == null || e.inFlight < best.inFlight)) {
                    best = e;
                }
            }
        }
        // Back to the endpoint that just failed only when it is the only one left; otherwise wait for another.
        if (best == null
                && !otherInRotation
                && avoid != null
                && avoid.inRotation
                && avoid.inFlight < avoid.maxInFlight()) {
            best = avoid;
        }
        if (best != null) {
            rotation = (endpoints.indexOf(best) + 1) % n;
        }
        return best;
    }

    /** The attempt got an answer (any HTTP answer that is not an endpoint fault). */
    void succeeded(Lease lease) {
        lock.lock();
        try {
            Endpoint e = lease.endpoint();
            e.inFlight--;
            e.consecutiveFailures = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The attempt ended without a verdict for a reason that says nothing about the endpoint (throttling, cancellation). */
    void released(Lease lease) {
        lock.lock();
        try {
            lease.endpoint().inFlight--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The endpoint failed the attempt (unreachable, reset, timed out, 502/503/504). */
    void failed(Lease lease, String problem) {
        lock.lock();
        try {
            Endpoint e = lease.endpoint();
            e.inFlight--;
            e.consecutiveFailures++;
            e.lastProblem = problem;
            if (e.inRotation && e.consecutiveFailures >= failureThreshold) {
                takeOut(e, problem);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void takeOut(Endpoint e, String problem) {
        e.inRotation = false;
        e.lastProblem = problem;
        e.probeBackoff = probeInitial;
        e.nextProbeNanos = System.nanoTime() + probeInitial.toNanos();
        System.getLogger(EndpointPool.class.getName())
                .log(
                        System.Logger.Level.WARNING,
                        "endpoint {0} taken out of rotation: {1}; probing it again in {2} ms",
                        e,
                        problem,
                        probeInitial.toMillis());
    }

    /** The endpoints whose probe is due now; they are marked as being probed until {@link #probed} is called. */
    List<Endpoint> dueForProbe() {
        long now = System.nanoTime();
        List<Endpoint> due = new ArrayList<>();
        lock.lock();
        try {
            for (Endpoint e : endpoints) {
                if (!e.probing && now - e.nextProbeNanos >= 0) {
                    e.probing = true;
                    due.add(e);
                }
            }
        } finally {
            lock.unlock();
        }
        return due;
    }

    /** Records a probe's result: a good probe puts the endpoint (back) in rotation, a bad one takes it out. */
    void probed(Endpoint e, ProbeResult result) {
        lock.lock();
        try {
            e.probing = false;
            long now = System.nanoTime();
            if (result.ok()) {
                boolean cameBack = !e.inRotation && e.everInRotation;
                e.inRotation = true;
                e.everInRotation = true;
                e.consecutiveFailures = 0;
                e.probeBackoff = Duration.ZERO;
                e.lastProblem = null;
                if (e.dialect == null) {
                    e.dialect = result.dialect();
                }
                if (result.servedModel() != null) {
                    e.servedModel = result.servedModel();
                }
                e.nextProbeNanos = now + healthInterval.toNanos();
                if (cameBack) {
                    System.getLogger(EndpointPool.class.getName())
                            .log(System.Logger.Level.INFO, "endpoint {0} is back in rotation ({1})", e, e.dialect);
                }
            } else if (e.inRotation) {
                takeOut(e, result.problem());
            } else {
                e.lastProblem = result.problem();
                Duration next = e.probeBackoff.isZero() ? probeInitial : e.probeBackoff.multipliedBy(2);
                e.probeBackoff = next.compareTo(probeMax) > 0 ? probeMax : next;
                e.nextProbeNanos = now + e.probeBackoff.toNanos();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Every endpoint with its state, for error messages: {@code http://a (in rotation), http://b (out: connection refused)}. */
    String describe() {
        lock.lock();
        try {
            return describeLocked();
        } finally {
            lock.unlock();
        }
    }

    private String describeLocked() {
        StringBuilder sb = new StringBuilder();
        for (Endpoint e : endpoints) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(e).append(e.inRotation ? " (in rotation" : " (out of rotation");
            if (e.lastProblem != null) {
                sb.append(": ").append(e.lastProblem);
            }
            sb.append(')');
        }
        return sb.toString();
    }

    /** Whether an endpoint is in rotation now (tests, reports). */
    boolean inRotation(Endpoint e) {
        lock.lock();
        try {
            return e.inRotation;
        } finally {
            lock.unlock();
        }
    }
}
