package io.safetyguard.llamacpp.tools.tiny;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The two kinds of tiny LlavaGuard-shaped model pairs, one per LlavaGuard family. */
public enum TinyModelFlavor {
    /**
     * Like LlavaGuard v1.0/v1.1 (LLaVA-1.5): arch {@code llama} with the 32k SentencePiece vocab, a CLIP-style tower
     * (class embedding, pre-layernorm), no pinpoints.
     */
    LLAMA_CLIP("llama-clip", "llama", "ggml-vocab-llama-spm.gguf", "llama", 64, "v1.1", true, false),
    /**
     * Like LlavaGuard v1.2 (LLaVA-OneVision): arch {@code qwen2} with q/k/v biases and the 152k BPE vocab, a
     * SigLIP-style tower (no class embedding), anyres pinpoints, {@code spatial_unpad} and {@code v.image_newline}.
     */
    QWEN2_SIGLIP("qwen2-siglip", "qwen2", "ggml-vocab-qwen2.gguf", "gpt2", 32, "v1.2", false, true);

    private final String cliName;
    private final String architecture;
    private final String vocabFile;
    private final String tokenizerModel;
    private final int defaultTextEmbd;
    private final String llavaGuardVersion;
    private final boolean clipStyleTower;
    private final boolean anyres;

    TinyModelFlavor(
            String cliName,
            String architecture,
            String vocabFile,
            String tokenizerModel,
            int defaultTextEmbd,
            String llavaGuardVersion,
            boolean clipStyleTower,
            boolean anyres) {
        this.cliName = cliName;
        this.architecture = architecture;
        this.vocabFile = vocabFile;
        this.tokenizerModel = tokenizerModel;
        this.defaultTextEmbd = defaultTextEmbd;
        this.llavaGuardVersion = llavaGuardVersion;
        this.clipStyleTower = clipStyleTower;
        this.anyres = anyres;
    }

    /** The name used on the command line and in file names, e.g. {@code llama-clip}. */
    public String cliName() {
        return cliName;
    }

    /** The text model's {@code general.architecture}. */
    public String architecture() {
        return architecture;
    }

    /** File name of the vocab-only GGUF (from llama.cpp's {@code models/}) whose tokenizer is copied. */
    public String vocabFile() {
        return vocabFile;
    }

    /** The {@code tokenizer.ggml.model} the vocab must have. */
    public String tokenizerModel() {
        return tokenizerModel;
    }

    /** Default text embedding width. */
    public int defaultTextEmbd() {
        return defaultTextEmbd;
    }

    /** The value written to {@code safetyguard.llavaguard.version}. */
    public String llavaGuardVersion() {
        return llavaGuardVersion;
    }

    /** CLIP-style tower: class embedding and pre-layernorm (otherwise SigLIP-style). */
    public boolean clipStyleTower() {
        return clipStyleTower;
    }

    /** Anyres tiling: pinpoints, {@code spatial_unpad} and {@code v.image_newline}. */
    public boolean anyres() {
        return anyres;
    }

    /** Whether the text model has q/k/v biases (qwen2 does). */
    public boolean attentionBiases() {
        return architecture.equals("qwen2");
    }

    /** The flavour with this {@link #cliName()} (or enum name), case-insensitive. */
    public static TinyModelFlavor fromCliName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (TinyModelFlavor f : values()) {
            if (f.cliName.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown tiny model flavour '" + name + "'; use one of "
                + Arrays.stream(values()).map(TinyModelFlavor::cliName).collect(Collectors.joining(", ")));
    }
}
