package io.safetyguard.cli.bench;

import java.util.OptionalDouble;

/**
 * What one llama-mtmd-cli run reports about itself in its log (read by {@link MtmdCliLog}). Times are in
 * milliseconds; a value the log did not contain is empty (or -1 for counts).
 *
 * @param loadMillis        llama.cpp's own "load time" of the text model and context
 * @param encodeMillis      image encoding: the sum of its "mtmd batch encoding done in N ms" lines (1 ms resolution)
 * @param promptEvalMillis  llama_perf "prompt eval time": text and image-embedding decodes, and the image encoding
 *                          that happens between them (llama.cpp times from a prompt's first decode to the
 *                          synchronisation after its last)
 * @param promptTokens      tokens in the prompt evaluation (text + image)
 * @param evalMillis        token generation, llama_perf "eval time"
 * @param evalRuns          generated tokens decoded
 * @param workMillis        wall time from the end of loading (its "experimental CLI" warning, printed right after
 *                          the model, projector and warm-up are done) to the perf summary: image file decoding,
 *                          preprocessing, encoding, prompt evaluation and generation, i.e. the per-image work
 *                          without the model load
 * @param imageTokens       tokens of the image chunks (sum of "n_tokens_batch" over its image batches)
 */
public record MtmdCliTimings(
        OptionalDouble loadMillis,
        double encodeMillis,
        OptionalDouble promptEvalMillis,
        int promptTokens,
        OptionalDouble evalMillis,
        int evalRuns,
        OptionalDouble workMillis,
        int imageTokens) {

    /** Whether the log had the perf summary at all (it is missing when the run failed early). */
    public boolean complete() {
        return promptEvalMillis.isPresent() && evalMillis.isPresent();
    }
}
