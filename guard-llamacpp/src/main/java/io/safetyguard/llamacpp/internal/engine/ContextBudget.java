package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.internal.NativeBridge;

/**
 * What fits in one context, and what a decode failure means for the caller.
 *
 * @param contextSize the size of each pooled context, in tokens
 */
record ContextBudget(int contextSize) {

    /** Tokens that must remain free after the prompt for the shortest useful answer. */
    static final int MIN_ANSWER_TOKENS = 32;

    /** Refuses a prompt that leaves less than {@link #MIN_ANSWER_TOKENS} for the answer, saying what to change. */
    void checkPromptFits(int promptTokens, int imageTokens) throws ModelException {
        if (promptTokens + MIN_ANSWER_TOKENS > contextSize) {
            throw new ModelException("the prompt needs " + promptTokens + " tokens (image " + imageTokens
                    + ", text " + (promptTokens - imageTokens) + ") plus at least " + MIN_ANSWER_TOKENS
                    + " for the answer, but the context holds " + contextSize + ". Open the model with a larger "
                    + "context size (LlamaCppConfig.Builder.contextSize(" + ((promptTokens + 512 + 255) / 256 * 256)
                    + ")) or shorten the policy.");
        }
    }

    /**
     * The exception for llama_decode's non-zero {@code rc} while doing {@code what}. An abort shows up as a decode
     * failure, so this first throws the reason the abort was raised for.
     */
    ModelException decodeFailure(Run run, int rc, String what) throws ModelException {
        run.check();
        if (run.closedDuringRun()) {
            return new ModelException("the model was closed while " + what);
        }
        if (rc == 1) {
            return new ModelException(
                    "llama.cpp found no room in the context while " + what + " (context size " + contextSize
                            + "). Open the model with a larger context size.",
                    null,
                    false);
        }
        return new ModelException(
                "llama.cpp failed while " + what + " (llama_decode returned " + rc + "): "
                        + NativeBridge.orUnknown(NativeBridge.recentProblems()),
                null,
                rc < 0);
    }
}
