package io.safetyguard.llamacpp.tools.convert;

/**
 * The vision tower's settings from {@code vision_config}, with the defaults of transformers'
 * {@code CLIPVisionConfig} and {@code SiglipVisionConfig} for absent keys.
 *
 * @param siglip           a SigLIP tower (no class embedding, no pre-layernorm, conv bias) rather than CLIP
 * @param hiddenSize       tower width
 * @param intermediateSize FFN width
 * @param layers           {@code num_hidden_layers} of the checkpoint's tower
 * @param heads            attention heads
 * @param imageSize        tile side in pixels
 * @param patchSize        patch side in pixels
 * @param layerNormEps     layer-norm epsilon
 * @param tanhGelu         the FFN activation is GELU ({@code clip.use_gelu}), not quick-GELU
 */
record VisionConfig(
        boolean siglip,
        int hiddenSize,
        int intermediateSize,
        int layers,
        int heads,
        int imageSize,
        int patchSize,
        float layerNormEps,
        boolean tanhGelu) {

    static final String CLIP = "clip_vision_model";
    static final String SIGLIP = "siglip_vision_model";

    static VisionConfig parse(JsonFields c, String defaultModelType) throws CheckpointException {
        String type = c.string("model_type", defaultModelType);
        boolean siglip;
        if (type.equals(SIGLIP)) {
            siglip = true;
        } else if (type.equals(CLIP)) {
            siglip = false;
        } else {
            throw new CheckpointException(c.where() + ": vision model type '" + type + "' is not supported; "
                    + "LlavaGuard models use '" + SIGLIP + "' (v1.2) or '" + CLIP + "' (v1.0/v1.1)");
        }
        // CLIPVisionConfig and SiglipVisionConfig defaults
        int hidden = c.integer("hidden_size", 768);
        int intermediate = c.integer("intermediate_size", 3072);
        int layers = c.integer("num_hidden_layers", 12);
        int heads = c.integer("num_attention_heads", 12);
        int imageSize = c.integer("image_size", 224);
        int patchSize = c.integer("patch_size", siglip ? 16 : 32);
        float eps = c.number("layer_norm_eps", siglip ? 1e-6f : 1e-5f);
        int channels = c.integer("num_channels", 3);
        if (channels != 3) {
            throw c.wrong("num_channels", "3 (RGB)", c.raw("num_channels"));
        }
        if (hidden <= 0 || heads <= 0 || hidden % heads != 0) {
            throw new CheckpointException(
                    c.where() + ": hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        // not necessarily a multiple: SigLIP-so400m has 384 px tiles of 14 px patches (27 per side, the
        // convolution drops the last 6 px)
        if (patchSize <= 0 || imageSize < patchSize) {
            throw new CheckpointException(
                    c.where() + ": image_size " + imageSize + " is smaller than patch_size " + patchSize);
        }
        if (layers <= 0 || intermediate <= 0) {
            throw new CheckpointException(c.where() + ": num_hidden_layers and intermediate_size must be positive");
        }
        String act = c.string("hidden_act", siglip ? "gelu_pytorch_tanh" : "quick_gelu");
        boolean gelu;
        switch (act) {
            // llama.cpp's GELU is the tanh form; erf "gelu" differs from it by at most ~5e-4 (docs/models.md)
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast", "gelu" -> gelu = true;
            case "quick_gelu" -> gelu = false;
            default ->
                throw new CheckpointException(c.where() + ": hidden_act '" + act
                        + "' is not supported; clip.cpp runs GELU or quick-GELU in the vision tower");
        }
        return new VisionConfig(siglip, hidden, intermediate, layers, heads, imageSize, patchSize, eps, gelu);
    }

    /** Patches per tile side (the stride-{@code patchSize} convolution drops a remainder). */
    int patchesPerSide() {
        return imageSize / patchSize;
    }

    /** Rows of the position embedding: the patches, plus CLIP's class token. */
    int positions() {
        return patchesPerSide() * patchesPerSide() + (siglip ? 0 : 1);
    }
}
