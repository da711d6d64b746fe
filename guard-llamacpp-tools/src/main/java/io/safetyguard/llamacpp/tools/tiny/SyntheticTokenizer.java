package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a synthetic checkpoint's tokenizer files ({@link HfTokenizerFiles}) from the pinned llama.cpp vocab and
 * checks that the ids it assigns are the ones {@code config.json} names and that the embedding has a row for each.
 */
final class SyntheticTokenizer {
    private SyntheticTokenizer() {}

    static AddedTokens write(SyntheticCheckpointOptions options, Path dir) throws IOException {
        HfArchitecture arch = options.architecture();
        boolean oneVision = arch == HfArchitecture.LLAVA_ONEVISION;
        TinyModelFlavor flavor = oneVision ? TinyModelFlavor.QWEN2_SIGLIP : TinyModelFlavor.LLAMA_CLIP;
        GgufFile vocab = TinyVocab.load(flavor, options.vocab());
        AddedTokens ids = HfTokenizerFiles.write(vocab, dir, oneVision);
        int extra = oneVision ? ids.videoTokenId().orElse(-1) : ids.padTokenId();
        if (ids.imageTokenId() != arch.imageTokenIndex()
                || extra != arch.extraTokenIndex()
                || ids.bosTokenId() != arch.bosTokenId()) {
            throw new IOException(vocab.name() + ": the tokenizer built from it gives <image> " + ids.imageTokenId()
                    + ", " + (oneVision ? "<video> " : "<pad> ") + extra + ", bos " + ids.bosTokenId()
                    + " but a " + arch.className() + " checkpoint names " + arch.imageTokenIndex() + ", "
                    + arch.extraTokenIndex() + ", " + arch.bosTokenId());
        }
        int rows = options.dims().vocabSize();
        if (ids.size() > rows) {
            throw new IOException(
                    vocab.name() + ": the tokenizer has " + ids.size() + " tokens but the embedding " + rows + " rows");
        }
        return ids;
    }
}
