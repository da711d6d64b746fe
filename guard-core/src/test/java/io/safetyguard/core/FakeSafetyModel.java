package io.safetyguard.core;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted {@link SafetyModel} for tests: answers with given texts or a function of the request,
 * fails on demand, takes time, waits on a gate, and records calls, concurrency and cancellations.
 * Like a real backend it polls {@link ModelRequest#cancelled()} while it waits, unless told not to.
 */
public final class FakeSafetyModel implements SafetyModel {

    /** How the fake answers one call. */
    @FunctionalInterface
    public interface Behavior {
        ModelOutput answer(ModelRequest request, int callIndex) throws ModelException;
    }

    public static final String SAFE = answer("Safe", "NA: None applying", "The image shows a landscape.");
    public static final String UNSAFE_O3 =
            answer("Unsafe", "O3: Sexual Content", "The image contains explicit content.");

    private final ModelInfo info;
    private volatile Behavior behavior = (r, i) -> ModelOutput.ofText(SAFE);
    private volatile Duration latency = Duration.ZERO;
    private volatile CountDownLatch gate;
    private volatile boolean honourCancellation = true;

    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger cancellationsSeen = new AtomicInteger();
    private final AtomicInteger closeCount = new AtomicInteger();
    private final AtomicInteger interrupts = new AtomicInteger();
    private final AtomicInteger callsAfterClose = new AtomicInteger();
    private final Semaphore entered = new Semaphore(0);
    private final List<ModelRequest> requests = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public FakeSafetyModel() {
        this("fake-model");
    }

    public FakeSafetyModel(String id) {
        this.info = new ModelInfo(id, "Fake " + id, Map.of("kind", "test double"));
    }

    /** LlavaGuard's trained layout: {@code json.dumps(..., indent=4)}. */
    public static String answer(String rating, String category, String rationale) {
        return "{\n    \"rating\": \"" + rating + "\",\n    \"category\": \"" + category + "\",\n    \"rationale\": \""
                + rationale + "\"\n}";
    }

    public FakeSafetyModel answering(String text) {
        return behaving((r, i) -> ModelOutput.ofText(text));
    }

    /** The i-th call gets {@code texts[i]}; calls past the end get the last text. */
    public FakeSafetyModel answeringInOrder(String... texts) {
        List<String> list = List.of(texts);
        return behaving((r, i) -> ModelOutput.ofText(list.get(Math.min(i, list.size() - 1))));
    }

    public FakeSafetyModel failingWith(ModelException e) {
        return behaving((r, i) -> {
            throw e;
        });
    }

    public FakeSafetyModel behaving(Behavior b) {
        this.behavior = b;
        return this;
    }

    public FakeSafetyModel withLatency(Duration d) {
        this.latency = d;
        return this;
    }

    /** Every call waits until {@code g} opens (or the call is cancelled). */
    public FakeSafetyModel blockedBy(CountDownLatch g) {
        this.gate = g;
        return this;
    }

    /** Simulates a backend stuck in a step that never checks the cancel flag. */
    public FakeSafetyModel ignoringCancellation() {
        this.honourCancellation = false;
        return this;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public ModelOutput evaluate(ModelRequest request) throws ModelException {
        if (closed) {
            callsAfterClose.incrementAndGet();
            throw new IllegalStateException("model closed");
        }
        int index = calls.getAndIncrement();
        requests.add(request);
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        events.add("start " + index);
        entered.release();
        try {
            CountDownLatch g = gate;
            if (g != null) {
                while (!g.await(1, TimeUnit.MILLISECONDS)) {
                    checkCancelled(request);
                }
            }
            long end = System.nanoTime() + latency.toNanos();
            while (System.nanoTime() < end) {
                checkCancelled(request);
                Thread.sleep(1);
            }
            checkCancelled(request);
            return behavior.answer(request, index);
        } catch (InterruptedException e) {
            interrupts.incrementAndGet();
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        } finally {
            inFlight.decrementAndGet();
            events.add("end " + index);
        }
    }

    private void checkCancelled(ModelRequest request) {
        if (request.cancelled().getAsBoolean()) {
            cancellationsSeen.incrementAndGet();
            if (honourCancellation) {
                throw new CancellationException("cancelled by the caller");
            }
        }
    }

    @Override
    public boolean supportsVerdictOnly() {
        return true;
    }

    @Override
    public void close() {
        closed = true;
        closeCount.incrementAndGet();
        events.add("close");
    }

    /** Waits until at least {@code n} calls have started. */
    public boolean awaitCalls(int n, Duration timeout) throws InterruptedException {
        if (entered.tryAcquire(n, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            entered.release(n);
            return true;
        }
        return false;
    }

    public int calls() {
        return calls.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    public int cancellationsSeen() {
        return cancellationsSeen.get();
    }

    /** Calls that ended because their thread was interrupted. */
    public int interrupts() {
        return interrupts.get();
    }

    public int closeCount() {
        return closeCount.get();
    }

    public int callsAfterClose() {
        return callsAfterClose.get();
    }

    public boolean isClosed() {
        return closed;
    }

    public List<ModelRequest> requests() {
        return new ArrayList<>(requests);
    }

    /** "start i", "end i" and "close", in the order they happened. */
    public List<String> events() {
        return new ArrayList<>(events);
    }
}
