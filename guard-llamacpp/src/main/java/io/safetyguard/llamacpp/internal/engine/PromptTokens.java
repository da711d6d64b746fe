package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.llamacpp.PromptLayout;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;

/** The text parts of the prompt, tokenized as libmtmd does: BOS with the first part, special tokens parsed. */
final class PromptTokens {

    private PromptTokens() {}

    /** The prompt before the image (BOS, system line, user header). */
    static int[] prefix(LlamaModel model, PromptLayout layout) {
        int[] t = model.tokenize(layout.textBeforeMedia(), true, true);
        if (t == null || t.length == 0) {
            throw new IllegalStateException("the prompt layout " + layout + " tokenizes to nothing before the image");
        }
        return t;
    }

    /** The prompt after the image (the policy and the answer header); null when too long to tokenize. */
    static int[] suffix(LlamaModel model, PromptLayout layout, String policyPrompt) {
        return model.tokenize(layout.textAfterMedia(policyPrompt), false, true);
    }

    /** Tokens of everything but the image. */
    static int textTokens(LlamaModel model, PromptLayout layout, String policyPrompt) {
        int[] before = model.tokenize(layout.textBeforeMedia(), true, true);
        int[] after = suffix(model, layout, policyPrompt);
        return (before == null ? 0 : before.length) + (after == null ? 0 : after.length);
    }
}
