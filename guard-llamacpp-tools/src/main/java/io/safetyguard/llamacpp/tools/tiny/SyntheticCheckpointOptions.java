package io.safetyguard.llamacpp.tools.tiny;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link SyntheticCheckpoint} writes. Start from {@link #builder()}; every option has a default.
 *
 * @param architecture   OneVision (qwen2 + SigLIP) or LLaVA (llama + CLIP)
 * @param layout         tensor key layout (before or since transformers 4.52)
 * @param shape          tiny, or the real LlavaGuard-v1.2-0.5B shapes
 * @param tiedEmbeddings no output matrix: the output reuses the token embeddings (as the 0.5B OneVision does)
 * @param shards         1 writes {@code model.safetensors}; N writes N shards and {@code model.safetensors.index.json}
 * @param dtype          element type of every tensor
 * @param seed           seed of the random weights (equal options give byte-identical weight files)
 * @param tokenizer      also write the tokenizer files, built from the pinned llama.cpp vocab
 * @param vocab          the vocab GGUF to build them from; empty to look it up as {@link TinyVocab} does
 */
public record SyntheticCheckpointOptions(
        HfArchitecture architecture,
        HfKeyLayout layout,
        SyntheticShape shape,
        boolean tiedEmbeddings,
        int shards,
        SafetensorsDtype dtype,
        long seed,
        boolean tokenizer,
        Optional<Path> vocab) {

    /** The default seed. */
    public static final long DEFAULT_SEED = 42;

    public SyntheticCheckpointOptions {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(vocab, "vocab");
        if (shards < 1 || shards > 99_999) {
            throw new IllegalArgumentException("shards must be 1 to 99999, not " + shards);
        }
        shape.dims(architecture); // rejects shapes the architecture does not have
    }

    /** The dimensions these options describe. */
    public SyntheticDims dims() {
        return shape.dims(architecture);
    }

    /** A builder with the defaults: tiny OneVision, legacy keys, tied, one file, bf16, seed 42, tokenizer files. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder()
                .architecture(architecture)
                .layout(layout)
                .shape(shape)
                .tiedEmbeddings(tiedEmbeddings)
                .shards(shards)
                .dtype(dtype)
                .seed(seed)
                .tokenizer(tokenizer);
        vocab.ifPresent(b::vocab);
        return b;
    }

    /** Builds {@link SyntheticCheckpointOptions}. */
    public static final class Builder {
        private HfArchitecture architecture = HfArchitecture.LLAVA_ONEVISION;
        private HfKeyLayout layout = HfKeyLayout.LEGACY;
        private SyntheticShape shape = SyntheticShape.TINY;
        private Boolean tiedEmbeddings;
        private int shards = 1;
        private SafetensorsDtype dtype = SafetensorsDtype.BF16;
        private long seed = DEFAULT_SEED;
        private boolean tokenizer = true;
        private Path vocab;

        private Builder() {}

        /** The architecture; it also sets the default of {@link #tiedEmbeddings(boolean)} (tied for OneVision). */
        public Builder architecture(HfArchitecture value) {
            architecture = Objects.requireNonNull(value);
            return this;
        }

        public Builder layout(HfKeyLayout value) {
            layout = Objects.requireNonNull(value);
            return this;
        }

        public Builder shape(SyntheticShape value) {
            shape = Objects.requireNonNull(value);
            return this;
        }

        /** Tied (no output matrix) or untied; defaults to what the architecture's published checkpoint does. */
        public Builder tiedEmbeddings(boolean value) {
            tiedEmbeddings = value;
            return this;
        }

        public Builder shards(int value) {
            shards = value;
            return this;
        }

        public Builder dtype(SafetensorsDtype value) {
            dtype = Objects.requireNonNull(value);
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /** Whether to write the tokenizer files (default true). */
        public Builder tokenizer(boolean value) {
            tokenizer = value;
            return this;
        }

        /** The vocab GGUF the tokenizer files are built from (default: looked up as {@link TinyVocab} does). */
        public Builder vocab(Path value) {
            vocab = Objects.requireNonNull(value);
            return this;
        }

        public SyntheticCheckpointOptions build() {
            boolean tied = tiedEmbeddings != null ? tiedEmbeddings : architecture.tiedByDefault();
            return new SyntheticCheckpointOptions(
                    architecture, layout, shape, tied, shards, dtype, seed, tokenizer, Optional.ofNullable(vocab));
        }
    }
}
