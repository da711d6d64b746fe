package io.safetyguard.llamacpp.tools.convert;

import io.safetyguard.llamacpp.TestHost;
import io.safetyguard.llamacpp.internal.gguf.BundledVocab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * llama.cpp's tokenizer test vectors ({@code models/ggml-vocab-*.gguf.inp} and {@code .out}, made with the Hugging
 * Face tokenizers) of the tree our natives were built from. They are test data only, so the build does not put
 * them in the jar; they are read from the llama.cpp source tree itself:
 * <ol>
 *   <li>{@code -Dsafetyguard.llama.cpp.dir} (guard-it's pom passes {@code -Dllama.cpp.dir}, the local checkout
 *       the natives were built from) or the environment variable {@code LLAMA_CPP_DIR};</li>
 *   <li>otherwise the trees build-natives.sh extracts into its cache,
 *       {@code ${SAFETYGUARD_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/safetyguard}/src/llama.cpp-*}.</li>
 * </ol>
 * A tree counts only when its {@code ggml-vocab-*.gguf} files are byte for byte the ones bundled with the natives,
 * so the vectors always belong to the vocabularies under test.
 */
final class LlamaCppTokenizerVectors {
    /** The separator of the test strings in a {@code .inp} file (tests/test-tokenizer-0.cpp). */
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    /** One test: the text and the ids llama.cpp must produce (no BOS/EOS added, special text not parsed). */
    record Case(String text, int[] ids) {}

    private LlamaCppTokenizerVectors() {}

    /** The cases for a vocab file such as {@code ggml-vocab-qwen2.gguf}, in file order. */
    static List<Case> load(String vocabFile) {
        Path models = modelsDir(vocabFile);
        try {
            String inp = Files.readString(models.resolve(vocabFile + ".inp"), StandardCharsets.UTF_8);
            List<String> out = Files.readAllLines(models.resolve(vocabFile + ".out"), StandardCharsets.UTF_8);
            List<String> texts = new ArrayList<>();
            int pos = 0;
            while (pos < inp.length()) {
                int next = inp.indexOf(SEPARATOR, pos);
                if (next < 0) {
                    texts.add(inp.substring(pos));
                    break;
                }
                texts.add(inp.substring(pos, next));
                pos = next + SEPARATOR.length();
            }
            if (texts.size() != out.size()) {
                throw new IllegalStateException(models + ": " + vocabFile + ".inp has " + texts.size() + " tests but "
                        + vocabFile + ".out has " + out.size() + " lines");
            }
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                String ids = out.get(i).strip();
                cases.add(new Case(
                        texts.get(i),
                        ids.isEmpty()
                                ? new int[0]
                                : Arrays.stream(ids.split(" "))
                                        .mapToInt(Integer::parseInt)
                                        .toArray()));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first candidate {@code models/} folder that has the vectors and the bundled vocab file. */
    static Path modelsDir(String vocabFile) {
        byte[] bundled;
        try {
            bundled = BundledVocab.read(vocabFile)
                    .orElseThrow(() -> new IllegalStateException(
                            vocabFile + " is not bundled with the natives (guard-llamacpp's native build copies it)"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> looked = new ArrayList<>();
        for (Path models : candidates()) {
            Path vocab = models.resolve(vocabFile);
            looked.add(models.toString());
            try {
                if (Files.isRegularFile(models.resolve(vocabFile + ".inp"))
                        && Files.isRegularFile(models.resolve(vocabFile + ".out"))
                        && Files.isRegularFile(vocab)
                        && Arrays.equals(Files.readAllBytes(vocab), bundled)) {
                    return models;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("cannot find llama.cpp's tokenizer test vectors " + vocabFile + ".inp/.out"
                + " next to a " + vocabFile + " equal to the bundled one; looked in " + looked
                + ". Build guard-llamacpp (its native build extracts the llama.cpp tree into the cache) or pass"
                + " -Dsafetyguard.llama.cpp.dir=<the llama.cpp tree the natives were built from>");
    }

    private static List<Path> candidates() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String tree :
                new String[] {System.getProperty("safetyguard.llama.cpp.dir"), System.getenv("LLAMA_CPP_DIR")}) {
            if (tree != null && !tree.isBlank() && !tree.startsWith("${")) {
                dirs.add(Path.of(tree).resolve("models"));
            }
        }
        Path src = TestHost.cacheRoot().resolve("src");
        if (Files.isDirectory(src)) {
            try (Stream<Path> trees = Files.list(src)) {
                trees.filter(p -> p.getFileName().toString().startsWith("llama.cpp-"))
                        .sorted()
                        .forEach(p -> dirs.add(p.resolve("models")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(dirs);
    }
}
