package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.internal.CategoryProbe;
import io.safetyguard.llamacpp.internal.CategoryReading;
import io.safetyguard.llamacpp.internal.RatingProbe;
import io.safetyguard.llamacpp.internal.jni.JsonObjectEnd;
import io.safetyguard.llamacpp.internal.jni.LlamaContext;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import io.safetyguard.llamacpp.internal.jni.Sampler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The sampling side of one answer, one token per {@link #next} call: reads the logits the context holds for this
 * answer, samples (grammar, rating probe and end of the JSON object), reads P(Unsafe) at the rating decision
 * through {@link RatingProbe} and the category distribution through {@link CategoryReading}, and says whether a
 * token is left to decode. Who decodes that token is the caller's business: {@link TokenGenerator} decodes it
 * alone, the {@link BatchScheduler} in a forward pass shared with other sequences.
 */
final class AnswerSampling {

    private final LlamaModel model;
    private final RatingProbe ratingProbe;
    private final CategoryProbe categoryProbe;
    private final CategoryProbe.Labels labels;
    private CategoryReading category;
    private final Sampler sampler;
    private final EvaluationListener listener;
    private final int eogToken;
    private final int maxNew;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private final JsonObjectEnd jsonEnd;
    private boolean probing;
    private double pUnsafe = Double.NaN;
    private int generated;
    private int pending = -1;

    AnswerSampling(
            LlamaModel model,
            RatingProbe ratingProbe,
            CategoryProbe categoryProbe,
            CategoryProbe.Labels labels,
            Sampler sampler,
            GenerationOptions options,
            int room,
            EvaluationListener listener) {
        this.model = model;
        this.ratingProbe = ratingProbe;
        this.categoryProbe = categoryProbe;
        this.labels = labels;
        boolean constrained = labels != null;
        this.sampler = sampler;
        this.listener = listener;
        this.eogToken = model.endOfGenerationToken();
        this.maxNew = Math.min(options.maxNewTokens(), room);
        this.jsonEnd = constrained ? new JsonObjectEnd() : null;
        this.probing = constrained;
    }

    /** Whether the token limit still allows another token; {@link #next} returns false once it does not. */
    boolean hasRoom() {
        return generated < maxNew;
    }

    /**
     * Samples the next token from the logits {@code ctx} has selected for this sequence.
     *
     * @return true when that token must be decoded before the next call ({@link #pending()}), false when the
     *     answer is complete
     */
    boolean next(LlamaContext ctx) throws ModelException {
        pending = -1;
        if (generated >= maxNew) {
            return false;
        }
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
            return false;
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
            // the JSON object is closed and the grammar accepts the end here: the verdict grammar allows
            // nothing else, so skip the forward pass that would only yield EOG
            return false;
        }
        if (generated >= maxNew) {
            return false;
        }
        pending = token;
        return true;
    }

    /** The sampled token that still has to be decoded; -1 when none. */
    int pending() {
        return pending;
    }

    TokenGenerator.Generated result() {
        return new TokenGenerator.Generated(
                out.toString(StandardCharsets.UTF_8),
                generated,
                Double.isNaN(pUnsafe) ? OptionalDouble.empty() : OptionalDouble.of(pUnsafe),
                category == null ? Map.of() : category.result());
    }
}
