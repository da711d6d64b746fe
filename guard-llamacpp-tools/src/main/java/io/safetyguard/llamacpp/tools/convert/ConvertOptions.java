package io.safetyguard.llamacpp.tools.convert;

import io.safetyguard.llamacpp.internal.gguf.LlavaGuardFamily;
import io.safetyguard.llamacpp.tools.quantize.QuantizationType;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link CheckpointConverter} converts: where to, under which name, the text model's type, the mmproj's type, the
 * LlavaGuard version to declare, whether existing files may be replaced, and whom to tell about progress. Build with
 * {@link #builder(Path)}.
 */
public final class ConvertOptions {
    private final Path outDir;
    private final String name;
    private final QuantizationType type;
    private final QuantizationType mmprojType;
    private final String llavaGuardVersion;
    private final boolean overwrite;
    private final int threads;
    private final ConvertProgress progress;

    private ConvertOptions(Builder b) {
        this.outDir = b.outDir;
        this.name = b.name;
        this.type = b.type;
        this.mmprojType = b.mmprojType;
        this.llavaGuardVersion = b.llavaGuardVersion;
        this.overwrite = b.overwrite;
        this.threads = b.threads;
        this.progress = b.progress;
    }

    /** Options writing into {@code outDir}, with the defaults: F16 text model and mmproj, no overwriting. */
    public static Builder builder(Path outDir) {
        return new Builder(outDir);
    }

    /** The folder the two files are written into (created when missing). */
    public Path outDir() {
        return outDir;
    }

    /** The file name stem; empty: the checkpoint folder's name. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** The text model's type: F16 (default), F32 and BF16 are written directly, the rest quantized from F16. */
    public QuantizationType type() {
        return type;
    }

    /** The mmproj's matrix type: F16 (default), F32, or Q8_0 (quantized from F16). */
    public QuantizationType mmprojType() {
        return mmprojType;
    }

    /** The LlavaGuard version to declare; empty: v1.2 for OneVision, v1.1 for LLaVA-1.5 checkpoints. */
    public Optional<String> llavaGuardVersion() {
        return Optional.ofNullable(llavaGuardVersion);
    }

    /** Whether existing target files may be replaced. */
    public boolean overwrite() {
        return overwrite;
    }

    /** Threads for llama.cpp's quantizer. */
    public int threads() {
        return threads;
    }

    /** Who is told about progress. */
    public ConvertProgress progress() {
        return progress;
    }

    /** Builds {@link ConvertOptions}. */
    public static final class Builder {
        private final Path outDir;
        private String name;
        private QuantizationType type = QuantizationType.F16;
        private QuantizationType mmprojType = QuantizationType.F16;
        private String llavaGuardVersion;
        private boolean overwrite;
        private int threads = Runtime.getRuntime().availableProcessors();
        private ConvertProgress progress = ConvertProgress.NONE;

        private Builder(Path outDir) {
            this.outDir = Objects.requireNonNull(outDir, "outDir");
        }

        /**
         * The file name stem: the files are {@code NAME.gguf} and {@code NAME-mmproj.gguf}.
         *
         * @throws IllegalArgumentException for an empty name or one with a path separator
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new IllegalArgumentException(
                        "the name '" + name + "' must be a plain file name stem (no folders, not starting with '.')");
            }
            this.name = name;
            return this;
        }

        /** The text model's type. */
        public Builder type(QuantizationType type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * The mmproj's matrix type.
         *
         * @throws IllegalArgumentException unless F16, F32 or Q8_0 (the only mmproj quantization offered)
         */
        public Builder mmprojType(QuantizationType type) {
            if (type != QuantizationType.F16 && type != QuantizationType.F32 && type != QuantizationType.Q8_0) {
                throw new IllegalArgumentException("the mmproj can be F16, F32 or Q8_0, not " + type);
            }
            this.mmprojType = type;
            return this;
        }

        /**
         * The LlavaGuard version both files declare, e.g. {@code v1.0} for the first-generation checkpoints.
         *
         * @throws IllegalArgumentException for a version SafetyGuard does not know
         */
        public Builder llavaGuardVersion(String version) {
            Objects.requireNonNull(version, "version");
            String v = version.trim();
            v = v.startsWith("v") ? v : "v" + v;
            if (!v.matches("v1\\.[0-2]") || LlavaGuardFamily.fromVersion(v) == LlavaGuardFamily.UNKNOWN) {
                throw new IllegalArgumentException(
                        "unknown LlavaGuard version '" + version + "'; use v1.0, v1.1 or v1.2");
            }
            this.llavaGuardVersion = v;
            return this;
        }

        /** Allow replacing existing target files. */
        public Builder overwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        /** Threads for llama.cpp's quantizer (at least 1). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Who is told about progress. */
        public Builder progress(ConvertProgress progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        public ConvertOptions build() {
            return new ConvertOptions(this);
        }
    }
}
