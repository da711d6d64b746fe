package io.safetyguard.cli.bench;

/**
 * One SafetyGuard assessment of one image, with the backend's own breakdown.
 *
 * @param image           the image's file name
 * @param mode            which decoding was measured
 * @param totalMillis     {@code Verdict.totalMillis()}: reading and hashing the file, decoding, the model, parsing
 * @param encodeMillis    image encoding inside llama.cpp
 * @param prefillMillis   prompt evaluation (text and image embeddings)
 * @param decodeMillis    the generation loop (native sampling and decoding plus the Java per-token bookkeeping)
 * @param decodeForwardMillis the part of {@code decodeMillis} inside llama_decode (the forward passes), or -1
 * @param promptTokens    tokens evaluated for the prompt (text + image)
 * @param generatedTokens tokens generated
 * @param text            the model's answer
 * @param failure         why no verdict came, or null
 */
public record GuardRun(
        String image,
        Mode mode,
        double totalMillis,
        double encodeMillis,
        double prefillMillis,
        double decodeMillis,
        double decodeForwardMillis,
        int promptTokens,
        int generatedTokens,
        String text,
        String failure) {

    /** The decoding modes the benchmark compares. */
    public enum Mode {
        /** The full answer with the rationale, as LlavaGuard was trained. */
        FULL("full rationale"),
        /** Stop after the category: no rationale. */
        VERDICT_ONLY("verdict-only"),
        /** A verdict cache hit. */
        CACHED("cached");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * What each generated token costs beyond its forward pass: sampling, the grammar, the Java loop; NaN when the
     * backend did not report the forward time or nothing was generated.
     */
    public double millisPerTokenOutsideForward() {
        return decodeForwardMillis >= 0 && generatedTokens > 0
                ? (decodeMillis - decodeForwardMillis) / generatedTokens
                : Double.NaN;
    }

    /** Time inside llama.cpp calls (encode, prefill, the generation loop). */
    public double modelMillis() {
        return encodeMillis + prefillMillis + decodeMillis;
    }

    /** Everything outside the model: file reading, hashing, image decoding, prompt rendering, parsing, bookkeeping. */
    public double overheadMillis() {
        return Math.max(0, totalMillis - modelMillis());
    }
}
