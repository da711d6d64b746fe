package io.safetyguard.llamacpp;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The conversation layouts LlavaGuard models were trained with (docs/reference.md §3.1),
 * rendered byte for byte. The image goes where training had {@code <image>}: first in the
 * user turn, followed by a newline and the policy.
 *
 * <p><b>Policy whitespace.</b> The policy text is {@linkplain String#strip() stripped} before it is
 * inserted. Training did the same: LLaVA / LLaVA-NeXT {@code preprocess_multimodal} removes
 * {@code <image>} from the prompt, calls {@code .strip()} and prepends {@code <image>\n}. The policy
 * files end with {@code "}\n"} (and the v1.0 text starts with {@code "\n"}); the model never saw
 * those newlines, so they are dropped here.
 */
public enum PromptLayout {

    /**
     * LlavaGuard v1.2 (LLaVA-OneVision, Qwen2): LLaVA-NeXT {@code qwen_1_5} ChatML with the
     * training system message.
     * <pre>
     * &lt;|im_start|&gt;system\nYou are a helpful assistant.&lt;|im_end|&gt;\n&lt;|im_start|&gt;user\n&lt;MEDIA&gt;\n{policy}&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n
     * </pre>
     */
    CHATML(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n",
            "\n",
            "<|im_end|>\n<|im_start|>assistant\n"),

    /**
     * LlavaGuard v1.0 / v1.1 (LLaVA-1.5, Vicuna): LLaVA {@code conv_vicuna_v1}. The BOS token is
     * added by the tokenizer, not written here.
     * <pre>
     * A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: &lt;MEDIA&gt;\n{policy} ASSISTANT:
     * </pre>
     */
    VICUNA_V1(
            "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
                    + "detailed, and polite answers to the user's questions. USER: ",
            "\n",
            " ASSISTANT:");

    /** GGUF metadata key that names the LlavaGuard release of a converted model, e.g. {@code v1.2}. */
    public static final String VERSION_KEY = "safetyguard.llavaguard.version";

    private final String beforeMedia;
    private final String afterMedia;
    private final String end;

    PromptLayout(String beforeMedia, String afterMedia, String end) {
        this.beforeMedia = beforeMedia;
        this.afterMedia = afterMedia;
        this.end = end;
    }

    /**
     * The full prompt: layout text, the media marker where the image goes, the stripped policy.
     *
     * @param policy      the rendered policy text (may end with a newline; it is stripped)
     * @param mediaMarker the marker the tokenizer replaces with the image (mtmd's {@code <__media__>})
     */
    public String render(String policy, String mediaMarker) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(mediaMarker, "mediaMarker");
        return beforeMedia + mediaMarker + afterMedia + policy.strip() + end;
    }

    /**
     * The text after the image up to and including the policy and the assistant header: what
     * {@link #render} puts after the media marker.
     */
    public String textAfterMedia(String policy) {
        return afterMedia + policy.strip() + end;
    }

    /** The text before the image: what {@link #render} puts before the media marker. */
    public String textBeforeMedia() {
        return beforeMedia;
    }

    /**
     * Chooses the layout from GGUF metadata: the {@value #VERSION_KEY} key when present
     * ({@code v1.2…} → ChatML, {@code v1.0}/{@code v1.1} → Vicuna), otherwise the text model's
     * architecture ({@code qwen2} → ChatML, {@code llama} → Vicuna).
     *
     * @return empty when neither says which layout fits
     */
    public static Optional<PromptLayout> detect(String architecture, String llavaGuardVersion) {
        if (llavaGuardVersion != null && !llavaGuardVersion.isBlank()) {
            String v = llavaGuardVersion.strip().toLowerCase(Locale.ROOT);
            if (v.startsWith("v")) {
                v = v.substring(1);
            }
            if (v.startsWith("1.2")) {
                return Optional.of(CHATML);
            }
            if (v.startsWith("1.0") || v.startsWith("1.1") || v.equals("1")) {
                return Optional.of(VICUNA_V1);
            }
        }
        if (architecture == null) {
            return Optional.empty();
        }
        return switch (architecture.strip().toLowerCase(Locale.ROOT)) {
            case "qwen2" -> Optional.of(CHATML);
            case "llama" -> Optional.of(VICUNA_V1);
            default -> Optional.empty();
        };
    }
}
