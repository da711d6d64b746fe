package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.llamacpp.internal.ReferenceImagePipeline;
import java.util.function.Consumer;

/**
 * Observes what an evaluation feeds the model and decides, for tests and diagnostics that check the numbers
 * behind an answer (e.g. against an independent forward pass of the same checkpoint). Set on a loaded model with
 * {@link Engine#listener(EvaluationListener)} (tests in {@code io.safetyguard.llamacpp} reach the engine through
 * {@code LlamaCppModel.engine()}); there is one listener per model, and it is called on the evaluating thread, so
 * it must be quick and must not throw. Arrays passed to it belong to the engine: copy what you keep, change none.
 *
 * <p>Cost: with no listener set ({@link #NONE}) every hook is an empty call; the only costly ones (copying a whole
 * vocabulary's logits) run only when {@link #wantsRatingLogits()} / {@link #wantsLogits(int)} say so.
 *
 * <p>Order within one evaluation of the reference image pipeline: {@link #promptTokens}, {@link #imageEmbedded},
 * then for each generation step {@link #logits} (when wanted), at the rating decision only {@link #ratingChoices}
 * and {@link #ratingDecided}, and {@link #tokenGenerated} for the token drawn (unless it ends the generation). The
 * libmtmd pipeline calls neither {@code promptTokens} nor {@code imageEmbedded} (libmtmd tokenizes and embeds the
 * prompt itself).
 */
public interface EvaluationListener {

    /** Observes nothing. */
    EvaluationListener NONE = new EvaluationListener() {};

    /**
     * The listener for one evaluation. Batched decoding (several sequences in one context) calls this once per
     * evaluation, on its caller's thread, and then calls the returned listener from the scheduler thread, so a
     * listener can tell the interleaved sequences apart; one-at-a-time evaluation uses this listener directly.
     */
    default EvaluationListener forRequest(io.safetyguard.core.spi.ModelRequest request) {
        return this;
    }

    /**
     * The text token ids of the prompt around the image, as decoded into the context (reference pipeline): before
     * the image (BOS included; kept from the previous request when prefix reuse applies, but the same ids) and after
     * it (the policy and the answer header). The image block sits at positions {@code before.length ..
     * before.length + image tokens - 1}.
     */
    default void promptTokens(int[] before, int[] after) {}

    /** A reference-pipeline image block, exactly as it is about to be decoded into the context. */
    default void imageEmbedded(ReferenceImagePipeline.Embedded image) {}

    /**
     * The raw logits of the whole vocabulary before generation step {@code step} (0: at the first generated position,
     * i.e. after the prompt's last token; {@code k}: after {@code k} generated tokens), before any grammar,
     * suppression or sampling touches them; called only for the steps {@link #wantsLogits} asks for.
     */
    default void logits(int step, float[] logits) {}

    /** Whether this listener wants {@link #logits} before generation step {@code step} (a whole vocabulary's copy). */
    default boolean wantsLogits(int step) {
        return false;
    }

    /**
     * A token the generator accepted into the answer, in order (end-of-generation is not reported). The
     * {@code index}-th call (from 0) is the token at position {@code promptTokens + index}.
     */
    default void tokenGenerated(int index, int token) {}

    /**
     * The candidates P(Unsafe) was computed over at the rating decision: the tokens the grammar accepted there that
     * start the Safe value and those that start the Unsafe value. Called right before {@link #ratingDecided}, only
     * when {@link #wantsRatingLogits()}.
     */
    default void ratingChoices(int[] safeTokens, int[] unsafeTokens) {}

    /**
     * The rating decision of a verdict-grammar generation: the text before it, the raw logits of the whole
     * vocabulary at that step, the token drawn there and the P(Unsafe) reported.
     */
    default void ratingDecided(String textBefore, float[] logits, int sampledToken, double probabilityUnsafe) {}

    /** The {@link #ratingDecided} callback as a lambda. */
    @FunctionalInterface
    interface RatingDecisionObserver {
        void observe(String textBefore, float[] logits, int sampledToken, double probabilityUnsafe);
    }

    /** A listener that sees only image blocks. */
    static EvaluationListener onImage(Consumer<ReferenceImagePipeline.Embedded> images) {
        return new EvaluationListener() {
            @Override
            public void imageEmbedded(ReferenceImagePipeline.Embedded image) {
                images.accept(image);
            }

            @Override
            public boolean wantsRatingLogits() {
                return false;
            }
        };
    }

    /** A listener that sees only rating decisions. */
    static EvaluationListener onRatingDecision(RatingDecisionObserver decisions) {
        return new EvaluationListener() {
            @Override
            public void ratingDecided(String textBefore, float[] logits, int sampledToken, double probabilityUnsafe) {
                decisions.observe(textBefore, logits, sampledToken, probabilityUnsafe);
            }
        };
    }

    /**
     * Whether this listener wants the (costly: a whole vocabulary's) logits at rating decisions; when false,
     * neither {@link #ratingChoices} nor {@link #ratingDecided} is called.
     */
    default boolean wantsRatingLogits() {
        return this != NONE;
    }
}
