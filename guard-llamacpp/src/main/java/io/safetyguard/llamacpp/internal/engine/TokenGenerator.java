package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.internal.CategoryProbe;
import io.safetyguard.llamacpp.internal.CategoryReading;
import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.RatingProbe;
import io.safetyguard.llamacpp.internal.jni.JsonObjectEnd;
import io.safetyguard.llamacpp.internal.jni.LlamaContext;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import io.safetyguard.llamacpp.internal.jni.Sampler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;

/**
 * The token-generation loop after the prefill: sample, stop at end-of-generation, at the end of the verdict's
 * JSON object or at the token limit, decode the token, repeat. With a grammar it reads P(Unsafe) at the rating
 * decision through {@link RatingProbe} and the category distribution through {@link CategoryReading}.
 */
final class TokenGenerator {

    /** The answer text, its token count and P(Unsafe) when the rating decision was read. */
    record Generated(String text, int tokens, OptionalDouble probabilityUnsafe, Map<String, Double> categories) {
        Generated(String text, int tokens, OptionalDouble probabilityUnsafe) {
            this(text, tokens, probabilityUnsafe, Map.of());
        }
    }

    private final LlamaModel model;
    private final RatingProbe ratingProbe;
    private final CategoryProbe categoryProbe;
    private final OptionalLong seedOverride;
    private final ContextBudget budget;
    private final int eogToken;
    private final GrammarSource grammars = new GrammarSource();

    TokenGenerator(
            LlamaModel model,
            RatingProbe ratingProbe,
            CategoryProbe categoryProbe,
            OptionalLong seedOverride,
            ContextBudget budget) {
        this.model = model;
        this.ratingProbe = ratingProbe;
        this.categoryProbe = categoryProbe;
        this.seedOverride = seedOverride;
        this.budget = budget;
        this.eogToken = model.endOfGenerationToken();
    }

    /** Generates into {@code ctx}, whose last decode left the logits of position {@code nPast - 1}. */
    Generated generate(LlamaContext ctx, Run run, ModelRequest request, int nPast, EvaluationListener listener)
            throws ModelException {
        GenerationOptions opt = request.options();
        long seed = seedOverride.orElse(opt.seed());
        String grammar = grammars.of(request);
        NativeBridge.clearRecentProblems();
        try (Sampler sampler = Sampler.create(
                model, grammar, opt.greedy(), (float) opt.temperature(), (float) opt.topP(), opt.topK(), (int)
                        (seed ^ (seed >>> 32)))) {
            CategoryProbe.Labels labels = grammar != null ? categoryProbe.labels(request.policy()) : null;
            return loop(ctx, sampler, run, opt, nPast, labels, listener);
        } catch (RuntimeException e) {
            if (e instanceof CancellationException) {
                throw e;
            }
            throw new ModelException("llama.cpp failed while generating: " + e.getMessage(), e);
        }
    }

    private Generated loop(
            LlamaContext ctx,
            Sampler sampler,
            Run run,
            GenerationOptions opt,
            int nPast,
            CategoryProbe.Labels labels,
            EvaluationListener listener)
            throws ModelException {
        boolean constrained = labels != null;
        CategoryReading category = null;
        int maxNew = Math.min(opt.maxNewTokens(), budget.contextSize() - nPast);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        JsonObjectEnd jsonEnd = constrained ? new JsonObjectEnd() : null;
        boolean probing = constrained; // until the rating value has begun
        double pUnsafe = Double.NaN;
        int generated = 0;
        int pos = nPast;
        while (generated < maxNew) {
            run.check();
            if (listener.wantsLogits(generated)) {
                listener.logits(generated, ctx.allLogits()); // before any grammar or suppression touches them
            }
            RatingProbe.Decision decision = null;
            float[] observed = null;
            if (probing && out.size() > RatingProbe.MAX_BYTES_BEFORE_VALUE) {
                probing = false; // not the verdict grammar: its rating value would have begun by now
            }
            if (probing) {
                String soFar = out.toString(StandardCharsets.UTF_8);
                if (RatingProbe.valueOpened(soFar)) {
                    decision = ratingProbe.read(ctx, sampler);
                    probing = false; // the next token starts the value either way
                    observed = decision != null && listener.wantsRatingLogits() ? ctx.allLogits() : null;
                } else if (RatingProbe.beforeValue(soFar)) {
                    ratingProbe.keepQuoteSeparate(ctx, sampler);
                }
            }
            if (category != null && !category.finished()) {
                category.beforeSample(ctx, sampler);
            }
            int token = sampler.sample(ctx);
            if (token < 0) {
                throw new ModelException("llama.cpp could not sample a token: the grammar allows none after \""
                        + out.toString(StandardCharsets.UTF_8) + "\"");
            }
            if (model.isEndOfGeneration(token)) {
                break;
            }
            if (category != null && !category.finished()) {
                category.sampled(token);
            }
            if (decision != null && decision.covers(token)) {
                pUnsafe = decision.probabilityUnsafe;
                category = new CategoryReading(categoryProbe, labels, model.piece(token));
                if (observed != null) {
                    listener.ratingChoices(decision.safeTokens(), decision.unsafeTokens());
                    listener.ratingDecided(out.toString(StandardCharsets.UTF_8), observed, token, pUnsafe);
                }
            }
            listener.tokenGenerated(generated, token);
            byte[] piece = model.piece(token);
            out.write(piece, 0, piece.length);
            generated++;
            if (jsonEnd != null && jsonEnd.feed(piece) && eogToken >= 0 && sampler.accepts(eogToken)) {
                // the JSON object is closed and the grammar accepts the end here: the verdict
                // grammar allows nothing else, so skip the forward pass that would only yield EOG
                break;
            }
            if (generated >= maxNew) {
                break;
            }
            int rc = ctx.decodeToken(token, pos++);
            if (rc != 0) {
                throw budget.decodeFailure(run, rc, "generating");
            }
        }
        return new Generated(
                out.toString(StandardCharsets.UTF_8),
                generated,
                Double.isNaN(pUnsafe) ? OptionalDouble.empty() : OptionalDouble.of(pUnsafe),
                category == null ? Map.of() : category.result());
    }
}
