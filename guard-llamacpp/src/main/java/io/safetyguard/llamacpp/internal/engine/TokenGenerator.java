package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.internal.CategoryProbe;
import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.RatingProbe;
import io.safetyguard.llamacpp.internal.jni.LlamaContext;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import io.safetyguard.llamacpp.internal.jni.Sampler;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;

/**
 * The token-generation loop after the prefill for a context of its own: {@link AnswerSampling} samples the next
 * token (and reads the rating and category probabilities), this loop decodes it, until the answer is complete.
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
        AnswerSampling answer = new AnswerSampling(
                model, ratingProbe, categoryProbe, labels, sampler, opt, budget.contextSize() - nPast, listener);
        int pos = nPast;
        while (answer.hasRoom()) {
            run.check();
            if (!answer.next(ctx)) {
                break;
            }
            int rc = ctx.decodeToken(answer.pending(), pos++);
            if (rc != 0) {
                throw budget.decodeFailure(run, rc, "generating");
            }
        }
        return answer.result();
    }
}
