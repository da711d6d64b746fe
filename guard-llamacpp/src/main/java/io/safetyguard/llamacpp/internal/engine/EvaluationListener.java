package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.llamacpp.internal.ReferenceImagePipeline;
import java.util.function.Consumer;

/**
 * Observes what an evaluation feeds the model and decides, for tests and diagnostics that check the numbers
 * behind an answer. Set on a loaded model with {@link Engine#listener(EvaluationListener)} (tests in
 * {@code io.safetyguard.llamacpp} reach the engine through {@code LlamaCppModel.engine()}); there is one
 * listener per model, and it is called on the evaluating thread, so it must be quick and must not throw.
 */
public interface EvaluationListener {

    /** Observes nothing. */
    EvaluationListener NONE = new EvaluationListener() {};

    /** A reference-pipeline image block, exactly as it is about to be decoded into the context. */
    default void imageEmbedded(ReferenceImagePipeline.Embedded image) {}

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
     * {@link #ratingDecided} is not called.
     */
    default boolean wantsRatingLogits() {
        return this != NONE;
    }
}
