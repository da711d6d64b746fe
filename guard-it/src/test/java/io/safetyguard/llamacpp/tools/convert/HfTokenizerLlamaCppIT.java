package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.PromptLayout;
import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import io.safetyguard.llamacpp.tools.tiny.AddedTokens;
import io.safetyguard.llamacpp.tools.tiny.HfTokenizerFiles;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelOptions;
import io.safetyguard.llamacpp.tools.tiny.TinyVocab;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tokenizer a checkpoint's files convert to ({@link HfTokenizerReader}) tokenizes in real llama.cpp exactly as
 * the Hugging Face tokenizers do, and as the vocab files in llama.cpp's tree do.
 *
 * <p>For each case the Hugging Face tokenizer files are written from the pinned tree's vocab GGUF
 * ({@link HfTokenizerFiles}), read back into {@code tokenizer.*} keys, and a tiny text model is generated with
 * those keys; a second tiny model copies the tree's vocab file unchanged. Then:
 * <ul>
 *   <li>the converted model tokenizes llama.cpp's test vectors (texts and ids made with the Hugging Face
 *       tokenizers, {@code models/ggml-vocab-*.gguf.inp/.out}) to exactly the recorded ids, as
 *       tests/test-tokenizer-0.cpp runs them (no BOS/EOS, special text not parsed);</li>
 *   <li>the default LlavaGuard prompts (v1.2 ChatML for Qwen2, v1.0 Vicuna for Llama), tokenized as the engine
 *       does (BOS before the image, special text parsed), give the same ids with both models;</li>
 *   <li>{@code <image>} in the prompt is one token, the checkpoint's image token.</li>
 * </ul>
 * The Llama tokenizer is converted twice: from tokenizer.model, and from tokenizer.json alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HfTokenizerLlamaCppIT {

    enum Source {
        QWEN2_TOKENIZER_JSON(TinyModelFlavor.QWEN2_SIGLIP, 151936, PromptLayout.CHATML, "llavaguard-v1.2", false),
        LLAMA_TOKENIZER_MODEL(TinyModelFlavor.LLAMA_CLIP, 32064, PromptLayout.VICUNA_V1, "llavaguard-v1.0", false),
        LLAMA_TOKENIZER_JSON_ONLY(TinyModelFlavor.LLAMA_CLIP, 32064, PromptLayout.VICUNA_V1, "llavaguard-v1.0", true);

        final TinyModelFlavor flavor;
        /** The embedding rows of the published checkpoints' text config. */
        final int vocabSize;

        final PromptLayout layout;
        final String policy;
        final boolean dropTokenizerModel;

        Source(TinyModelFlavor flavor, int vocabSize, PromptLayout layout, String policy, boolean dropModel) {
            this.flavor = flavor;
            this.vocabSize = vocabSize;
            this.layout = layout;
            this.policy = policy;
            this.dropTokenizerModel = dropModel;
        }
    }

    private record Models(LlamaModel converted, LlamaModel pinned, AddedTokens added) {}

    @TempDir
    Path dir;

    private final List<LlamaModel> open = new ArrayList<>();
    private final Map<Source, Models> cache = new EnumMap<>(Source.class);

    @BeforeAll
    void initialiseNatives() {
        NativeBridge.ensureInitialised();
    }

    @AfterAll
    void closeModels() {
        open.forEach(LlamaModel::close);
    }

    @ParameterizedTest
    @EnumSource(Source.class)
    void convertedTokenizerReproducesTheHuggingFaceTestVectors(Source source) throws Exception {
        Models m = models(source);
        List<LlamaCppTokenizerVectors.Case> cases = LlamaCppTokenizerVectors.load(source.flavor.vocabFile());
        assertThat(cases).hasSizeGreaterThan(40);

        List<String> convertedWrong = new ArrayList<>();
        List<String> pinnedWrong = new ArrayList<>();
        for (LlamaCppTokenizerVectors.Case c : cases) {
            int[] converted = m.converted().tokenize(c.text(), false, false);
            if (!Arrays.equals(converted, c.ids())) {
                convertedWrong.add(describe(c, converted));
            }
            int[] pinned = m.pinned().tokenize(c.text(), false, false);
            if (!Arrays.equals(pinned, c.ids())) {
                pinnedWrong.add(describe(c, pinned));
            }
        }
        // the harness check: the vocab file itself passes its vectors
        assertThat(pinnedWrong).as("the tree's own vocab file on its vectors").isEmpty();
        assertThat(convertedWrong).as("the converted tokenizer on the vectors").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Source.class)
    void defaultPromptTokenizesAsWithTheTreesVocabAndImageIsOneToken(Source source) throws Exception {
        Models m = models(source);
        String policy = Policy.preset(source.policy).render();
        int[] before = m.pinned().tokenize(source.layout.textBeforeMedia(), true, true);
        int[] after = m.pinned().tokenize(source.layout.textAfterMedia(policy), false, true);
        assertThat(after.length).isGreaterThan(100);

        assertThat(m.converted().tokenize(source.layout.textBeforeMedia(), true, true))
                .isEqualTo(before);
        assertThat(m.converted().tokenize(source.layout.textAfterMedia(policy), false, true))
                .isEqualTo(after);

        int image = m.added().imageTokenId();
        int[] whole = m.converted().tokenize(source.layout.render(policy, "<image>"), true, true);
        int[] expected = IntStream.concat(
                        IntStream.concat(Arrays.stream(before), IntStream.of(image)), Arrays.stream(after))
                .toArray();
        assertThat(whole).isEqualTo(expected);
        assertThat(Arrays.stream(whole).filter(t -> t == image).count()).isEqualTo(1);
    }

    private Models models(Source source) throws IOException, ModelException {
        Models cached = cache.get(source);
        if (cached != null) {
            return cached;
        }
        Path root = Files.createDirectories(dir.resolve(source.name().toLowerCase()));
        GgufFile treeVocab = TinyVocab.load(source.flavor, Optional.empty());
        Path checkpoint = root.resolve("checkpoint");
        AddedTokens added =
                HfTokenizerFiles.write(treeVocab, checkpoint, source.flavor == TinyModelFlavor.QWEN2_SIGLIP);
        if (source.dropTokenizerModel) {
            Files.delete(checkpoint.resolve("tokenizer.model"));
        }
        Map<String, GgufValue> keys =
                HfTokenizerReader.read(checkpoint, source.flavor.architecture(), source.vocabSize);
        Path convertedVocab = root.resolve("converted-vocab.gguf");
        GgufWriter w = new GgufWriter(convertedVocab).putString("general.architecture", source.flavor.architecture());
        keys.forEach(w::put);
        w.write();

        Path convertedModel = TinyModelGenerator.generate(
                        TinyModelOptions.defaults(source.flavor).withVocab(convertedVocab), root.resolve("converted"))
                .model();
        // the tiny generator types control-looking tokens CONTROL (as llama.cpp's loader would, with a warning);
        // the converted types must need no such fix, or the checks would test the generator, not the reader
        assertThat(GgufReader.read(convertedModel).getInt32Array("tokenizer.ggml.token_type"))
                .isEqualTo(keys.get("tokenizer.ggml.token_type").toIntArray());
        Path pinnedModel = TinyModelGenerator.generate(source.flavor, root.resolve("pinned"))
                .model();
        Models m = new Models(load(convertedModel), load(pinnedModel), added);
        cache.put(source, m);
        return m;
    }

    private LlamaModel load(Path model) throws ModelException {
        LlamaModel m = LlamaModel.load(model, 0, true);
        open.add(m);
        return m;
    }

    private static String describe(LlamaCppTokenizerVectors.Case c, int[] got) {
        return "'" + c.text() + "': expected " + Arrays.toString(c.ids()) + " got " + Arrays.toString(got);
    }
}
