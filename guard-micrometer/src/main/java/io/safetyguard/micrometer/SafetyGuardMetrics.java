package io.safetyguard.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.safetyguard.core.AssessmentCall;
import io.safetyguard.core.FailureKind;
import io.safetyguard.core.GuardEventListener;
import io.safetyguard.core.Rating;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.policy.Category;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records what a {@link SafetyGuard} does in a Micrometer {@link MeterRegistry}. Register it as the
 * guard's listener, then let it watch the built guard's cache:
 *
 * <pre>{@code
 * SafetyGuardMetrics metrics = new SafetyGuardMetrics(registry, Tags.of("guard", "uploads"));
 * try (SafetyGuard guard = SafetyGuard.builder().model(model).eventListener(metrics).build()) {
 *     metrics.monitorCache(guard);
 *     ...
 * }
 * }</pre>
 *
 * <p>Meters (every one also carries the tags given to the constructor):
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #VERDICTS}</td><td>counter</td><td>rating (safe, unsafe), category (the policy's
 *       category id, or none), source (model, cache)</td><td>verdicts delivered, threshold applied</td></tr>
 *   <tr><td>{@value #ASSESSMENTS}</td><td>timer</td><td>source (model, cache, failure)</td><td>time from
 *       the start of an assessment to its verdict or failure</td></tr>
 *   <tr><td>{@value #MODEL_CALLS}</td><td>timer</td><td></td><td>time inside the model (each run, failed
 *       runs included)</td></tr>
 *   <tr><td>{@value #FAILURES}</td><td>counter</td><td>kind (image_rejected, model_error,
 *       unparseable_output, timeout, cancelled)</td><td>assessments without a verdict</td></tr>
 *   <tr><td>{@value #CACHE_GETS}</td><td>counter</td><td>result (hit, miss)</td><td>cache lookups</td></tr>
 *   <tr><td>{@value #RERATED}</td><td>counter</td><td>model_rating, rating, source</td><td>verdicts whose
 *       rating the unsafe threshold decided (it changed the model's rating where the two differ)</td></tr>
 *   <tr><td>{@value #ASSESSMENTS_ACTIVE}</td><td>gauge</td><td></td><td>assessments in progress</td></tr>
 *   <tr><td>{@value #MODEL_CALLS_ACTIVE}</td><td>gauge</td><td></td><td>model runs in progress</td></tr>
 *   <tr><td>{@value #CACHE_SIZE}</td><td>gauge</td><td></td><td>cached verdicts ({@link #monitorCache})</td></tr>
 *   <tr><td>{@value #CACHE_EVICTIONS}</td><td>function counter</td><td></td><td>verdicts evicted from the
 *       cache ({@link #monitorCache})</td></tr>
 * </table>
 * Tag values come from fixed sets, except category, which takes the ids of the policy's categories:
 * the number of series stays bounded. The image's name is never a tag.
 *
 * <p>One instance serves one guard; give each guard its own instance and tags (instances with the
 * same registry and tags share counters and timers, and the first one's gauges win).
 */
public final class SafetyGuardMetrics implements GuardEventListener {

    public static final String VERDICTS = "safetyguard.verdicts";
    public static final String ASSESSMENTS = "safetyguard.assessments";
    public static final String MODEL_CALLS = "safetyguard.model.calls";
    public static final String FAILURES = "safetyguard.failures";
    public static final String CACHE_GETS = "safetyguard.cache.gets";
    public static final String RERATED = "safetyguard.verdicts.rerated";
    public static final String ASSESSMENTS_ACTIVE = "safetyguard.assessments.active";
    public static final String MODEL_CALLS_ACTIVE = "safetyguard.model.calls.active";
    public static final String CACHE_SIZE = "safetyguard.cache.size";
    public static final String CACHE_EVICTIONS = "safetyguard.cache.evictions";

    /** The category tag of a verdict without a policy category ("NA: None applying"). */
    public static final String NO_CATEGORY = "none";

    private final MeterRegistry registry;
    private final Tags tags;
    private final Timer modelTimer;
    private final Timer fromModel;
    private final Timer fromCache;
    private final Timer failed;
    private final Counter hits;
    private final Counter misses;
    private final Map<FailureKind, Counter> failures = new EnumMap<>(FailureKind.class);
    // keyed by (rating, source, category): categories are known only as verdicts arrive
    private final Map<VerdictKey, Counter> verdicts = new ConcurrentHashMap<>();
    private final Map<RerateKey, Counter> rerated = new ConcurrentHashMap<>();
    private final AtomicInteger activeAssessments = new AtomicInteger();
    private final AtomicInteger activeModelCalls = new AtomicInteger();

    private record VerdictKey(Rating rating, VerdictSource source, String category) {}

    private record RerateKey(Rating modelRating, Rating rating, VerdictSource source) {}

    /** Meters without extra tags. */
    public SafetyGuardMetrics(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /**
     * @param tags added to every meter, e.g. {@code Tags.of("guard", "uploads")} to tell guards apart
     */
    public SafetyGuardMetrics(MeterRegistry registry, Iterable<Tag> tags) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
        this.modelTimer = Timer.builder(MODEL_CALLS)
                .description("Time inside the model per run")
                .tags(this.tags)
                .register(registry);
        this.fromModel = assessmentTimer("model");
        this.fromCache = assessmentTimer("cache");
        this.failed = assessmentTimer("failure");
        this.hits = cacheGets("hit");
        this.misses = cacheGets("miss");
        for (FailureKind kind : FailureKind.values()) {
            failures.put(
                    kind,
                    Counter.builder(FAILURES)
                            .description("Assessments that produced no verdict")
                            .tags(this.tags)
                            .tag("kind", lower(kind))
                            .register(registry));
        }
        Gauge.builder(ASSESSMENTS_ACTIVE, activeAssessments, AtomicInteger::get)
                .description("Assessments in progress")
                .tags(this.tags)
                .register(registry);
        Gauge.builder(MODEL_CALLS_ACTIVE, activeModelCalls, AtomicInteger::get)
                .description("Model runs in progress")
                .tags(this.tags)
                .register(registry);
    }

    /**
     * Gauges the verdict cache of {@code guard}: its size and its evictions. Holds the guard weakly,
     * as Micrometer gauges do: a discarded guard is not kept alive by the registry.
     *
     * @return this
     */
    public SafetyGuardMetrics monitorCache(SafetyGuard guard) {
        Objects.requireNonNull(guard, "guard");
        Gauge.builder(CACHE_SIZE, guard, g -> g.cacheStats().size())
                .description("Verdicts in the cache")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder(CACHE_EVICTIONS, guard, g -> g.cacheStats().evictionCount())
                .description("Verdicts evicted from the cache")
                .tags(tags)
                .register(registry);
        return this;
    }

    @Override
    public void assessmentStarted(AssessmentCall call) {
        activeAssessments.incrementAndGet();
    }

    @Override
    public void cacheHit(AssessmentCall call) {
        hits.increment();
    }

    @Override
    public void cacheMiss(AssessmentCall call) {
        misses.increment();
    }

    @Override
    public void modelCallStarted(AssessmentCall call) {
        activeModelCalls.incrementAndGet();
    }

    @Override
    public void modelCallEnded(AssessmentCall call, double modelMillis) {
        activeModelCalls.decrementAndGet();
        modelTimer.record(Math.round(modelMillis * 1e6), TimeUnit.NANOSECONDS);
    }

    @Override
    public void verdictRerated(AssessmentCall call, Verdict modelVerdict, Verdict verdict) {
        RerateKey key = new RerateKey(modelVerdict.rating(), verdict.rating(), verdict.source());
        rerated.computeIfAbsent(
                        key,
                        k -> Counter.builder(RERATED)
                                .description("Verdicts whose rating the unsafe threshold decided")
                                .tags(tags)
                                .tag("model_rating", lower(k.modelRating()))
                                .tag("rating", lower(k.rating()))
                                .tag("source", lower(k.source()))
                                .register(registry))
                .increment();
    }

    @Override
    public void verdict(AssessmentCall call, Verdict verdict) {
        activeAssessments.decrementAndGet();
        (verdict.source() == VerdictSource.CACHE ? fromCache : fromModel)
                .record(call.elapsedNanos(), TimeUnit.NANOSECONDS);
        String category = verdict.category().map(Category::id).orElse(NO_CATEGORY);
        VerdictKey key = new VerdictKey(verdict.rating(), verdict.source(), category);
        verdicts.computeIfAbsent(
                        key,
                        k -> Counter.builder(VERDICTS)
                                .description("Verdicts by rating, policy category and source")
                                .tags(tags)
                                .tag("rating", lower(k.rating()))
                                .tag("category", k.category())
                                .tag("source", lower(k.source()))
                                .register(registry))
                .increment();
    }

    @Override
    public void failed(AssessmentCall call, FailureKind kind, String reason) {
        activeAssessments.decrementAndGet();
        failed.record(call.elapsedNanos(), TimeUnit.NANOSECONDS);
        failures.get(kind).increment();
    }

    private Timer assessmentTimer(String source) {
        return Timer.builder(ASSESSMENTS)
                .description("Time from the start of an assessment to its verdict or failure")
                .tags(tags)
                .tag("source", source)
                .register(registry);
    }

    private Counter cacheGets(String result) {
        return Counter.builder(CACHE_GETS)
                .description("Verdict cache lookups")
                .tags(tags)
                .tag("result", result)
                .register(registry);
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
