package io.safetyguard.llamacpp.internal.gguf;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a text-model GGUF says about itself, for reports and for checking it against its mmproj.
 *
 * @param file            the file name as given
 * @param architecture    {@code general.architecture}, e.g. {@code llama} or {@code qwen2}
 * @param embeddingLength {@code {arch}.embedding_length}: the width image embeddings must have
 * @param blockCount      {@code {arch}.block_count}
 * @param contextLength   {@code {arch}.context_length}, the training context
 * @param vocabSize       number of tokens in {@code tokenizer.ggml.tokens}
 * @param tokenizerModel  {@code tokenizer.ggml.model}, e.g. {@code llama} (SentencePiece) or {@code gpt2} (BPE)
 * @param hasChatTemplate whether {@code tokenizer.chat_template} is present
 * @param fileType        {@code general.file_type} (the quantization), if recorded
 * @param family          which LlavaGuard release this looks like
 * @param declaredVersion {@code safetyguard.llavaguard.version}, if present; otherwise {@code family} is a guess
 * @param tiny            {@code safetyguard.tiny}: a random-weight test model whose verdicts mean nothing
 * @param tensorCount     number of tensors
 */
public record TextModelSummary(
        String file,
        String architecture,
        long embeddingLength,
        long blockCount,
        OptionalLong contextLength,
        long vocabSize,
        Optional<String> tokenizerModel,
        boolean hasChatTemplate,
        OptionalLong fileType,
        LlavaGuardFamily family,
        Optional<String> declaredVersion,
        boolean tiny,
        int tensorCount) {

    public TextModelSummary {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(contextLength, "contextLength");
        Objects.requireNonNull(tokenizerModel, "tokenizerModel");
        Objects.requireNonNull(fileType, "fileType");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(declaredVersion, "declaredVersion");
    }

    /** The quantization name, e.g. {@code F16} or {@code Q4_K_M}; {@code unrecorded} when absent. */
    public String fileTypeName() {
        return fileType.isPresent() ? LlamaFileTypes.name(fileType.getAsLong()) : "unrecorded";
    }

    /** Whether {@link #family()} comes from the {@code safetyguard.llavaguard.version} key rather than a guess. */
    public boolean familyDeclared() {
        return declaredVersion.isPresent();
    }

    /** One line for reports. */
    public String describe() {
        return file + ": " + Printable.of(architecture) + ", " + blockCount + " layers, width " + embeddingLength
                + ", context " + (contextLength.isPresent() ? contextLength.getAsLong() : "?") + ", vocab "
                + vocabSize + " (" + tokenizerModel.map(Printable::of).orElse("no tokenizer") + ")"
                + (hasChatTemplate ? ", chat template" : "") + ", " + fileTypeName() + "; "
                + family.description() + (familyDeclared() ? "" : " (guessed from the architecture)")
                + (tiny ? "; TINY TEST MODEL" : "");
    }
}
