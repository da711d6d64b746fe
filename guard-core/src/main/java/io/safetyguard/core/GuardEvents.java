package io.safetyguard.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The listeners of one guard: makes each assessment's {@link CallEvents}. Without listeners it hands
 * out {@link CallEvents#NONE} and allocates nothing.
 */
final class GuardEvents {
    private static final System.Logger LOG = System.getLogger(SafetyGuard.class.getName());

    static final GuardEvents NONE = new GuardEvents(List.of());

    private final GuardEventListener.Factory[] factories;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean warned = new AtomicBoolean();

    private GuardEvents(List<GuardEventListener.Factory> factories) {
        this.factories = factories.toArray(new GuardEventListener.Factory[0]);
    }

    static GuardEvents of(List<GuardEventListener.Factory> factories) {
        return factories.isEmpty() ? NONE : new GuardEvents(factories);
    }

    boolean isEmpty() {
        return factories.length == 0;
    }

    /** The events of a new assessment; {@link CallEvents#NONE} (no allocation) when nobody listens. */
    CallEvents start(String imageName, String policyFingerprint, boolean inBatch, long startNanos) {
        if (factories.length == 0) {
            return CallEvents.NONE;
        }
        AssessmentCall call =
                new AssessmentCall(ids.incrementAndGet(), imageName, policyFingerprint, inBatch, startNanos);
        GuardEventListener[] listeners = new GuardEventListener[factories.length];
        for (int i = 0; i < factories.length; i++) {
            GuardEventListener l = null;
            try {
                l = factories[i].create(call);
            } catch (RuntimeException e) {
                listenerFailed("Factory.create", e);
            }
            listeners[i] = l != null ? l : GuardEventListener.NONE;
        }
        return new CallEvents(call, listeners, this);
    }

    /** A listener threw: logged, never passed on. The first one loudly, the rest quietly. */
    void listenerFailed(String method, RuntimeException e) {
        if (warned.compareAndSet(false, true)) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "a GuardEventListener threw in " + method + "; ignored (further listener errors are logged"
                            + " at DEBUG)",
                    e);
        } else {
            LOG.log(System.Logger.Level.DEBUG, "a GuardEventListener threw in " + method + "; ignored", e);
        }
    }
}
