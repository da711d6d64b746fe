package io.safetyguard.remote;

import java.util.Locale;

/**
 * Which serving engine an endpoint runs. The chat-completions protocol is shared; the engines differ in
 * the fields for structured output, in extra sampling fields, and in whether their chat template adds
 * LlavaGuard's system turn.
 */
public enum ServerDialect {
    /** SGLang ({@code --chat-template chatml-llava}): the template adds the system turn. */
    SGLANG,
    /** vLLM: the model's own (HF) chat template renders the single user turn. */
    VLLM,
    /**
     * llama.cpp's llama-server with {@code --chat-template chatml}: the built-in ChatML template adds no
     * system turn, so the request carries the training system message itself.
     */
    LLAMA_SERVER,
    /** Any other OpenAI-compatible server: only standard fields ({@code response_format}), no {@code top_k}. */
    OPENAI,
    /** Ask each endpoint: the {@code owned_by} field of {@code GET /v1/models} names the engine. */
    AUTO;

    /**
     * The dialect an endpoint reports in {@code GET /v1/models} ({@code data[].owned_by}): SGLang says
     * {@code sglang}, vLLM {@code vllm}, llama-server {@code llamacpp}; anything else is {@link #OPENAI}.
     */
    static ServerDialect fromOwnedBy(String ownedBy) {
        String v = ownedBy == null ? "" : ownedBy.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "sglang" -> SGLANG;
            case "vllm" -> VLLM;
            case "llamacpp", "llama.cpp", "llama-server" -> LLAMA_SERVER;
            default -> OPENAI;
        };
    }
}
