package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.ControlLookingTokens;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import java.util.List;
import java.util.Set;

/**
 * Marks the tokens llama.cpp treats as control tokens by their text as CONTROL in a copied vocab.
 * llama.cpp's vocab loader (src/llama-vocab.cpp) finds end-of-turn, end-of-generation and
 * fill-in-the-middle tokens by their text and warns "control-looking token ... was not
 * control-type" when the file types them otherwise, then overrides the type itself. Some vocab
 * files ship with such a token typed NORMAL (the Qwen2 vocab's {@code </s>}); typing it CONTROL in
 * the tiny model gives the behaviour llama.cpp would pick anyway, without the warning.
 */
final class ControlTokens {
    /** The key of the per-token type array ({@code int32}, one per token). */
    static final String TOKEN_TYPE_KEY = "tokenizer.ggml.token_type";
    /** llama.cpp's {@code LLAMA_TOKEN_TYPE_CONTROL}. */
    static final int CONTROL = 3;

    /** The texts llama.cpp v0.4.0's vocab loader compares tokens with to find EOT, EOM, EOG and FIM tokens. */
    static final Set<String> CONTROL_LOOKING = ControlLookingTokens.TEXTS;

    private ControlTokens() {}

    /** {@code types} with every control-looking token of {@code tokens} typed CONTROL. */
    static GgufValue fix(List<String> tokens, GgufValue types) {
        int[] fixed = types.toIntArray().clone();
        for (int i = 0; i < fixed.length && i < tokens.size(); i++) {
            if (CONTROL_LOOKING.contains(tokens.get(i))) {
                fixed[i] = CONTROL;
            }
        }
        return GgufValue.int32Array(fixed);
    }
}
