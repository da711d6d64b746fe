package io.safetyguard.core;

/**
 * Told what a {@link SafetyGuard} does, assessment by assessment: for metrics, dashboards and
 * tracing. Every method does nothing by default; override the ones you need. Register with
 * {@link SafetyGuard.Builder#eventListener(GuardEventListener)} (several may be registered) or, for
 * state per assessment, {@link SafetyGuard.Builder#eventListenerFactory(Factory)}. Without any, the
 * guard allocates nothing for events and calls only the no-op {@link #NONE}.
 *
 * <p><b>Order.</b> For one assessment the events come in this order:
 * <ol>
 *   <li>{@link #assessmentStarted}</li>
 *   <li>with a cache: {@link #cacheHit} (the verdict of an earlier or a concurrent identical call is
 *       used) or {@link #cacheMiss} (this call runs the model); none when the image is rejected before
 *       the lookup, or when caching is disabled</li>
 *   <li>on a miss or without a cache: {@link #modelCallStarted} and {@link #modelCallEnded} (also when
 *       the model throws), unless the image fails to decode first</li>
 *   <li>{@link #verdictRerated} when the unsafe threshold decided the rating (fresh and cached verdicts
 *       alike: a cached verdict is re-rated, not recomputed)</li>
 *   <li>exactly one of {@link #verdict} (a verdict from the model or the cache) and {@link #failed} (no
 *       verdict; the failure mode then decides the rating, or throws)</li>
 * </ol>
 * Two exceptions: a call whose timeout ran out stops waiting for the model, so its
 * {@link #modelCallEnded} can come after its {@link #failed}; and a call that waited for an identical
 * call which its own caller cancelled looks up again, so {@link #cacheHit} can be followed by
 * {@link #cacheMiss}. Items of {@link SafetyGuard#assessAll} that an interrupt kept from starting are
 * reported as started and failed ({@link FailureKind#CANCELLED}). {@link #assessmentStarted} and the
 * final event come in pairs (unless an {@link Error} escapes the guard), so a listener can count
 * assessments in progress.
 *
 * <p><b>Threads.</b> Methods are called on the thread doing the work (the caller's, a worker's, or
 * the guard's model thread when a timeout is set), from many threads at once: implementations must be
 * thread-safe and quick, since they run inside the assessment. An exception thrown by a listener is
 * caught and logged (the first at WARNING, later ones at DEBUG); it never changes a verdict.
 */
public interface GuardEventListener {

    /** Does nothing; what a guard without listeners uses. */
    GuardEventListener NONE = new GuardEventListener() {};

    /** Makes the listener for one assessment (OkHttp style), e.g. to keep per-assessment state. */
    @FunctionalInterface
    interface Factory {
        /** Called once per assessment, before any of its events; must not block. */
        GuardEventListener create(AssessmentCall call);
    }

    /** The guard accepted the image and starts on it. */
    default void assessmentStarted(AssessmentCall call) {}

    /** The verdict comes from the cache (computed earlier, or by a concurrent call for the same key). */
    default void cacheHit(AssessmentCall call) {}

    /** No cached verdict: this call runs the model and caches its verdict. */
    default void cacheMiss(AssessmentCall call) {}

    /** The image is decoded and the model is about to run. */
    default void modelCallStarted(AssessmentCall call) {}

    /**
     * The model call returned or threw.
     *
     * @param modelMillis wall-clock time inside {@link io.safetyguard.core.spi.SafetyModel#evaluate}
     */
    default void modelCallEnded(AssessmentCall call, double modelMillis) {}

    /**
     * The unsafe threshold decided the rating of a verdict that has P(Unsafe): {@code rerated.rating()}
     * is Unsafe iff P(Unsafe) &gt;= {@code rerated.unsafeThreshold()}. It may agree with the model;
     * {@code modelVerdict.rating()} is what the model wrote. {@code rerated.source()} says whether the
     * verdict was fresh ({@link VerdictSource#MODEL}) or cached ({@link VerdictSource#CACHE}).
     */
    default void verdictRerated(AssessmentCall call, Verdict modelVerdict, Verdict rerated) {}

    /**
     * The assessment produced a verdict, from the model or the cache (never a failure verdict), as
     * the caller receives it (threshold applied).
     */
    default void verdict(AssessmentCall call, Verdict verdict) {}

    /**
     * No verdict could be produced. Called before the {@link FailureMode} turns the failure into a
     * verdict or an exception.
     *
     * @param reason what went wrong, naming the image, as in {@link Verdict#failureReason()}
     */
    default void failed(AssessmentCall call, FailureKind kind, String reason) {}
}
