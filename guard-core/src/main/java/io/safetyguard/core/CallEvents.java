package io.safetyguard.core;

/**
 * The events of one assessment: passes each to every listener with the {@link AssessmentCall}, and
 * keeps a listener's exception from reaching the assessment.
 */
final class CallEvents {

    /** Nobody listens: every method returns at once. */
    static final CallEvents NONE = new CallEvents(null, new GuardEventListener[0], null);

    private final AssessmentCall call;
    private final GuardEventListener[] listeners;
    private final GuardEvents owner;

    CallEvents(AssessmentCall call, GuardEventListener[] listeners, GuardEvents owner) {
        this.call = call;
        this.listeners = listeners;
        this.owner = owner;
    }

    void started() {
        for (GuardEventListener l : listeners) {
            try {
                l.assessmentStarted(call);
            } catch (RuntimeException e) {
                owner.listenerFailed("assessmentStarted", e);
            }
        }
    }

    void cacheHit() {
        for (GuardEventListener l : listeners) {
            try {
                l.cacheHit(call);
            } catch (RuntimeException e) {
                owner.listenerFailed("cacheHit", e);
            }
        }
    }

    void cacheMiss() {
        for (GuardEventListener l : listeners) {
            try {
                l.cacheMiss(call);
            } catch (RuntimeException e) {
                owner.listenerFailed("cacheMiss", e);
            }
        }
    }

    void modelCallStarted() {
        for (GuardEventListener l : listeners) {
            try {
                l.modelCallStarted(call);
            } catch (RuntimeException e) {
                owner.listenerFailed("modelCallStarted", e);
            }
        }
    }

    void modelCallEnded(double modelMillis) {
        for (GuardEventListener l : listeners) {
            try {
                l.modelCallEnded(call, modelMillis);
            } catch (RuntimeException e) {
                owner.listenerFailed("modelCallEnded", e);
            }
        }
    }

    void rerated(Verdict modelVerdict, Verdict rerated) {
        for (GuardEventListener l : listeners) {
            try {
                l.verdictRerated(call, modelVerdict, rerated);
            } catch (RuntimeException e) {
                owner.listenerFailed("verdictRerated", e);
            }
        }
    }

    void verdict(Verdict verdict) {
        for (GuardEventListener l : listeners) {
            try {
                l.verdict(call, verdict);
            } catch (RuntimeException e) {
                owner.listenerFailed("verdict", e);
            }
        }
    }

    void failed(FailureKind kind, String reason) {
        for (GuardEventListener l : listeners) {
            try {
                l.failed(call, kind, reason);
            } catch (RuntimeException e) {
                owner.listenerFailed("failed", e);
            }
        }
    }
}
