package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.PromptLayout;
import io.safetyguard.llamacpp.internal.ReferenceImagePipeline;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import io.safetyguard.llamacpp.internal.vision.RgbImage;
import java.util.Arrays;

/**
 * The reference pipeline ({@link io.safetyguard.llamacpp.ImagePipeline#REFERENCE}): the prefix tokens (kept in
 * the context from the last request when they are the same), the image embeddings assembled in Java by
 * {@link ReferenceImagePipeline}, then the policy and answer header tokens.
 */
final class ReferencePrefill implements PromptPrefill {

    private final ReferenceImagePipeline vision;
    private final LlamaModel model;
    private final PromptLayout layout;
    private final int[] prefixTokens;
    private final boolean reusePrefix;
    private final ContextBudget budget;

    ReferencePrefill(
            ReferenceImagePipeline vision,
            LlamaModel model,
            PromptLayout layout,
            int[] prefixTokens,
            boolean reusePrefix,
            ContextBudget budget) {
        this.vision = vision;
        this.model = model;
        this.layout = layout;
        this.prefixTokens = prefixTokens;
        this.reusePrefix = reusePrefix;
        this.budget = budget;
    }

    @Override
    public Prefilled prefill(ContextPool.Slot slot, Run run, ModelRequest request, EvaluationListener listener)
            throws ModelException {
        DecodedImage image = request.image();
        int[] suffix = PromptTokens.suffix(model, layout, request.policyPrompt());
        if (suffix == null || suffix.length == 0) {
            throw new ModelException("the policy prompt could not be tokenized (too long?)");
        }
        int imageTokens = vision.tokens(image.width(), image.height());
        int promptTokens = prefixTokens.length + imageTokens + suffix.length;
        budget.checkPromptFits(promptTokens, imageTokens);

        long tp = System.nanoTime();
        int nPast = restorePrefix(slot, run);
        double prefillMs = (System.nanoTime() - tp) / 1e6;

        ReferenceImagePipeline.Embedded embedded =
                vision.embed(new RgbImage(image.width(), image.height(), image.rgb()), run::check);
        if (embedded.tokens() != imageTokens) {
            throw new ModelException(
                    "internal error: the image took " + embedded.tokens() + " tokens, planned " + imageTokens);
        }
        listener.promptTokens(prefixTokens, suffix);
        listener.imageEmbedded(embedded);
        run.check();
        long td = System.nanoTime();
        int rc = slot.context.decodeEmbeddings(embedded.embeddings(), 0, imageTokens, nPast, false);
        if (rc != 0) {
            throw budget.decodeFailure(run, rc, "evaluating the image");
        }
        nPast += imageTokens;
        run.check();
        rc = slot.context.decodeTokens(suffix, nPast, true);
        if (rc != 0) {
            throw budget.decodeFailure(run, rc, "evaluating the prompt");
        }
        nPast += suffix.length;
        prefillMs += (System.nanoTime() - td) / 1e6;
        return new Prefilled(nPast, promptTokens, embedded.encodeMs() + embedded.prepareMs(), prefillMs);
    }

    /**
     * Leaves exactly the prompt prefix in the slot's context and returns its length. When the context already
     * holds the same prefix from the previous request, only what followed it is removed (prefix reuse, saving its
     * decode); otherwise the context is cleared and the prefix decoded.
     */
    private int restorePrefix(ContextPool.Slot slot, Run run) throws ModelException {
        if (reusePrefix && Arrays.equals(slot.cachedPrefix, prefixTokens) && slot.context.trim(prefixTokens.length)) {
            return prefixTokens.length;
        }
        slot.cachedPrefix = null;
        slot.context.clear();
        run.check();
        int rc = slot.context.decodeTokens(prefixTokens, 0, false);
        if (rc != 0) {
            throw budget.decodeFailure(run, rc, "evaluating the prompt");
        }
        // positions after the prefix may be left over by a failed request; the next trim removes them
        slot.cachedPrefix = prefixTokens;
        return prefixTokens.length;
    }

    @Override
    public int imageTokens(int width, int height) {
        return vision.tokens(width, height);
    }

    @Override
    public void close() {
        vision.close();
    }
}
