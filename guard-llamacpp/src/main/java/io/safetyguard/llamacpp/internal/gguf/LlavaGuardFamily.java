package io.safetyguard.llamacpp.internal.gguf;

import java.util.Locale;

/** Which LlavaGuard release a model belongs to, which decides the prompt format it was trained with. */
public enum LlavaGuardFamily {
    /** LlavaGuard v1.0/v1.1: LLaVA-1.5/1.6 on a llama-architecture LM (Vicuna, Yi), Vicuna conversation format. */
    VICUNA_V1_0_V1_1("LlavaGuard v1.0/v1.1 (LLaVA-1.5/1.6, Vicuna prompt)", "vicuna"),
    /** LlavaGuard v1.2: LLaVA-OneVision on Qwen2, ChatML conversation format. */
    ONEVISION_V1_2("LlavaGuard v1.2 (LLaVA-OneVision, ChatML prompt)", "chatml"),
    /** Neither the metadata nor the architecture says. */
    UNKNOWN("unknown LlavaGuard version", "unknown");

    private final String description;
    private final String promptFormat;

    LlavaGuardFamily(String description, String promptFormat) {
        this.description = description;
        this.promptFormat = promptFormat;
    }

    /** E.g. "LlavaGuard v1.2 (LLaVA-OneVision, ChatML prompt)". */
    public String description() {
        return description;
    }

    /** The conversation format: {@code vicuna}, {@code chatml} or {@code unknown}. */
    public String promptFormat() {
        return promptFormat;
    }

    /** The family for a declared version such as {@code v1.1} or {@code 1.2}; UNKNOWN for anything else. */
    public static LlavaGuardFamily fromVersion(String version) {
        String v = version.trim().toLowerCase(Locale.ROOT);
        v = v.startsWith("v") ? v.substring(1) : v;
        return switch (v) {
            case "1.0", "1.1" -> VICUNA_V1_0_V1_1;
            case "1.2" -> ONEVISION_V1_2;
            default -> UNKNOWN;
        };
    }

    /** A guess from the text model's architecture: llama → v1.0/v1.1, qwen2 → v1.2. */
    public static LlavaGuardFamily guessFromArchitecture(String architecture) {
        return switch (architecture) {
            case "llama" -> VICUNA_V1_0_V1_1;
            case "qwen2" -> ONEVISION_V1_2;
            default -> UNKNOWN;
        };
    }
}
