package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.BundledVocab;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds and reads the vocab-only GGUF whose tokenizer a tiny model copies. Looked up, in order:
 * <ol>
 *   <li>an explicit file ({@link TinyModelOptions#vocab()});</li>
 *   <li>the resource {@value #RESOURCE_DIR}{@code <file>} of guard-llamacpp, where the native build puts
 *       llama.cpp's {@code models/ggml-vocab-*.gguf};</li>
 *   <li>the directory named by the system property {@value #VOCAB_DIR_PROPERTY}, e.g. a llama.cpp checkout's
 *       {@code models/}.</li>
 * </ol>
 * When none has the file, the error says how to provide it.
 */
public final class TinyVocab {
    /** Resource directory of the bundled vocab files, inside guard-llamacpp (which reads them). */
    public static final String RESOURCE_DIR = BundledVocab.RESOURCE_DIR;
    /** System property naming a directory that holds the vocab files. */
    public static final String VOCAB_DIR_PROPERTY = "safetyguard.llama.vocab.dir";

    private TinyVocab() {}

    /**
     * Reads the vocab for a flavour and checks that it is the right kind.
     *
     * @param explicit a vocab file to use instead of looking one up
     * @throws FileNotFoundException when no vocab file can be found (the message says where it looked)
     * @throws IOException           when it cannot be read, is not GGUF, or has the wrong tokenizer
     */
    public static GgufFile load(TinyModelFlavor flavor, Optional<Path> explicit) throws IOException {
        GgufFile vocab = read(flavor, explicit);
        String model = vocab.findString(ModelKeys.TOKENIZER_MODEL).orElse("(none)");
        if (!model.equals(flavor.tokenizerModel())) {
            throw new IOException(vocab.name() + ": tokenizer model is '" + model + "' but the "
                    + flavor.cliName() + " flavour needs a '" + flavor.tokenizerModel() + "' vocab such as "
                    + flavor.vocabFile());
        }
        if (vocab.findStringArray(ModelKeys.TOKENIZER_TOKENS)
                .map(t -> t.isEmpty())
                .orElse(true)) {
            throw new IOException(vocab.name() + ": has no tokens (" + ModelKeys.TOKENIZER_TOKENS + ")");
        }
        return vocab;
    }

    private static GgufFile read(TinyModelFlavor flavor, Optional<Path> explicit) throws IOException {
        if (explicit.isPresent()) {
            return GgufReader.read(explicit.get());
        }
        String resource = RESOURCE_DIR + flavor.vocabFile();
        // read by guard-llamacpp: under JPMS the directory is encapsulated in that module
        Optional<byte[]> bundled = BundledVocab.read(flavor.vocabFile());
        if (bundled.isPresent()) {
            return GgufReader.read("classpath:" + resource, bundled.get());
        }
        String dir = System.getProperty(VOCAB_DIR_PROPERTY);
        if (dir != null && !dir.isBlank()) {
            Path file = Path.of(dir).resolve(flavor.vocabFile());
            if (Files.isRegularFile(file)) {
                return GgufReader.read(file);
            }
        }
        throw new FileNotFoundException("cannot find the vocab file " + flavor.vocabFile() + " for a tiny "
                + flavor.cliName() + " model: it is not on the classpath at " + resource
                + " (the native build copies llama.cpp's models/ggml-vocab-*.gguf there) and "
                + (dir == null || dir.isBlank()
                        ? "the system property " + VOCAB_DIR_PROPERTY + " is not set"
                        : "the directory " + dir + " named by -D" + VOCAB_DIR_PROPERTY + " does not contain it")
                + ". Set -D" + VOCAB_DIR_PROPERTY + "=<llama.cpp>/models or pass the vocab file explicitly");
    }
}
