package io.safetyguard.llamacpp.tools.tiny;

import java.util.List;
import java.util.Locale;

/** The sizes a synthetic checkpoint can have. */
public enum SyntheticShape {
    /**
     * Small enough for unit tests (a few MB besides the embedding rows, which keep the real vocab size so the real
     * tokenizer fits): text width 64 in 2 layers with 4 heads over 2 key/value heads, feed-forward 96; vision width
     * 32 with 2 heads, feed-forward 64, 28-pixel tiles of 14-pixel patches (2 × 2 patches a tile), 2 layers
     * (OneVision, all used) or 3 (LLaVA, the last unused as with feature layer -2); OneVision pinpoints 1..3 × 1..3
     * tiles. All row widths are multiples of 32 so Q8_0 applies.
     */
    TINY("tiny"),
    /**
     * The real LlavaGuard-v1.2-0.5B-OV shapes (OneVision only): Qwen2-0.5B (896 wide, 24 layers, 14 heads over 2
     * key/value heads, feed-forward 4864, 152,000 rows) and SigLIP-so400m-patch14-384 cut to 26 layers (1152 wide,
     * 16 heads, feed-forward 4304), the 36 pinpoints of 1..6 × 1..6 tiles of 384; about 1.8 GB in bf16.
     */
    LLAVAGUARD_V1_2_0_5B("llavaguard-v1.2-0.5b");

    private final String cliName;

    SyntheticShape(String cliName) {
        this.cliName = cliName;
    }

    /** The name on the command line. */
    public String cliName() {
        return cliName;
    }

    /** The dimensions for an architecture; the real 0.5B shapes exist only for OneVision. */
    public SyntheticDims dims(HfArchitecture arch) {
        int vocab = arch.paddedVocab();
        if (this == LLAVAGUARD_V1_2_0_5B) {
            if (arch != HfArchitecture.LLAVA_ONEVISION) {
                throw new IllegalArgumentException(
                        cliName + " is a OneVision (qwen2 + SigLIP) shape, not " + arch.cliName());
            }
            return new SyntheticDims(
                    896,
                    24,
                    14,
                    2,
                    4864,
                    vocab,
                    32768,
                    1_000_000.0,
                    1e-6,
                    1152,
                    26,
                    16,
                    4304,
                    384,
                    14,
                    1e-6,
                    SyntheticDims.grid(384, 6));
        }
        return switch (arch) {
            case LLAVA_ONEVISION ->
                new SyntheticDims(
                        64,
                        2,
                        4,
                        2,
                        96,
                        vocab,
                        32768,
                        1_000_000.0,
                        1e-6,
                        32,
                        2,
                        2,
                        64,
                        28,
                        14,
                        1e-6,
                        SyntheticDims.grid(28, 3));
            case LLAVA ->
                new SyntheticDims(64, 2, 4, 2, 96, vocab, 4096, 10_000.0, 1e-5, 32, 3, 2, 64, 28, 14, 1e-5, List.of());
        };
    }

    /** The shape with this {@link #cliName()}, case-insensitive. */
    public static SyntheticShape fromCliName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (SyntheticShape s : values()) {
            if (s.cliName.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown shape '" + name + "'; use tiny or llavaguard-v1.2-0.5b");
    }
}
