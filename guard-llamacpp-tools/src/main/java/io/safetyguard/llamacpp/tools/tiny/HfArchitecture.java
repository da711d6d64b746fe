package io.safetyguard.llamacpp.tools.tiny;

import java.util.Locale;

/**
 * The two Hugging Face architectures LlavaGuard is published in, with the constants their converted checkpoints
 * carry (token ids as transformers' LLaVA conversion scripts assign them).
 */
public enum HfArchitecture {
    /**
     * {@code LlavaOnevisionForConditionalGeneration}: Qwen2 + SigLIP + 2-layer projector + {@code image_newline}
     * (LlavaGuard v1.2 OV, like llava-hf/llava-onevision-qwen2-*-ov-hf). {@code <image>} and {@code <video>} are
     * appended after Qwen2's 151,646 tokens.
     */
    LLAVA_ONEVISION(
            "onevision",
            "LlavaOnevisionForConditionalGeneration",
            "llava_onevision",
            "qwen2",
            "Qwen2ForCausalLM",
            151_936,
            151_643,
            151_645,
            151_646,
            151_647),
    /**
     * {@code LlavaForConditionalGeneration}: Llama + CLIP ViT (LlavaGuard v1.0/v1.1, like llava-hf/llava-1.5-7b-hf).
     * {@code <image>} (32000) and {@code <pad>} (32001) are appended after the 32,000 SentencePiece tokens.
     */
    LLAVA("llava", "LlavaForConditionalGeneration", "llava", "llama", "LlamaForCausalLM", 32_000, 1, 2, 32_000, 32_001);

    private final String cliName;
    private final String className;
    private final String modelType;
    private final String textModelType;
    private final String textClassName;
    private final int baseVocab;
    private final int bosTokenId;
    private final int eosTokenId;
    private final int imageTokenIndex;
    private final int extraTokenIndex;

    HfArchitecture(
            String cliName,
            String className,
            String modelType,
            String textModelType,
            String textClassName,
            int baseVocab,
            int bosTokenId,
            int eosTokenId,
            int imageTokenIndex,
            int extraTokenIndex) {
        this.cliName = cliName;
        this.className = className;
        this.modelType = modelType;
        this.textModelType = textModelType;
        this.textClassName = textClassName;
        this.baseVocab = baseVocab;
        this.bosTokenId = bosTokenId;
        this.eosTokenId = eosTokenId;
        this.imageTokenIndex = imageTokenIndex;
        this.extraTokenIndex = extraTokenIndex;
    }

    /** The name on the command line: {@code onevision} or {@code llava}. */
    public String cliName() {
        return cliName;
    }

    /** The {@code architectures[0]} of {@code config.json}. */
    public String className() {
        return className;
    }

    /** The top-level {@code model_type}. */
    public String modelType() {
        return modelType;
    }

    /** The {@code text_config.model_type}: {@code qwen2} or {@code llama}. */
    public String textModelType() {
        return textModelType;
    }

    /** The {@code text_config.architectures[0]}. */
    public String textClassName() {
        return textClassName;
    }

    /** The {@code vision_config.model_type}: {@code siglip_vision_model} or {@code clip_vision_model}. */
    public String visionModelType() {
        return this == LLAVA_ONEVISION ? "siglip_vision_model" : "clip_vision_model";
    }

    /**
     * The base language model's {@code vocab_size} before the conversion added its tokens (Qwen2-0.5B: 151,936;
     * Vicuna/Llama-2: 32,000).
     */
    public int baseVocab() {
        return baseVocab;
    }

    /**
     * The embedding rows of the converted checkpoint: the conversion scripts resize to the base vocab + 2, padded
     * to a multiple of 64 (152,000 for Qwen2-0.5B, 32,064 for Llama).
     */
    public int paddedVocab() {
        return (baseVocab + 2 + 63) / 64 * 64;
    }

    /** {@code bos_token_id} of the text model. */
    public int bosTokenId() {
        return bosTokenId;
    }

    /** {@code eos_token_id} of the text model. */
    public int eosTokenId() {
        return eosTokenId;
    }

    /** {@code image_token_index}: the id of {@code <image>}. */
    public int imageTokenIndex() {
        return imageTokenIndex;
    }

    /** The second added token: {@code <video>} (OneVision, {@code video_token_index}) or {@code <pad>} (LLaVA). */
    public int extraTokenIndex() {
        return extraTokenIndex;
    }

    /** The vision feature layer of {@code config.json}: -1 (OneVision keeps 26 of 27 layers) or -2 (LLaVA-1.5). */
    public int visionFeatureLayer() {
        return this == LLAVA_ONEVISION ? -1 : -2;
    }

    /** The {@code vision_feature_select_strategy}: {@code full} (OneVision) or {@code default} (drop CLS). */
    public String visionFeatureSelectStrategy() {
        return this == LLAVA_ONEVISION ? "full" : "default";
    }

    /** Whether the published checkpoints tie the output to the embeddings by default (only the 0.5B OneVision). */
    public boolean tiedByDefault() {
        return this == LLAVA_ONEVISION;
    }

    /** The architecture with this {@link #cliName()}, case-insensitive. */
    public static HfArchitecture fromCliName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (HfArchitecture a : values()) {
            if (a.cliName.equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + name + "'; use onevision or llava");
    }
}
