package io.safetyguard.llamacpp.reference;

import io.safetyguard.llamacpp.internal.ReferenceImagePipeline;
import io.safetyguard.llamacpp.internal.engine.EvaluationListener;
import java.util.ArrayList;
import java.util.List;

/** Everything one evaluation fed the model and decided, as the engine reports it to an {@link EvaluationListener}. */
public final class EvaluationCapture implements EvaluationListener {

    public int[] before;
    public int[] after;
    public ReferenceImagePipeline.Embedded image;
    public float[] firstLogits;
    public final List<Integer> generated = new ArrayList<>();
    /** Index in {@link #generated} of the rating token; -1 until the decision. */
    public int ratingIndex = -1;

    public float[] ratingLogits;
    public int[] safeTokens;
    public int[] unsafeTokens;
    public double probabilityUnsafe = Double.NaN;

    @Override
    public void promptTokens(int[] before, int[] after) {
        this.before = before.clone();
        this.after = after.clone();
    }

    @Override
    public void imageEmbedded(ReferenceImagePipeline.Embedded image) {
        this.image = image;
    }

    /** Raw logits before each generation step, when {@link #everyStep}. */
    public final List<float[]> stepLogits = new ArrayList<>();
    /** Whether to keep the logits of every step (diagnostics), not only the first. */
    public boolean everyStep;

    @Override
    public boolean wantsLogits(int step) {
        return step == 0 || everyStep;
    }

    @Override
    public void logits(int step, float[] logits) {
        if (step == 0) {
            this.firstLogits = logits;
        }
        if (everyStep) {
            stepLogits.add(logits);
        }
    }

    @Override
    public void tokenGenerated(int index, int token) {
        if (index != generated.size()) {
            throw new IllegalStateException("token " + index + " reported after " + generated.size());
        }
        generated.add(token);
    }

    @Override
    public void ratingChoices(int[] safeTokens, int[] unsafeTokens) {
        this.safeTokens = safeTokens.clone();
        this.unsafeTokens = unsafeTokens.clone();
    }

    @Override
    public void ratingDecided(String textBefore, float[] logits, int sampledToken, double probabilityUnsafe) {
        this.ratingIndex = generated.size(); // tokenGenerated of the rating token comes next
        this.ratingLogits = logits;
        this.probabilityUnsafe = probabilityUnsafe;
    }

    /** The generated tokens before the rating token (what the reference is teacher-forced with). */
    public int[] tokensBeforeRating() {
        return generated.subList(0, ratingIndex).stream()
                .mapToInt(Integer::intValue)
                .toArray();
    }
}
