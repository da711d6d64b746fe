package io.safetyguard.llamacpp.tools.convert;

/**
 * The row order llama.cpp's {@code llama} architecture needs in {@code attn_q}/{@code attn_k}. Hugging Face's Llama
 * rotates the two halves of each head ({@code rotate_half}: dimension {@code i} pairs with {@code i + d/2}); ggml's
 * normal RoPE rotates adjacent pairs ({@code 2i} with {@code 2i + 1}). Interleaving the halves of every head's rows
 * makes both compute the same attention scores; Qwen2 is converted without it because llama.cpp runs qwen2 with
 * NEOX-style RoPE, which already pairs the halves.
 */
final class LlamaRopePermutation {
    private LlamaRopePermutation() {}

    /**
     * The checkpoint row that becomes output row {@code outRow}.
     *
     * @param headDim width of one attention head (even)
     */
    static int sourceRow(int outRow, int headDim) {
        int head = outRow / headDim;
        int r = outRow % headDim;
        // output rows of a head go 0, d/2, 1, d/2+1, ...: even ones from the first half, odd ones from the second
        return head * headDim + (r % 2) * (headDim / 2) + r / 2;
    }
}
