package io.safetyguard.llamacpp.internal.gguf;

import java.util.Set;

/**
 * The token texts llama.cpp v0.4.0's vocab loader ({@code src/llama-vocab.cpp}) compares tokens with to find
 * end-of-turn, end-of-message, end-of-generation and fill-in-the-middle tokens. When a vocab types such a token
 * other than CONTROL, the loader warns "control-looking token ... was not control-type; this is probably a bug in
 * the model" and makes it a control token itself. Model writers type them CONTROL up front: llama.cpp behaves the
 * same and says nothing (the Qwen2 vocabulary's {@code </s>}, for one, is an ordinary BPE token).
 */
public final class ControlLookingTokens {
    /** The texts, as llama.cpp spells them. */
    public static final Set<String> TEXTS = Set.of(
            "</s>",
            "<EOT>",
            "_<EOT>",
            "<MID>",
            "<PAD>",
            "<PRE>",
            "<REPO>",
            "<SUF>",
            "▁<MID>",
            "▁<PRE>",
            "▁<SUF>",
            "<end_of_turn>",
            "<end_of_utterance>",
            "<eos>",
            "<turn|>",
            "<reponame>",
            "<fim-middle>",
            "<fim-pad>",
            "<fim-prefix>",
            "<fim-repo>",
            "<fim-suffix>",
            "<fim_middle>",
            "<fim_pad>",
            "<fim_prefix>",
            "<fim_suffix>",
            "<|calls|>",
            "<|call|>",
            "<|code_middle|>",
            "<|code_prefix|>",
            "<|code_suffix|>",
            "<|end_of_text|>",
            "<|endoftext|>",
            "<|end|>",
            "<|eom_id|>",
            "<|eot_id|>",
            "<|file_sep|>",
            "<|fim_middle|>",
            "<|fim_pad|>",
            "<|fim_prefix|>",
            "<|fim_repo|>",
            "<|fim_suffix|>",
            "<|flush|>",
            "<|im_end|>",
            "<|middle|>",
            "<|prefix|>",
            "<|repo_name|>",
            "<|return|>",
            "<|suffix|>",
            "<|tool_response>",
            "<｜end▁of▁sentence｜>",
            "<｜fim▁begin｜>",
            "<｜fim▁end｜>",
            "<｜fim▁hole｜>",
            "[EOS]",
            "[EOT]",
            "[PAD]",
            "[e~[");

    private ControlLookingTokens() {}

    /** Whether llama.cpp's loader makes a token of this text a control token. */
    public static boolean matches(String tokenText) {
        return TEXTS.contains(tokenText);
    }
}
