package io.safetyguard.llamacpp;

/**
 * Where a batched model's context time went since it was opened ({@link LlamaCppConfig#sequences()} above 1):
 * the decode and prefill shares that {@code guard bench} reports.
 *
 * @param stepMillis           in decode steps (one llama_decode with one token per generating sequence)
 * @param prefillMillis        in prompt chunks (text and image embeddings of sequences joining)
 * @param steps                decode steps run
 * @param meanSequencesPerStep tokens per step on average: how full the batch was
 * @param turnsTaken           whether image encodes and the context took turns on the CPU
 *                             ({@link LlamaCppConfig.EncoderOverlap})
 * @param turnWaitMillis       time the context and the encoders spent waiting for their turn (0 without turns)
 */
public record BatchStatistics(
        double stepMillis,
        double prefillMillis,
        long steps,
        double meanSequencesPerStep,
        boolean turnsTaken,
        double turnWaitMillis) {

    /** The decode steps' share of the context's busy time (0..1). */
    public double decodeShare() {
        double all = stepMillis + prefillMillis;
        return all > 0 ? stepMillis / all : 0;
    }
}
