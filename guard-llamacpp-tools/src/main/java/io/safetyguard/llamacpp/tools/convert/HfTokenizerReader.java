package io.safetyguard.llamacpp.tools.convert;

import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Placeholder until the tokenizer conversion lands: reads nothing yet. */
public final class HfTokenizerReader {
    private HfTokenizerReader() {}

    /**
     * The {@code tokenizer.*} GGUF keys of a Hugging Face checkpoint, in order, padded to {@code vocabSize}.
     *
     * @param textArchitecture {@code qwen2} or {@code llama}
     */
    public static Map<String, GgufValue> read(Path checkpointDir, String textArchitecture, int vocabSize)
            throws IOException {
        throw new UnsupportedOperationException("tokenizer conversion is not available yet");
    }
}
