package io.safetyguard.llamacpp.internal.jni;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.internal.NativeBridge;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A loaded llama.cpp text model ({@code llama_model}) and its vocabulary. Thread-safe: the model's weights and
 * tokenizer are read-only once loaded.
 */
public final class LlamaModel extends NativeResource {

    /** Token pieces by id, read on first use; an array rather than a map so that a lookup allocates nothing. */
    private volatile AtomicReferenceArray<byte[]> pieces;

    private LlamaModel(long handle) {
        super("the llama.cpp model", handle, LlamaModel::nativeFree);
    }

    /**
     * Loads the GGUF text model at {@code file}.
     *
     * @param gpuLayers layers to offload (0: none, -1: all)
     * @param useMmap   map the file instead of reading it into memory
     * @throws ModelException with llama.cpp's reason when it cannot load the file
     */
    public static LlamaModel load(Path file, int gpuLayers, boolean useMmap) throws ModelException {
        NativeBridge.clearRecentProblems();
        long handle = nativeLoad(NativeBridge.utf8(file.toAbsolutePath().toString()), gpuLayers, useMmap ? -1 : 0);
        if (handle == 0) {
            throw new ModelException(
                    "llama.cpp could not load " + file + ": " + NativeBridge.orUnknown(NativeBridge.recentProblems()));
        }
        return new LlamaModel(handle);
    }

    /** Width of the embeddings the model reads (what an image projector must produce). */
    public int inputEmbeddingWidth() {
        long h = enter();
        try {
            return nativeEmbeddingWidth(h);
        } finally {
            exit();
        }
    }

    /** The context length the model was trained with (0 if unknown). */
    public int trainedContextSize() {
        long h = enter();
        try {
            return nativeTrainedContext(h);
        } finally {
            exit();
        }
    }

    public int vocabularySize() {
        long h = enter();
        try {
            return nativeVocabularySize(h);
        } finally {
            exit();
        }
    }

    /** Bytes of the model's tensors. */
    public long sizeBytes() {
        long h = enter();
        try {
            return nativeSize(h);
        } finally {
            exit();
        }
    }

    /**
     * Tokenizes {@code text} with the model's tokenizer; null when the text is too long for llama.cpp.
     *
     * @param addSpecial   add BOS (and whatever the vocabulary adds)
     * @param parseSpecial read special-token text (e.g. {@code <|im_start|>}) as the special token
     */
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        long h = enter();
        try {
            return nativeTokenize(h, NativeBridge.utf8(text), addSpecial, parseSpecial);
        } finally {
            exit();
        }
    }

    /**
     * The bytes a token writes in generated text (special tokens render as nothing); cached per token, for the
     * tokens generation meets.
     */
    public byte[] piece(int token) {
        AtomicReferenceArray<byte[]> cache = pieces;
        if (cache == null) {
            cache = new AtomicReferenceArray<>(vocabularySize());
            pieces = cache; // two threads racing here each fill a cache of their own once: harmless
        }
        if (token < 0 || token >= cache.length()) {
            return readPiece(token); // the native side reports the bad id
        }
        byte[] p = cache.get(token);
        if (p == null) {
            p = readPiece(token);
            cache.set(token, p);
        }
        return p;
    }

    /** The text of a token as generation writes it, read from the vocabulary without caching (for scans of it). */
    public String tokenText(int token) {
        return new String(readPiece(token), StandardCharsets.UTF_8);
    }

    /** The bytes a token writes, read from the vocabulary without caching (for scans of it). */
    public byte[] tokenBytes(int token) {
        return readPiece(token);
    }

    private byte[] readPiece(int token) {
        long h = enter();
        try {
            return nativeTokenPiece(h, token, false);
        } finally {
            exit();
        }
    }

    public boolean isEndOfGeneration(int token) {
        long h = enter();
        try {
            return nativeTokenIsEog(h, token);
        } finally {
            exit();
        }
    }

    /** An end-of-generation token (EOS, else EOT), or -1 if the vocabulary has none. */
    public int endOfGenerationToken() {
        long h = enter();
        try {
            return nativeEogToken(h);
        } finally {
            exit();
        }
    }

    // load_mode: llama_load_mode (-1 auto, 0 read into memory, 1 mmap); 0 on failure (see the log)
    private static native long nativeLoad(byte[] path, int nGpuLayers, int loadMode);

    private static native void nativeFree(long model);

    private static native int nativeEmbeddingWidth(long model);

    private static native int nativeTrainedContext(long model);

    private static native int nativeVocabularySize(long model);

    private static native long nativeSize(long model);

    private static native int[] nativeTokenize(long model, byte[] text, boolean addSpecial, boolean parseSpecial);

    private static native byte[] nativeTokenPiece(long model, int token, boolean special);

    private static native boolean nativeTokenIsEog(long model, int token);

    private static native int nativeEogToken(long model);
}
