package io.safetyguard.llamacpp.tools.convert;

import java.util.Locale;

/**
 * The language model's settings from {@code text_config}, with the defaults of transformers' {@code LlamaConfig}
 * and {@code Qwen2Config} for the keys a published config leaves out (a LLaVA-1.5 config, for one, names little
 * more than the vocab size, the context and the RMS epsilon).
 *
 * @param architecture      the GGUF text architecture: {@code llama} or {@code qwen2}
 * @param hiddenSize        embedding width
 * @param intermediateSize  FFN width
 * @param layers            decoder layers
 * @param heads             attention heads
 * @param kvHeads           key/value heads
 * @param headDim           width of one head
 * @param vocabSize         rows of the embedding and output matrices
 * @param contextLength     {@code max_position_embeddings}
 * @param rmsEps            RMS-norm epsilon
 * @param ropeTheta         RoPE base frequency
 * @param attentionBias     q/k/v (and for llama o) projections have biases: always for qwen2, {@code attention_bias}
 *                          for llama
 * @param tieWordEmbeddings what the config says about tying the output matrix to the embeddings
 */
record TextConfig(
        String architecture,
        int hiddenSize,
        int intermediateSize,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int vocabSize,
        int contextLength,
        float rmsEps,
        float ropeTheta,
        boolean attentionBias,
        boolean tieWordEmbeddings) {

    static final String LLAMA = "llama";
    static final String QWEN2 = "qwen2";

    /**
     * Reads {@code text_config} ({@code null} when absent: all defaults) of a model whose text model is
     * {@code defaultModelType} unless the config says otherwise.
     */
    static TextConfig parse(JsonFields f, String defaultModelType, JsonFields top) throws CheckpointException {
        String modelType = f == null ? defaultModelType : f.string("model_type", defaultModelType);
        modelType = modelType.toLowerCase(Locale.ROOT);
        JsonFields c = f == null ? JsonFields.empty("config.json text_config") : f;
        boolean qwen2;
        if (modelType.equals(QWEN2)) {
            qwen2 = true;
        } else if (modelType.equals(LLAMA)) {
            qwen2 = false;
        } else {
            throw new CheckpointException(c.where() + ": text model type '" + modelType
                    + "' is not supported; LlavaGuard models use 'qwen2' (v1.2) or 'llama' (v1.0/v1.1)");
        }
        // transformers' defaults: Qwen2Config and LlamaConfig
        int hidden = c.integer("hidden_size", 4096);
        int intermediate = c.integer("intermediate_size", qwen2 ? 22016 : 11008);
        int layers = c.integer("num_hidden_layers", 32);
        int heads = c.integer("num_attention_heads", 32);
        int kvHeads = c.integer("num_key_value_heads", heads);
        int vocab =
                c.has("vocab_size") ? c.integer("vocab_size", 0) : top.integer("vocab_size", qwen2 ? 151936 : 32000);
        int context = c.integer("max_position_embeddings", qwen2 ? 32768 : 2048);
        float rmsEps = c.number("rms_norm_eps", 1e-6f);
        for (String key : new String[] {"hidden_size", "num_hidden_layers", "num_attention_heads"}) {
            if (c.integer(key, 1) <= 0) {
                throw c.wrong(key, "positive", c.raw(key));
            }
        }
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new CheckpointException(c.where() + ": num_attention_heads " + heads
                    + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        int headDim = c.integer("head_dim", hidden / heads);
        if (!c.has("head_dim") && hidden % heads != 0) {
            throw new CheckpointException(
                    c.where() + ": hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        String act = c.string("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new CheckpointException(c.where() + ": hidden_act '" + act + "' is not supported; llama.cpp's "
                    + modelType + " runs SiLU (SwiGLU)");
        }
        float ropeTheta = ropeTheta(c);
        boolean attentionBias = qwen2 || c.bool("attention_bias", false);
        if (!qwen2 && c.bool("mlp_bias", false)) {
            throw new CheckpointException(c.where() + ": mlp_bias=true is not supported (LLaVA's Llama has none)");
        }
        if (qwen2 && c.bool("use_sliding_window", false)) {
            throw new CheckpointException(c.where() + ": use_sliding_window=true is not supported; llama.cpp's "
                    + "qwen2 attends to the whole context");
        }
        // transformers ties by the text config (get_text_config()); older composite configs only say it on top
        boolean tied = c.has("tie_word_embeddings")
                ? c.bool("tie_word_embeddings", false)
                : top.bool("tie_word_embeddings", false);
        return new TextConfig(
                modelType,
                hidden,
                intermediate,
                layers,
                heads,
                kvHeads,
                headDim,
                vocab,
                context,
                rmsEps,
                ropeTheta,
                attentionBias,
                tied);
    }

    /** {@code rope_theta} (older configs) or {@code rope_parameters.rope_theta}; only plain RoPE is supported. */
    private static float ropeTheta(JsonFields c) throws CheckpointException {
        for (String key : new String[] {"rope_scaling", "rope_parameters"}) {
            JsonFields rope = c.object(key);
            if (rope == null) {
                continue;
            }
            String type = rope.string("rope_type", rope.string("type", "default"));
            if (!type.equals("default")) {
                throw new CheckpointException(c.where() + ": " + key + " of type '" + type
                        + "' is not supported; LlavaGuard models use plain RoPE");
            }
            if (rope.has("rope_theta") && !c.has("rope_theta")) {
                return rope.number("rope_theta", 10_000f);
            }
        }
        return c.number("rope_theta", 10_000f);
    }

    /** Whether {@code q_proj}/{@code k_proj} rows must be reordered for llama.cpp's RoPE (llama, not qwen2). */
    boolean permutesQk() {
        return architecture.equals(LLAMA);
    }

    /** Rows of {@code k_proj}/{@code v_proj}. */
    int kvWidth() {
        return kvHeads * headDim;
    }

    /** Rows of {@code q_proj}. */
    int qWidth() {
        return heads * headDim;
    }
}
