package io.safetyguard.llamacpp;

import io.safetyguard.llamacpp.internal.ReferenceImagePipeline;

/** Which code turns an image into the embeddings the language model reads. */
public enum ImagePipeline {
    /**
     * SafetyGuard's own pipeline, which follows the Hugging Face reference: LLaVA-OneVision anyres_max tiling,
     * base tile first, unpadding, the bilinear downscale and one {@code image_newline} per row; LLaVA-1.5
     * pad-to-square with the mean colour. Tiles are encoded with llama.cpp's vision tower
     * ({@link ReferenceImagePipeline}). The default.
     */
    REFERENCE,
    /**
     * libmtmd's own preprocessing and token layout ({@code mtmd_tokenize}), as {@code llama-mtmd-cli} runs it:
     * tiles first, overview last, no unpadding, no newline, no {@code anyres_max} downscale. For comparisons with
     * llama.cpp's tools and for projectors the reference pipeline cannot plan.
     */
    LLAMA_CPP
}
