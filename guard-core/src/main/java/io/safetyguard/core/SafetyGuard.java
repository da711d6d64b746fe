package io.safetyguard.core;

import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.policy.Policy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Checks images against a safety policy with a {@link SafetyModel}. Thread-safe: one guard serves
 * any number of threads, synchronously ({@link #assess}), asynchronously ({@link #assessAsync}) or
 * in batches ({@link #assessAll}).
 *
 * <pre>{@code
 * try (SafetyGuard guard = SafetyGuard.builder().model(model).ownsModel(true).build()) {
 *     Verdict v = guard.assess(ImageInput.ofPath(Path.of("photo.png")));
 *     if (v.isUnsafe()) { ... v.categoryLabel(), v.rationale(), v.failureReason() ... }
 * }
 * }</pre>
 *
 * <p><b>Failures.</b> When no verdict can be produced (the image is rejected, the model throws or
 * times out, or its answer does not parse) the {@link FailureMode} decides: by default the image is
 * rated Unsafe with {@link VerdictSource#FAILURE} and the reason. Configuration errors (a null
 * argument, a policy that cannot be compiled into a grammar) always throw.
 *
 * <p><b>Caching.</b> Verdicts are cached by image digest, policy fingerprint, model id and
 * generation settings; concurrent calls for the same key run the model once. Failures are not
 * cached.
 *
 * <p><b>P(Unsafe) and the threshold.</b> When the backend reports P(Unsafe)
 * ({@link Verdict#probabilityUnsafe()}), an unsafe threshold ({@link Builder#unsafeThreshold(double)},
 * {@link #setUnsafeThreshold(double)}) replaces the model's choice by {@code P(Unsafe) >= threshold},
 * to trade precision for recall. Without one, the rating is the model's own. The threshold is applied
 * after the cache: cached verdicts are the model's, and a changed threshold re-rates them without
 * running the model again.
 *
 * <p><b>Ownership and closing.</b> The guard closes the model only when built with
 * {@link Builder#ownsModel(boolean) ownsModel(true)}; otherwise whoever created the model closes it
 * (after the guard). An executor passed to {@link Builder#executor(Executor)} is never shut down by
 * the guard; the one it creates itself is. {@link #close()} stops new calls at once
 * ({@link IllegalStateException}), lets calls in progress finish for up to
 * {@link Builder#closeTimeout(Duration)}, then asks those still running to stop (they end as
 * {@link FailureKind#CANCELLED} failures) before freeing resources. It is idempotent.
 */
public final class SafetyGuard implements AutoCloseable {

    /** After the grace period and the stop request, how long close() still waits for stragglers. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final SafetyModel model;
    private final ModelInfo modelInfo;
    private final boolean ownsModel;
    private final Policy defaultPolicy;
    private final GenerationOptions options;
    private final ImageLimits limits;
    private final FailureMode failureMode;
    private final int parallelism;
    private final Duration closeTimeout;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final ExecutorService modelRunner;
    private final VerdictCache cache;
    private final PolicyContexts policies;
    private final FailureHandler failures;
    private final Assessor assessor;
    private final InFlight inFlight = new InFlight();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean stopping;

    private SafetyGuard(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model: call Builder.model(SafetyModel)");
        this.modelInfo = Objects.requireNonNull(model.info(), "SafetyModel.info() returned null");
        this.ownsModel = b.ownsModel;
        this.defaultPolicy = b.policy != null ? b.policy : Policy.llavaGuardDefault();
        this.options = b.options;
        this.limits = b.limits;
        this.failureMode = b.failureMode;
        this.parallelism = b.parallelism;
        this.closeTimeout = b.closeTimeout;
        this.policies = new PolicyContexts();
        policies.get(defaultPolicy); // fail at build time, not at the first image, if the policy is unusable
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newFixedThreadPool(parallelism, new GuardThreads("worker"));
            this.executor = ownedExecutor;
        }
        // Runs model calls that have a timeout, so the caller can stop waiting. Unbounded, because
        // the callers bound the concurrency; idle threads expire.
        this.modelRunner = Executors.newCachedThreadPool(new GuardThreads("model"));
        this.cache = b.cache.enabled() ? new VerdictCache(b.cache) : null;
        this.failures = new FailureHandler(failureMode, modelInfo.id());
        this.assessor = new Assessor(
                model,
                modelInfo.id(),
                new ImageDecoder(limits),
                options,
                cache,
                failures,
                modelRunner,
                () -> stopping,
                b.unsafeThreshold,
                GuardEvents.of(b.listenerFactories));
        if (b.trustEmbeddedVerdicts) {
            assessor.trustEmbedded(new EmbeddedVerdicts(modelInfo.id()));
        }
        assessor.categoryThresholds(b.categoryThresholds);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Assesses one image under the default policy. */
    public Verdict assess(ImageInput image) {
        return assess(image, defaultPolicy);
    }

    /**
     * Assesses one image under {@code policy}, on the calling thread (the model call itself runs
     * on a guard thread when a timeout is set, so the wait can end on time).
     *
     * @throws SafetyGuardException  when no verdict could be produced and the mode is {@link FailureMode#THROW}
     * @throws IllegalStateException when the guard is closed
     */
    public Verdict assess(ImageInput image, Policy policy) {
        Objects.requireNonNull(image, "image");
        PolicyContext context = policies.get(policy);
        enter();
        try {
            return assessor.assess(image, context, new Cancellation(), false);
        } finally {
            inFlight.exit();
        }
    }

    /** {@link #assessAsync(ImageInput, Policy)} under the default policy. */
    public CompletableFuture<Verdict> assessAsync(ImageInput image) {
        return assessAsync(image, defaultPolicy);
    }

    /**
     * Assesses one image on the guard's executor. Cancelling the returned future asks the model to
     * stop. In {@link FailureMode#THROW} a failure completes the future exceptionally with
     * {@link SafetyGuardException}.
     *
     * @throws IllegalStateException when the guard is closed
     */
    public CompletableFuture<Verdict> assessAsync(ImageInput image, Policy policy) {
        Objects.requireNonNull(image, "image");
        PolicyContext context = policies.get(policy);
        enter();
        Cancellation cancel = new Cancellation();
        CompletableFuture<Verdict> result = new CompletableFuture<>();
        result.whenComplete((v, t) -> {
            if (result.isCancelled()) {
                cancel.cancel();
            }
        });
        Runnable task = () -> {
            try {
                if (!result.isDone()) {
                    result.complete(assessor.assess(image, context, cancel, false));
                }
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                inFlight.exit();
            }
        };
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            inFlight.exit();
            result.completeExceptionally(e);
        }
        return result;
    }

    /** {@link #assessAll(List, Policy)} under the default policy. */
    public List<Verdict> assessAll(List<ImageInput> images) {
        return assessAll(images, defaultPolicy);
    }

    /**
     * Assesses many images, at most {@link Builder#parallelism(int)} at a time, and returns their
     * verdicts in input order. Never throws for one item: a failed item becomes a failure verdict
     * ({@link FailureMode#FAIL_OPEN} gives Safe, the other modes, THROW included, give Unsafe), so
     * no other item's verdict is lost. If the calling thread is interrupted, items not yet started
     * become {@link FailureKind#CANCELLED} failures and the interrupt flag is kept.
     *
     * @throws IllegalStateException when the guard is closed
     */
    public List<Verdict> assessAll(List<ImageInput> images, Policy policy) {
        List<ImageInput> items = List.copyOf(images);
        PolicyContext context = policies.get(policy);
        enter();
        try {
            return new BatchRun(items, context, assessor, executor, parallelism).run();
        } finally {
            inFlight.exit();
        }
    }

    /** The unsafe threshold in effect; empty when ratings are the model's own. */
    public OptionalDouble unsafeThreshold() {
        return assessor.unsafeThreshold();
    }

    /**
     * Sets the unsafe threshold for calls that start from now on (cached verdicts included).
     *
     * @param threshold in [0, 1]
     * @throws IllegalArgumentException when it is NaN or outside [0, 1]
     * @see Builder#unsafeThreshold(double)
     */
    public void setUnsafeThreshold(double threshold) {
        assessor.unsafeThreshold(OptionalDouble.of(threshold));
    }

    /**
     * The per-category thresholds set on this guard (they override the policy's {@code thresholds}); empty when
     * none are.
     */
    public Map<String, Double> categoryThresholds() {
        return assessor.categoryThresholds();
    }

    /**
     * Replaces the per-category thresholds for calls that start from now on (cached verdicts are re-rated, not
     * recomputed); an empty map leaves only the policy's.
     *
     * @throws IllegalArgumentException for a value outside [0, 1] or a threshold for {@code NA}
     * @see Builder#categoryThreshold(String, double)
     */
    public void setCategoryThresholds(Map<String, Double> thresholds) {
        assessor.categoryThresholds(thresholds);
    }

    /** Goes back to the model's own ratings for calls that start from now on. */
    public void clearUnsafeThreshold() {
        assessor.unsafeThreshold(OptionalDouble.empty());
    }

    /** Counters of the verdict cache; all zero when caching is disabled. */
    public CacheStats cacheStats() {
        return cache == null ? CacheStats.EMPTY : cache.stats();
    }

    /** Drops every cached verdict (e.g. after the host changed what a verdict means to it). */
    public void invalidateCache() {
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    public Policy defaultPolicy() {
        return defaultPolicy;
    }

    public ModelInfo modelInfo() {
        return modelInfo;
    }

    public ImageLimits imageLimits() {
        return limits;
    }

    public GenerationOptions generationOptions() {
        return options;
    }

    public FailureMode failureMode() {
        return failureMode;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Stops new calls, waits for calls in progress (see the class comment), shuts down the guard's
     * own threads, and closes the model if the guard owns it. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        inFlight.closeAndDrain(closeTimeout, STOP_WAIT, () -> stopping = true);
        stopping = true;
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
        modelRunner.shutdown();
        if (cache != null) {
            cache.invalidateAll();
        }
        if (ownsModel) {
            model.close();
        }
    }

    private void enter() {
        if (!inFlight.enter()) {
            throw new IllegalStateException("this SafetyGuard is closed (model " + modelInfo.displayName()
                    + "); build a new SafetyGuard to assess more images");
        }
    }

    // Nested, as callers know it as SafetyGuard.Builder; its documented options are most of what keeps
    // this file near 400 lines after batch runs and the close sequence moved out.
    /** Configures a {@link SafetyGuard}. Only {@link #model(SafetyModel)} is required. */
    public static final class Builder {
        private SafetyModel model;
        private boolean ownsModel;
        private Policy policy;
        private CacheConfig cache = CacheConfig.defaults();
        private FailureMode failureMode = FailureMode.FAIL_CLOSED;
        private GenerationOptions options = GenerationOptions.DEFAULT;
        private ImageLimits limits = ImageLimits.DEFAULT;
        private int parallelism = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private Executor executor;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private OptionalDouble unsafeThreshold = OptionalDouble.empty();
        private final List<GuardEventListener.Factory> listenerFactories = new ArrayList<>();
        private boolean trustEmbeddedVerdicts;
        private final Map<String, Double> categoryThresholds = new LinkedHashMap<>();

        private Builder() {}

        /** The backend that runs the model. Required. */
        public Builder model(SafetyModel value) {
            this.model = Objects.requireNonNull(value, "model");
            return this;
        }

        /**
         * Whether {@link SafetyGuard#close()} also closes the model. Default false: the model
         * belongs to whoever created it, which allows several guards (policies, settings) over
         * one loaded model. Pass true to hand the model over, so one try-with-resources frees both.
         */
        public Builder ownsModel(boolean value) {
            this.ownsModel = value;
            return this;
        }

        /** The policy for calls that do not name one. Default: {@link Policy#llavaGuardDefault()}. */
        public Builder policy(Policy value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        /** Verdict cache settings. Default: {@link CacheConfig#defaults()}; {@link CacheConfig#disabled()} turns it off. */
        public Builder cache(CacheConfig value) {
            this.cache = Objects.requireNonNull(value, "cache");
            return this;
        }

        /** What a failure turns into. Default: {@link FailureMode#FAIL_CLOSED}. */
        public Builder failureMode(FailureMode value) {
            this.failureMode = Objects.requireNonNull(value, "failureMode");
            return this;
        }

        /** Sampling, token limit, verdict-only and timeout. Default: {@link GenerationOptions#DEFAULT}. */
        public Builder generationOptions(GenerationOptions value) {
            this.options = Objects.requireNonNull(value, "generationOptions");
            return this;
        }

        /** Size limits for images. Default: {@link ImageLimits#DEFAULT}. */
        public Builder imageLimits(ImageLimits value) {
            this.limits = Objects.requireNonNull(value, "imageLimits");
            return this;
        }

        /**
         * How many images {@link SafetyGuard#assessAll} assesses at once, and the size of the
         * guard's own thread pool for {@link SafetyGuard#assessAsync}. Default: min(4, CPUs).
         * Each image in flight holds its decoded pixels, so this also bounds memory.
         */
        public Builder parallelism(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("parallelism must be >= 1, got " + value);
            }
            this.parallelism = value;
            return this;
        }

        /**
         * Runs async and batch work on the host's executor instead of a pool the guard creates.
         * The guard never shuts it down; batch concurrency is still capped at the parallelism.
         */
        public Builder executor(Executor value) {
            this.executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /**
         * Rates a verdict Unsafe iff its P(Unsafe) &gt;= {@code threshold}, instead of taking the
         * model's choice; lower it for recall, raise it for precision. Verdicts without P(Unsafe)
         * (a backend that cannot compute it, failures) keep the model's or the failure mode's
         * rating. Default: none, the model's own choice.
         *
         * <p>The model's choice is not the same as threshold 0.5 in general. Under greedy decoding
         * the model writes the value that starts with the single most likely token after the
         * opening quote, while P(Unsafe) sums every token that starts a value ({@code "U"},
         * {@code "Un"}, {@code "Unsafe"}...). The two agree when each value has one acceptable
         * first token, or more generally when the best token belongs to the value with the larger
         * total; they can differ when a value's probability is split over several tokens. Under
         * sampling the model's choice is random and a threshold makes it deterministic.
         *
         * @param threshold in [0, 1]
         * @throws IllegalArgumentException when it is NaN or outside [0, 1]
         */
        public Builder unsafeThreshold(double threshold) {
            Verdict.checkThreshold(threshold);
            this.unsafeThreshold = OptionalDouble.of(threshold);
            return this;
        }

        /**
         * Adds a listener told about every assessment (start, cache hit or miss, model time, verdict,
         * failure, threshold re-rating); for metrics. May be called several times: every listener is
         * told, in the order added. Default: none, which costs nothing.
         *
         * @see GuardEventListener
         */
        public Builder eventListener(GuardEventListener listener) {
            Objects.requireNonNull(listener, "eventListener");
            this.listenerFactories.add(call -> listener);
            return this;
        }

        /**
         * Adds a factory that makes a listener per assessment, for listeners that keep state per
         * assessment. Combines with {@link #eventListener(GuardEventListener)}, in the order added.
         */
        public Builder eventListenerFactory(GuardEventListener.Factory factory) {
            this.listenerFactories.add(Objects.requireNonNull(factory, "eventListenerFactory"));
            return this;
        }

        /**
         * Whether to return a verdict stamped into the image's own metadata (by
         * {@link io.safetyguard.core.metadata.VerdictMetadata#write} or {@code guard check
         * --write-metadata}) instead of running the model. Default false: the model always runs.
         *
         * <p>With true, an encoded PNG, JPEG or WebP input whose stamp was made under the same
         * policy fingerprint and model id, and whose content digest still matches the file, gets
         * that verdict back with {@link VerdictSource#EMBEDDED} (the model's rating as stamped,
         * re-rated by this guard's threshold). Anything else (no stamp, another policy or model,
         * an image changed after stamping, unreadable metadata) runs the model as usual. The
         * generation options are not part of the match.
         *
         * <p>Stamps are not signed: anyone who can write the file can write a stamp. Turn this on
         * only for images that come from a stage you control.
         */
        public Builder trustEmbeddedVerdicts(boolean value) {
            this.trustEmbeddedVerdicts = value;
            return this;
        }

        /**
         * Sets the unsafe threshold of one category. With u = P(Unsafe) and q(c) = P(c | Unsafe) read where the
         * model commits the category ({@link Verdict#categoryProbabilities()}), the verdict is Unsafe iff u * q(c)
         * &gt;= t_c for some category with its own threshold, or u * (1 - the sum of q over those categories) &gt;=
         * the unsafe threshold (0.5 when {@link #unsafeThreshold(double)} is not set). Where q is unknown, or the
         * model wrote Safe, only u &gt;= the unsafe threshold applies. Overrides the policy's {@code thresholds} for
         * this id. See {@link Verdict#withThresholds}.
         *
         * @param id a category id of the policy ({@code "O6"}); {@code "NA"} takes no threshold
         * @param threshold in [0, 1]: lower catches more of that category, higher flags it less often
         * @throws IllegalArgumentException when it is outside [0, 1] or the id is {@code "NA"}
         */
        public Builder categoryThreshold(String id, double threshold) {
            Objects.requireNonNull(id, "id");
            Verdict.checkCategoryThresholds(Map.of(id, threshold));
            categoryThresholds.put(id, threshold);
            return this;
        }

        /** How long {@link SafetyGuard#close()} lets calls in progress finish before stopping them. Default 30 s. */
        public Builder closeTimeout(Duration value) {
            Objects.requireNonNull(value, "closeTimeout");
            if (value.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must not be negative, got " + value);
            }
            this.closeTimeout = value;
            return this;
        }

        /**
         * @throws NullPointerException when no model was given
         * @throws io.safetyguard.policy.PolicyException when the default policy cannot be compiled into a grammar
         */
        public SafetyGuard build() {
            if (model == null) {
                throw new NullPointerException("no model: call SafetyGuard.builder().model(...) before build()");
            }
            return new SafetyGuard(this);
        }
    }
}
