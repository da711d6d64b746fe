package io.safetyguard.llamacpp.tools.convert;

/**
 * One tensor of an output GGUF and where its data comes from.
 *
 * @param name          the GGUF tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param role          decides the stored type
 * @param ne            dimensions in ggml order (the reverse of PyTorch's)
 * @param source        the checkpoint tensor, or null for an all-zero tensor
 * @param ropeHeadDim   when positive, rows are reordered per head of this width for llama.cpp's RoPE
 *                      ({@link LlamaRopePermutation}); 0 keeps the order
 */
record PlannedTensor(String name, Role role, long[] ne, SafetensorsTensor source, int ropeHeadDim) {

    /** What a tensor is, which decides its stored type. */
    enum Role {
        /** A weight matrix: F16 (or the requested float type). */
        MATRIX,
        /** Norms, biases, embeddings read per element: F32. */
        VECTOR,
        /** The patch embedding convolution kernel: F16 always (ggml's conv_2d takes an F16 kernel). */
        CONV_KERNEL
    }

    long elements() {
        long n = 1;
        for (long d : ne) {
            n *= d;
        }
        return n;
    }

    long sourceBytes() {
        return source == null ? 0 : source.byteLength();
    }
}
