package io.safetyguard.core;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageDecodingException;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.policy.Policy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * One assessment, start to end: read the image and hash it, look up the cache, and on a miss
 * decode, run the model under the timeout, and parse. Every way this can fail ends as an
 * {@link AssessmentFailure} handed to the {@link FailureHandler}; nothing else escapes except
 * {@link SafetyGuardException} (THROW mode) and {@link Error}s.
 */
final class Assessor {

    /** Raw answers kept in verdicts (and so in the cache) are cut to this many characters. */
    static final int MAX_RAW_TEXT_CHARS = 16 * 1024;
    /** How often a call waiting on another call's cache computation re-checks its own deadline. */
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Bounds the re-lookups of a call whose loaders keep being cancelled by their own callers. */
    private static final int MAX_LOADS_PER_CALL = 8;

    private final SafetyModel model;
    private final String modelId;
    private final ImageDecoder decoder;
    private final GenerationOptions options;
    private final VerdictCache cache;
    private final FailureHandler failures;
    private final ExecutorService modelRunner;
    private final BooleanSupplier closing;
    private final GuardEvents events;
    /** Consulted before the cache and the model when the host trusts stamped images; null otherwise. */
    private volatile EmbeddedVerdicts embedded;
    /** Applied to every model verdict on its way out, after the cache, so it can change freely. */
    private volatile OptionalDouble unsafeThreshold;
    /** The host's per-category thresholds; they override the policy's own ({@code Policy.thresholds()}). */
    private volatile Map<String, Double> categoryThresholds = Map.of();

    Assessor(
            SafetyModel model,
            String modelId,
            ImageDecoder decoder,
            GenerationOptions options,
            VerdictCache cache,
            FailureHandler failures,
            ExecutorService modelRunner,
            BooleanSupplier closing,
            OptionalDouble unsafeThreshold,
            GuardEvents events) {
        this.unsafeThreshold = unsafeThreshold;
        this.events = events;
        this.model = model;
        this.modelId = modelId;
        this.decoder = decoder;
        this.options = options;
        this.cache = cache;
        this.failures = failures;
        this.modelRunner = modelRunner;
        this.closing = closing;
    }

    Verdict assess(ImageInput input, PolicyContext policy, Cancellation cancel, boolean inBatch) {
        long start = System.nanoTime();
        Deadline deadline = Deadline.after(start, options.timeout());
        CallEvents call = events.start(input.name(), policy.fingerprint(), inBatch, start);
        call.started();
        try {
            ImageInput.Prepared image;
            try {
                image = input.prepare(decoder);
            } catch (ImageDecodingException e) {
                throw new AssessmentFailure(FailureKind.IMAGE_REJECTED, e.getMessage(), e, null);
            }
            EmbeddedVerdicts trusted = embedded;
            if (trusted != null) {
                Verdict stamped = trusted.lookup(image, policy, start);
                if (stamped != null) {
                    return delivered(thresholded(stamped, policy, call), call);
                }
            }
            if (cache == null) {
                return delivered(
                        thresholded(evaluate(image, policy, cancel, start, deadline, call), policy, call), call);
            }
            // The cache holds the model's own verdicts; the threshold is not part of the key.
            CacheKey key = CacheKey.of(image.sha256(), policy, modelId, options);
            for (int attempt = 1; ; attempt++) {
                VerdictCache.Lookup lookup = cache.lookup(key, () -> {
                    call.cacheMiss(); // the loader runs only on a miss, before the model
                    return evaluate(image, policy, cancel, start, deadline, call);
                });
                if (!lookup.loadedHere()) {
                    call.cacheHit();
                }
                try {
                    Verdict verdict = await(lookup.future(), image, cancel, deadline);
                    return delivered(
                            thresholded(
                                    lookup.loadedHere() ? verdict : verdict.fromCache(Timing.millisSince(start)),
                                    policy,
                                    call),
                            call);
                } catch (AssessmentFailure failure) {
                    if (!cancelledForSomeoneElse(lookup, failure, cancel) || attempt >= MAX_LOADS_PER_CALL) {
                        throw failure;
                    }
                    // The call this one waited for was cancelled by its own caller: that is not
                    // this caller's outcome. Drop the entry and look up again (and run the model).
                    cache.forget(key, lookup.future());
                }
            }
        } catch (AssessmentFailure failure) {
            call.failed(failure.kind(), failure.getMessage());
            return failures.handle(failure, policy.fingerprint(), start, inBatch);
        }
    }

    /**
     * A failure verdict for an item of a batch that never ran (or ran without leaving a verdict),
     * reported to the listeners as an assessment that started and failed.
     */
    Verdict notAssessed(String imageName, AssessmentFailure failure, PolicyContext policy, long start) {
        CallEvents call = events.start(imageName, policy.fingerprint(), true, start);
        call.started();
        call.failed(failure.kind(), failure.getMessage());
        return failures.handle(failure, policy.fingerprint(), start, true);
    }

    private Verdict thresholded(Verdict modelVerdict, PolicyContext policy, CallEvents call) {
        Verdict rated = thresholded(modelVerdict, policy);
        if (rated != modelVerdict) { // the same object when there is nothing to threshold
            call.rerated(modelVerdict, rated);
        }
        return rated;
    }

    private static Verdict delivered(Verdict verdict, CallEvents call) {
        call.verdict(verdict);
        return verdict;
    }

    private Verdict thresholded(Verdict modelVerdict, PolicyContext policy) {
        OptionalDouble t = unsafeThreshold;
        Map<String, Double> own = categoryThresholds;
        Map<String, Double> fromPolicy = policy.policy().thresholds();
        if (own.isEmpty() && fromPolicy.isEmpty()) {
            return t.isPresent() ? modelVerdict.withUnsafeThreshold(t.getAsDouble()) : modelVerdict;
        }
        Map<String, Double> merged = new LinkedHashMap<>(fromPolicy);
        merged.putAll(own);
        return modelVerdict.withThresholds(t, merged);
    }

    Map<String, Double> categoryThresholds() {
        return categoryThresholds;
    }

    void categoryThresholds(Map<String, Double> value) {
        Verdict.checkCategoryThresholds(value);
        categoryThresholds = Collections.unmodifiableMap(new LinkedHashMap<>(value));
    }

    OptionalDouble unsafeThreshold() {
        return unsafeThreshold;
    }

    void trustEmbedded(EmbeddedVerdicts value) {
        embedded = value;
    }

    void unsafeThreshold(OptionalDouble value) {
        value.ifPresent(Verdict::checkThreshold);
        unsafeThreshold = value;
    }

    /** A waiter whose loader was cancelled, while this call was not: it should try again itself. */
    private boolean cancelledForSomeoneElse(
            VerdictCache.Lookup lookup, AssessmentFailure failure, Cancellation cancel) {
        return !lookup.loadedHere()
                && failure.kind() == FailureKind.CANCELLED
                && !cancel.isCancelled()
                && !closing.getAsBoolean()
                && !Thread.currentThread().isInterrupted();
    }

    /** Waits for a cache future, under this call's own deadline and cancellation. */
    private Verdict await(
            CompletableFuture<Verdict> future, ImageInput.Prepared image, Cancellation cancel, Deadline deadline) {
        while (true) {
            try {
                return future.get(Math.min(WAIT_SLICE_NANOS, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (cancel.isCancelled() || closing.getAsBoolean()) {
                    throw cancelled(image);
                }
                if (deadline.expired()) {
                    throw timedOut(image, null);
                }
            } catch (VerdictCache.FailedLoad e) {
                throw e.failure();
            } catch (ExecutionException e) {
                throw unwrap(e.getCause(), image);
            } catch (CancellationException e) {
                throw cancelled(image);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel.cancel();
                throw new AssessmentFailure(
                        FailureKind.CANCELLED,
                        image.name() + ": interrupted while waiting for the verdict",
                        e,
                        image.sha256());
            }
        }
    }

    /** Decodes, runs the model and parses; on another thread when there is a timeout to enforce. */
    private Verdict evaluate(
            ImageInput.Prepared image,
            PolicyContext policy,
            Cancellation cancel,
            long start,
            Deadline deadline,
            CallEvents call) {
        BooleanSupplier stop = () -> cancel.isCancelled() || closing.getAsBoolean() || deadline.expired();
        if (!deadline.bounded()) {
            return run(image, policy, stop, cancel, start, deadline, call);
        }
        Future<Verdict> task;
        try {
            task = modelRunner.submit(() -> run(image, policy, stop, cancel, start, deadline, call));
        } catch (RejectedExecutionException e) {
            // Only after close() gave up waiting for this call and shut the runner down.
            throw new AssessmentFailure(
                    FailureKind.CANCELLED,
                    image.name() + ": the assessment was stopped because the SafetyGuard is closing",
                    e,
                    image.sha256());
        }
        try {
            return task.get(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // The backend sees the deadline through ModelRequest.cancelled and should stop soon;
            // this call does not wait for it.
            cancel.cancel();
            task.cancel(true);
            throw timedOut(image, null);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause(), image);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel.cancel();
            task.cancel(true);
            throw new AssessmentFailure(
                    FailureKind.CANCELLED, image.name() + ": interrupted during the assessment", e, image.sha256());
        }
    }

    private Verdict run(
            ImageInput.Prepared image,
            PolicyContext policy,
            BooleanSupplier stop,
            Cancellation cancel,
            long start,
            Deadline deadline,
            CallEvents call) {
        DecodedImage pixels;
        try {
            pixels = image.decode(decoder);
        } catch (ImageDecodingException e) {
            throw new AssessmentFailure(FailureKind.IMAGE_REJECTED, e.getMessage(), e, image.sha256());
        }
        if (stop.getAsBoolean()) {
            throw stopReason(image, cancel, deadline, null);
        }
        ModelRequest request = new ModelRequest(pixels, policy.prompt(), options, stop, policy.policy());
        call.modelCallStarted();
        long modelStart = System.nanoTime();
        ModelOutput output;
        try {
            output = model.evaluate(request);
        } catch (ModelException e) {
            throw new AssessmentFailure(
                    FailureKind.MODEL_ERROR,
                    image.name() + ": the model failed: " + e.getMessage(),
                    e,
                    image.sha256(),
                    null,
                    Timing.millisSince(modelStart));
        } catch (CancellationException e) {
            throw stopReason(image, cancel, deadline, e);
        } catch (RuntimeException e) {
            throw new AssessmentFailure(
                    FailureKind.MODEL_ERROR,
                    image.name() + ": the model threw " + e,
                    e,
                    image.sha256(),
                    null,
                    Timing.millisSince(modelStart));
        } finally {
            call.modelCallEnded(Timing.millisSince(modelStart));
        }
        double modelMillis = Timing.millisSince(modelStart);
        if (output == null) {
            throw new AssessmentFailure(
                    FailureKind.MODEL_ERROR,
                    image.name() + ": the model returned no output",
                    null,
                    image.sha256(),
                    null,
                    modelMillis);
        }
        String raw = cap(output.text());
        ParsedVerdict parsed;
        try {
            parsed = policy.parser().parse(output.text());
        } catch (VerdictParseException e) {
            throw new AssessmentFailure(
                    FailureKind.UNPARSEABLE_OUTPUT,
                    image.name() + ": the model's answer is not a verdict: " + e.getMessage(),
                    null,
                    image.sha256(),
                    raw,
                    modelMillis); // the message says it all; the type is internal
        }
        return Verdict.builder()
                .modelRating(parsed.rating())
                .tokens(output.promptTokens(), output.generatedTokens())
                .category(
                        parsed.category(),
                        policy.policy().categoryForLabel(parsed.category()).orElse(null))
                .rationale(parsed.rationale().orElse(null))
                .truncated(parsed.truncated())
                .probabilityUnsafe(validProbability(output.probabilityUnsafe()))
                .categoryProbabilities(validDistribution(output.categoryProbabilities(), policy.policy()))
                .policyFingerprint(policy.fingerprint())
                .modelId(modelId)
                .imageDigest(image.sha256())
                .source(VerdictSource.MODEL)
                .totalMillis(Timing.millisSince(start))
                .modelMillis(modelMillis)
                .rawText(raw)
                .build();
    }

    private AssessmentFailure stopReason(
            ImageInput.Prepared image, Cancellation cancel, Deadline deadline, Throwable cause) {
        if (deadline.expired() && !cancel.isCancelled()) {
            return timedOut(image, cause);
        }
        if (closing.getAsBoolean() && !cancel.isCancelled()) {
            return new AssessmentFailure(
                    FailureKind.CANCELLED,
                    image.name() + ": the assessment was stopped because the SafetyGuard is closing",
                    cause,
                    image.sha256());
        }
        return cancelled(image);
    }

    private AssessmentFailure timedOut(ImageInput.Prepared image, Throwable cause) {
        return new AssessmentFailure(
                FailureKind.TIMEOUT,
                image.name() + ": no verdict within " + options.timeout().toMillis()
                        + " ms (GenerationOptions.timeout); the model was asked to stop",
                cause,
                image.sha256());
    }

    private AssessmentFailure cancelled(ImageInput.Prepared image) {
        return new AssessmentFailure(
                FailureKind.CANCELLED, image.name() + ": the assessment was cancelled", null, image.sha256());
    }

    private static AssessmentFailure unwrap(Throwable cause, ImageInput.Prepared image) {
        if (cause instanceof AssessmentFailure failure) {
            return failure;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new AssessmentFailure(
                FailureKind.MODEL_ERROR, image.name() + ": unexpected error: " + cause, cause, image.sha256());
    }

    private static OptionalDouble validProbability(OptionalDouble p) {
        // Backend output is untrusted too: a NaN or out-of-range value is dropped, not reported.
        return p.isPresent() && p.getAsDouble() >= 0 && p.getAsDouble() <= 1 ? p : OptionalDouble.empty();
    }

    /**
     * Backend output is untrusted: a distribution with an id the policy does not have, a value outside [0, 1] or a
     * sum away from 1 is dropped as a whole.
     */
    static Map<String, Double> validDistribution(Map<String, Double> q, Policy policy) {
        double sum = 0;
        for (Map.Entry<String, Double> e : q.entrySet()) {
            double p = e.getValue() == null ? Double.NaN : e.getValue();
            boolean known = Policy.NONE_APPLYING_ID.equals(e.getKey())
                    || policy.categoryById(e.getKey()).isPresent();
            if (!known || !(p >= 0 && p <= 1)) {
                return Map.of();
            }
            sum += p;
        }
        return q.isEmpty() || Math.abs(sum - 1) > 1e-6 ? Map.of() : q;
    }

    static String cap(String text) {
        if (text.length() <= MAX_RAW_TEXT_CHARS) {
            return text;
        }
        return text.substring(0, MAX_RAW_TEXT_CHARS) + "...[" + (text.length() - MAX_RAW_TEXT_CHARS)
                + " more characters]";
    }
}
