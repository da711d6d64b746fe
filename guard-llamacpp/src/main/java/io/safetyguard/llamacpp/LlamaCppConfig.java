package io.safetyguard.llamacpp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How to load and run a LlavaGuard GGUF pair with llama.cpp. Build with {@link #builder(Path, Path)}.
 *
 * <pre>{@code
 * LlamaCppConfig config = LlamaCppConfig.builder(Path.of("llavaguard-v1.2-0.5b.gguf"), Path.of("mmproj.gguf"))
 *         .parallelContexts(2)
 *         .threads(4)
 *         .build();
 * try (LlamaCppModel model = LlamaCppModel.open(config)) { ... }
 * }</pre>
 */
public final class LlamaCppConfig {

    /** Default logical batch size (tokens per llama_decode call). */
    public static final int DEFAULT_BATCH_SIZE = 512;
    /** Default physical batch size. */
    public static final int DEFAULT_UBATCH_SIZE = 512;

    private final Path modelPath;
    private final Path mmprojPath;
    private final int threads;
    private final int gpuLayers;
    private final int contextSize;
    private final int batchSize;
    private final int ubatchSize;
    private final OptionalLong seed;
    private final int parallelContexts;
    private final int sequences;
    private final PromptLayout promptLayout;
    private final boolean useMmap;
    private final boolean warmup;
    private final Duration closeTimeout;
    private final ImagePipeline imagePipeline;
    private final boolean reusePrefix;
    private final FlashAttention flashAttention;
    private final boolean persistentThreadPool;
    private final EncoderOverlap encoderOverlap;

    /** Whether llama.cpp computes attention with its fused flash-attention kernel. */
    public enum FlashAttention {
        /** llama.cpp's choice: on where the backend supports it (the CPU does), as llama-mtmd-cli runs it. */
        AUTO,
        ON,
        OFF
    }

    /**
     * Whether, with batched decoding, callers' image encodes may run while the batched context decodes. Both
     * use {@link #threads()} threads; ggml's threads spin at every barrier while they wait for each other, so two
     * groups on too few cores slow each other down several times over.
     */
    public enum EncoderOverlap {
        /** Take turns when both groups together would need more threads than the machine has cores. */
        AUTO,
        /** Always run both at once (for machines whose core count Java misreads, or to measure). */
        OVERLAP,
        /** Always take turns: one tile encode, then one decode round. */
        TAKE_TURNS
    }

    private LlamaCppConfig(Builder b) {
        this.modelPath = b.modelPath;
        this.mmprojPath = b.mmprojPath;
        this.parallelContexts = b.parallelContexts;
        this.sequences = b.sequences;
        this.threads = b.threads > 0
                ? b.threads
                : Math.max(1, Runtime.getRuntime().availableProcessors() / b.parallelContexts);
        this.gpuLayers = b.gpuLayers;
        this.contextSize = b.contextSize;
        this.batchSize = b.batchSize;
        this.ubatchSize = Math.min(b.ubatchSize, b.batchSize);
        this.seed = b.seed;
        this.promptLayout = b.promptLayout;
        this.useMmap = b.useMmap;
        this.warmup = b.warmup;
        this.imagePipeline = b.imagePipeline;
        this.reusePrefix = b.reusePrefix;
        this.closeTimeout = b.closeTimeout;
        this.flashAttention = b.flashAttention;
        this.persistentThreadPool = b.persistentThreadPool;
        this.encoderOverlap = b.encoderOverlap;
    }

    /** A builder for the given text model (GGUF) and vision projector (mmproj GGUF). */
    public static Builder builder(Path modelPath, Path mmprojPath) {
        return new Builder(modelPath, mmprojPath);
    }

    /** The text model GGUF. */
    public Path modelPath() {
        return modelPath;
    }

    /** The vision projector (mmproj) GGUF. */
    public Path mmprojPath() {
        return mmprojPath;
    }

    /** CPU threads per context (and for the image encoder). */
    public int threads() {
        return threads;
    }

    /** Layers offloaded to the GPU; -1 = all, 0 = none (CPU only, also for the image encoder). */
    public int gpuLayers() {
        return gpuLayers;
    }

    /** Context size in tokens per context; 0 = chosen from the model (see {@link Builder#contextSize}). */
    public int contextSize() {
        return contextSize;
    }

    /** Logical batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** Physical batch size. */
    public int ubatchSize() {
        return ubatchSize;
    }

    /** A sampling seed that replaces every request's seed, if set. */
    public OptionalLong seed() {
        return seed;
    }

    /** Number of llama.cpp contexts, i.e. how many evaluations run at the same time. */
    public int parallelContexts() {
        return parallelContexts;
    }

    /**
     * Sequences decoded together in one context (batched decoding); 1 (the default) evaluates each image in a
     * context of its own. See {@link Builder#sequences(int)}.
     */
    public int sequences() {
        return sequences;
    }

    /** The prompt layout, if fixed; otherwise it is chosen from the model's metadata. */
    public Optional<PromptLayout> promptLayout() {
        return Optional.ofNullable(promptLayout);
    }

    /** Whether the model file may be memory-mapped. */
    public boolean useMmap() {
        return useMmap;
    }

    /** Whether the image encoder runs one warm-up pass when loading. */
    public boolean warmup() {
        return warmup;
    }

    /** How long {@code close()} lets running evaluations finish before it aborts them. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** Which pipeline turns images into embeddings (default {@link ImagePipeline#REFERENCE}). */
    public ImagePipeline imagePipeline() {
        return imagePipeline;
    }

    /** Whether a context keeps the prompt prefix before the image between requests (reference pipeline). */
    public boolean reusePrefix() {
        return reusePrefix;
    }

    /** Flash attention for the text model's contexts (default {@link FlashAttention#AUTO}). */
    public FlashAttention flashAttention() {
        return flashAttention;
    }

    /** Whether each context keeps its CPU worker threads between decodes (default true). */
    public boolean persistentThreadPool() {
        return persistentThreadPool;
    }

    /** See {@link Builder#encoderOverlap(EncoderOverlap)}. */
    public EncoderOverlap encoderOverlap() {
        return encoderOverlap;
    }

    @Override
    public String toString() {
        return "LlamaCppConfig[model=" + modelPath + ", mmproj=" + mmprojPath + ", threads=" + threads
                + ", gpuLayers=" + gpuLayers + ", contextSize=" + contextSize + ", batch=" + batchSize + "/"
                + ubatchSize
                + ", parallelContexts=" + parallelContexts + (sequences > 1 ? ", sequences=" + sequences : "")
                + ", images=" + imagePipeline + ", layout="
                + (promptLayout == null ? "auto" : promptLayout)
                + (seed.isPresent() ? ", seed=" + seed.getAsLong() : "") + "]";
    }

    /** Builder; every setter validates its argument. */
    public static final class Builder {
        private final Path modelPath;
        private final Path mmprojPath;
        private int threads;
        private int gpuLayers = -1;
        private int contextSize;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int ubatchSize = DEFAULT_UBATCH_SIZE;
        private OptionalLong seed = OptionalLong.empty();
        private int parallelContexts = 1;
        private int sequences = 1;
        private PromptLayout promptLayout;
        private boolean useMmap = true;
        private boolean warmup = true;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private ImagePipeline imagePipeline = ImagePipeline.REFERENCE;
        private boolean reusePrefix = true;
        private FlashAttention flashAttention = FlashAttention.AUTO;
        private boolean persistentThreadPool = true;
        private EncoderOverlap encoderOverlap = EncoderOverlap.AUTO;

        private Builder(Path modelPath, Path mmprojPath) {
            this.modelPath = Objects.requireNonNull(modelPath, "modelPath");
            this.mmprojPath = Objects.requireNonNull(mmprojPath, "mmprojPath");
        }

        /** CPU threads per context; default: available processors / parallel contexts. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Layers to offload to the GPU (-1 = all, the default; 0 = CPU only). No effect in a CPU build. */
        public Builder gpuLayers(int gpuLayers) {
            if (gpuLayers < -1) {
                throw new IllegalArgumentException(
                        "gpuLayers must be -1 (all), 0 (none) or positive, got " + gpuLayers);
            }
            this.gpuLayers = gpuLayers;
            return this;
        }

        /**
         * Context size in tokens for each parallel context. 0 (default) picks the smallest size that
         * holds the largest image the projector can produce, the default policy with room to spare
         * and a full answer, capped at the model's training context.
         */
        public Builder contextSize(int contextSize) {
            if (contextSize < 0) {
                throw new IllegalArgumentException("contextSize must be >= 0 (0 = automatic), got " + contextSize);
            }
            this.contextSize = contextSize;
            return this;
        }

        /** Logical batch size: tokens per llama_decode call (default 512). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Physical batch size (default 512; capped at the batch size). */
        public Builder ubatchSize(int ubatchSize) {
            if (ubatchSize < 1) {
                throw new IllegalArgumentException("ubatchSize must be >= 1, got " + ubatchSize);
            }
            this.ubatchSize = ubatchSize;
            return this;
        }

        /**
         * A sampling seed used instead of each request's own seed. It becomes part of the model's
         * identity ({@code ModelInfo.id()}), so cached verdicts stay correct.
         */
        public Builder seed(long seed) {
            this.seed = OptionalLong.of(seed);
            return this;
        }

        /**
         * How many llama.cpp contexts to create (default 1). Each holds its own KV cache and runs one
         * evaluation at a time; the model weights are shared. More contexts let more threads
         * evaluate at once, at the cost of memory. Image encoding is serialised in any case.
         */
        public Builder parallelContexts(int n) {
            if (n < 1 || n > 256) {
                throw new IllegalArgumentException("parallelContexts must be between 1 and 256, got " + n);
            }
            this.parallelContexts = n;
            return this;
        }

        /**
         * How many images to decode together in one context (default 1): batched decoding with continuous
         * batching. Up to {@code n} evaluations share one llama.cpp context of {@code n} sequences (each with its
         * own KV cache of the context size); every step decodes one token of each in one forward pass, and a new
         * image's prompt is decoded in bounded chunks between the others' steps. Worth it when callers keep
         * several images in flight (assessAll, audits with {@code parallelism >= n}): on a CPU the forward pass
         * of a small model reads all weights once per step whatever the number of tokens. Greedy answers equal
         * one-at-a-time ones. Needs the reference image pipeline; with {@code n > 1}, parallelContexts must be 1.
         */
        public Builder sequences(int n) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("sequences must be between 1 and 64, got " + n);
            }
            this.sequences = n;
            return this;
        }

        /** Fixes the prompt layout instead of choosing it from the model's metadata; null = automatic. */
        public Builder promptLayout(PromptLayout layout) {
            this.promptLayout = layout;
            return this;
        }

        /** Whether to memory-map the model file (default true). */
        public Builder useMmap(boolean useMmap) {
            this.useMmap = useMmap;
            return this;
        }

        /** Whether the image encoder runs a warm-up pass at load time (default true). */
        public Builder warmup(boolean warmup) {
            this.warmup = warmup;
            return this;
        }

        /** How long {@code close()} waits for running evaluations before aborting them (default 30 s). */
        public Builder closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must not be negative");
            }
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Which pipeline turns images into embeddings: {@link ImagePipeline#REFERENCE} (default, the Hugging Face
         * reference layout) or {@link ImagePipeline#LLAMA_CPP} (libmtmd's, as llama-mtmd-cli).
         */
        public Builder imagePipeline(ImagePipeline pipeline) {
            this.imagePipeline = Objects.requireNonNull(pipeline, "pipeline");
            return this;
        }

        /**
         * Whether each context keeps the prompt before the image (BOS, system line, user header) in its KV cache
         * between requests and only decodes what follows it (default true; reference pipeline only). The answer is
         * the same either way: the kept entries are exactly those a fresh decode would write.
         */
        public Builder reusePrefix(boolean reuse) {
            this.reusePrefix = reuse;
            return this;
        }

        /**
         * Flash attention for the text model (default {@link FlashAttention#AUTO}, llama.cpp's choice). It changes
         * how attention is computed, not what the model sees; results agree up to float rounding.
         */
        public Builder flashAttention(FlashAttention mode) {
            this.flashAttention = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Whether each context keeps a pool of CPU worker threads for its whole life (default true). Without it
         * ggml starts and joins its threads for every forward pass, i.e. for every generated token; turning it off
         * is only useful to measure that cost.
         */
        public Builder persistentThreadPool(boolean persistent) {
            this.persistentThreadPool = persistent;
            return this;
        }

        /**
         * With batched decoding ({@link #sequences(int)} above 1): whether callers' image encodes run while the
         * batched context decodes, or the two take turns (default {@link EncoderOverlap#AUTO}: take turns when
         * twice {@link #threads(int)} exceeds the available processors). Answers are the same either way.
         */
        public Builder encoderOverlap(EncoderOverlap overlap) {
            this.encoderOverlap = Objects.requireNonNull(overlap, "overlap");
            return this;
        }

        public LlamaCppConfig build() {
            if (sequences > 1 && parallelContexts > 1) {
                throw new IllegalStateException("choose either parallelContexts (" + parallelContexts
                        + " contexts, one image each) or sequences (" + sequences + " images in one context)");
            }
            if (sequences > 1 && imagePipeline != ImagePipeline.REFERENCE) {
                throw new IllegalStateException("batched decoding (sequences " + sequences
                        + ") needs the reference image pipeline (ImagePipeline.REFERENCE)");
            }
            return new LlamaCppConfig(this);
        }
    }
}
