package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the tokenizer files of a published LlavaGuard Hugging Face checkpoint, built from a vocab-only GGUF of
 * llama.cpp's tree, for synthetic checkpoints in exactly the published formats.
 *
 * <ul>
 *   <li>OneVision ({@code LlavaGuard-v1.2-*-OV-hf}, like {@code llava-hf/llava-onevision-qwen2-*-ov-hf}): the Qwen2
 *       byte-level BPE tokenizer from {@code ggml-vocab-qwen2.gguf} with its three ChatML control tokens, plus
 *       {@code <image>} and {@code <video>} as LLaVA-OneVision's converter adds them. Files: tokenizer.json,
 *       tokenizer_config.json, special_tokens_map.json.</li>
 *   <li>LLaVA-1.5 ({@code LlavaGuard-v1.0/v1.1-*-hf}, like {@code llava-hf/llava-1.5-7b-hf}): the Llama
 *       SentencePiece tokenizer from {@code ggml-vocab-llama-spm.gguf}, plus {@code <image>} (32000) and
 *       {@code <pad>} (32001). Files: tokenizer.model, tokenizer.json, tokenizer_config.json,
 *       special_tokens_map.json.</li>
 * </ul>
 *
 * Existing files of these names in {@code dir} are replaced; the directory is created when missing.
 */
public final class HfTokenizerFiles {
    private HfTokenizerFiles() {}

    /**
     * Writes the tokenizer files.
     *
     * @param vocab     {@code ggml-vocab-qwen2.gguf} when {@code oneVision}, else {@code ggml-vocab-llama-spm.gguf}
     * @param dir       the checkpoint folder
     * @param oneVision LLaVA-OneVision (Qwen2) files rather than LLaVA-1.5 (Llama) ones
     * @return the ids of the special and added tokens and the tokenizer's size
     * @throws IOException when the vocab is of the wrong kind or lacks a token these tokenizers need, or on a write
     *                     error
     */
    public static AddedTokens write(GgufFile vocab, Path dir, boolean oneVision) throws IOException {
        String expected = oneVision ? "gpt2" : "llama";
        String model = vocab.findString(ModelKeys.TOKENIZER_MODEL).orElse("(none)");
        if (!model.equals(expected)) {
            throw new IOException(vocab.name() + ": tokenizer model is '" + model + "' but "
                    + (oneVision ? "a OneVision (Qwen2)" : "a LLaVA-1.5 (Llama)") + " tokenizer needs a '" + expected
                    + "' vocab such as " + (oneVision ? "ggml-vocab-qwen2.gguf" : "ggml-vocab-llama-spm.gguf"));
        }
        Files.createDirectories(dir);
        return oneVision ? Qwen2TokenizerFiles.write(vocab, dir) : LlamaTokenizerFiles.write(vocab, dir);
    }
}
