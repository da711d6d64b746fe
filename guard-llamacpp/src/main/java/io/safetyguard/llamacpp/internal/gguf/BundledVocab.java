package io.safetyguard.llamacpp.internal.gguf;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The tokenizer vocab files ({@code ggml-vocab-*.gguf}) the native build copies into this module
 * under {@value #RESOURCE_DIR}. That directory is a package of this module, so under JPMS only code
 * in this module may read it; other modules (the tiny-model generator) go through here.
 */
public final class BundledVocab {

    /** Where build-natives.sh puts the vocab files (its VOCAB_DEST, relative to the output root). */
    public static final String RESOURCE_DIR = "/io/safetyguard/llamacpp/vocab/";

    private BundledVocab() {}

    /**
     * The bytes of a bundled vocab file, or empty when this build carries none of that name.
     *
     * @param fileName a plain file name such as {@code ggml-vocab-qwen2.gguf}
     */
    public static Optional<byte[]> read(String fileName) throws IOException {
        if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\")) {
            throw new IllegalArgumentException("not a plain file name: " + fileName);
        }
        try (InputStream in = BundledVocab.class.getResourceAsStream(RESOURCE_DIR + fileName)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        }
    }
}
