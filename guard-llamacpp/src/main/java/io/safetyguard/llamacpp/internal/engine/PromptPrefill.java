package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelRequest;

/**
 * Puts a request's whole prompt (text before the image, the image, the policy and the answer header) into a
 * borrowed context, ending with the logits generation starts from. One implementation per
 * {@link io.safetyguard.llamacpp.ImagePipeline}: {@link MtmdPrefill} (libmtmd's) and {@link ReferencePrefill}
 * (the reference pipeline). Implementations own their vision encoder and free it on {@link #close()}.
 */
interface PromptPrefill extends AutoCloseable {

    /**
     * What the prefill did.
     *
     * @param positions    the next free position (where generation starts)
     * @param promptTokens tokens of the whole prompt, image included
     * @param encodeMs     vision encoding (and, for the reference pipeline, Java preprocessing)
     * @param prefillMs    decoding the prompt into the context
     */
    record Prefilled(int positions, int promptTokens, double encodeMs, double prefillMs) {}

    Prefilled prefill(ContextPool.Slot slot, Run run, ModelRequest request, EvaluationListener listener)
            throws ModelException;

    /**
     * The image tokens a {@code width x height} image takes.
     *
     * @throws UnsupportedOperationException when only tokenizing the image tells (libmtmd)
     */
    int imageTokens(int width, int height);

    /** Frees the vision encoder; no prefill may be running. */
    @Override
    void close();
}
