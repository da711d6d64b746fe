package io.safetyguard.llamacpp.tools.tiny;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.internal.gguf.Float16;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.LlavaGuardFamily;
import io.safetyguard.llamacpp.internal.gguf.ModelPairReport;
import io.safetyguard.llamacpp.internal.gguf.ModelPairValidator;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated pairs have exactly the keys, tensors, shapes and types of the reference generator
 * (docs/tiny_model_reference.py, verified to run in llama.cpp v0.4.0; see docs/llamacpp.md §4.3). Needs the vocab GGUFs: from the
 * classpath (copied by the native build) or -Dsafetyguard.llama.vocab.dir; without them these tests fail with a
 * message saying so.
 */
class TinyModelGeneratorTest {

    @TempDir
    Path dir;

    // ---- expected layouts, written out from the reference script (ggml ne order) ----

    private static List<String> expectedTextTensors(int nEmbd, int layers, boolean biases, long nVocab) {
        int ff = 2 * nEmbd;
        List<String> t = new ArrayList<>();
        t.add("token_embd.weight f16 [" + nEmbd + ", " + nVocab + "]");
        t.add("output_norm.weight f32 [" + nEmbd + "]");
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            t.add(p + "attn_norm.weight f32 [" + nEmbd + "]");
            for (String m : List.of("attn_q", "attn_k", "attn_v", "attn_output")) {
                t.add(p + m + ".weight f16 [" + nEmbd + ", " + nEmbd + "]");
            }
            if (biases) {
                for (String m : List.of("attn_q", "attn_k", "attn_v")) {
                    t.add(p + m + ".bias f32 [" + nEmbd + "]");
                }
            }
            t.add(p + "ffn_norm.weight f32 [" + nEmbd + "]");
            t.add(p + "ffn_gate.weight f16 [" + nEmbd + ", " + ff + "]");
            t.add(p + "ffn_up.weight f16 [" + nEmbd + ", " + ff + "]");
            t.add(p + "ffn_down.weight f16 [" + ff + ", " + nEmbd + "]");
        }
        return t;
    }

    private static List<String> expectedProjectorTensors(int nEmbd, int layers, boolean clip, boolean newline) {
        List<String> t = new ArrayList<>();
        t.add("v.patch_embd.weight f16 [14, 14, 3, 32]");
        t.add("v.patch_embd.bias f32 [32]");
        if (clip) {
            t.add("v.class_embd f32 [32]");
            t.add("v.pre_ln.weight f32 [32]");
            t.add("v.pre_ln.bias f32 [32]");
        }
        t.add("v.position_embd.weight f32 [32, " + (clip ? 5 : 4) + "]");
        for (int i = 0; i < layers; i++) {
            String p = "v.blk." + i + ".";
            for (String m : List.of("attn_q", "attn_k", "attn_v", "attn_out")) {
                t.add(p + m + ".weight f16 [32, 32]");
                t.add(p + m + ".bias f32 [32]");
            }
            for (String ln : List.of("ln1", "ln2")) {
                t.add(p + ln + ".weight f32 [32]");
                t.add(p + ln + ".bias f32 [32]");
            }
            t.add(p + "ffn_up.weight f16 [32, 48]");
            t.add(p + "ffn_up.bias f32 [48]");
            t.add(p + "ffn_down.weight f16 [48, 32]");
            t.add(p + "ffn_down.bias f32 [32]");
        }
        t.add("mm.0.weight f16 [32, " + nEmbd + "]");
        t.add("mm.0.bias f32 [" + nEmbd + "]");
        t.add("mm.2.weight f16 [" + nEmbd + ", " + nEmbd + "]");
        t.add("mm.2.bias f32 [" + nEmbd + "]");
        if (newline) {
            t.add("v.image_newline f32 [" + nEmbd + "]");
        }
        return t;
    }

    private static Map<String, String> expectedTextKeys(String arch, int nEmbd, String version) {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("general.architecture", "str=\"" + arch + "\"");
        k.put("general.name", "str");
        k.put(arch + ".context_length", "u32=4096");
        k.put(arch + ".embedding_length", "u32=" + nEmbd);
        k.put(arch + ".block_count", "u32=2");
        k.put(arch + ".feed_forward_length", "u32=" + 2 * nEmbd);
        k.put(arch + ".attention.head_count", "u32=4");
        k.put(arch + ".attention.head_count_kv", "u32=4");
        k.put(arch + ".attention.layer_norm_rms_epsilon", "f32=1.0E-6");
        if (arch.equals("qwen2")) {
            k.put("qwen2.rope.freq_base", "f32=1000000.0");
        }
        k.put("general.file_type", "u32=1");
        k.put("safetyguard.llavaguard.version", "str=\"" + version + "\"");
        k.put("safetyguard.tiny", "bool=true");
        return k;
    }

    private static Map<String, String> expectedProjectorKeys(int nEmbd, boolean anyres, String version) {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("general.architecture", "str=\"clip\"");
        k.put("general.name", "str");
        k.put("clip.has_vision_encoder", "bool=true");
        k.put("clip.projector_type", "str=\"mlp\"");
        k.put("clip.use_gelu", "bool=true");
        k.put("clip.vision.image_size", "u32=28");
        k.put("clip.vision.patch_size", "u32=14");
        k.put("clip.vision.embedding_length", "u32=32");
        k.put("clip.vision.feed_forward_length", "u32=48");
        k.put("clip.vision.block_count", "u32=2");
        k.put("clip.vision.projection_dim", "u32=" + nEmbd);
        k.put("clip.vision.attention.head_count", "u32=2");
        k.put("clip.vision.attention.layer_norm_epsilon", "f32=1.0E-6");
        k.put("clip.vision.image_mean", "arr[f32,3]=[0.5, 0.5, 0.5]");
        k.put("clip.vision.image_std", "arr[f32,3]=[0.5, 0.5, 0.5]");
        if (anyres) {
            k.put("clip.vision.image_grid_pinpoints", "arr[i32,8]=[28, 28, 28, 56, 56, 28, 56, 56]");
            k.put("clip.vision.mm_patch_merge_type", "str=\"spatial_unpad\"");
        }
        k.put("safetyguard.llavaguard.version", "str=\"" + version + "\"");
        k.put("safetyguard.tiny", "bool=true");
        return k;
    }

    /** Non-tokenizer keys as "type=value" (general.name only by type: its wording is free). */
    private static Map<String, String> keysOf(GgufFile f) {
        Map<String, String> k = new LinkedHashMap<>();
        f.metadata().forEach((key, v) -> {
            if (!key.startsWith("tokenizer.")) {
                k.put(key, key.equals("general.name") ? v.typeName() : v.typeName() + "=" + v);
            }
        });
        return k;
    }

    private static List<String> tensorsOf(GgufFile f) {
        return f.tensors().stream().map(GgufTensorInfo::toString).collect(Collectors.toList());
    }

    private static void assertTokenizerCopiedVerbatim(GgufFile model, GgufFile vocab, int expectedTokens)
            throws IOException {
        Map<String, GgufValue> expected = new LinkedHashMap<>();
        List<String> tokens = vocab.getStringArray("tokenizer.ggml.tokens");
        vocab.metadata().forEach((k, v) -> {
            if (k.equals(ControlTokens.TOKEN_TYPE_KEY)) {
                expected.put(k, ControlTokens.fix(tokens, v)); // the one change: control-looking tokens typed CONTROL
            } else if (k.startsWith("tokenizer.")) {
                expected.put(k, v);
            }
        });
        Map<String, GgufValue> actual = new LinkedHashMap<>();
        model.metadata().forEach((k, v) -> {
            if (k.startsWith("tokenizer.")) {
                actual.put(k, v);
            }
        });
        assertThat(actual).containsExactlyEntriesOf(expected);
        assertThat(model.getStringArray("tokenizer.ggml.tokens")).hasSize(expectedTokens);
    }

    // ---- the two flavours ----

    @Test
    void llamaClipPairHasTheReferenceLayout() throws IOException {
        TinyModelPair pair = TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir);

        assertThat(pair.model()).isEqualTo(dir.resolve("tiny-llama-clip.gguf"));
        assertThat(pair.mmproj()).isEqualTo(dir.resolve("tiny-llama-clip-mmproj.gguf"));
        GgufFile model = GgufReader.read(pair.model());
        GgufFile mmproj = GgufReader.read(pair.mmproj());

        assertThat(keysOf(model)).containsExactlyEntriesOf(expectedTextKeys("llama", 64, "v1.1"));
        assertThat(tensorsOf(model)).containsExactlyElementsOf(expectedTextTensors(64, 2, false, 32000));
        assertTokenizerCopiedVerbatim(model, TinyVocab.load(TinyModelFlavor.LLAMA_CLIP, Optional.empty()), 32000);
        assertThat(model.getString("tokenizer.ggml.model")).isEqualTo("llama");

        assertThat(keysOf(mmproj)).containsExactlyEntriesOf(expectedProjectorKeys(64, false, "v1.1"));
        assertThat(tensorsOf(mmproj))
                .containsExactlyElementsOf(expectedProjectorTensors(64, 2, true, false))
                .hasSize(42);
    }

    @Test
    void qwen2SiglipPairHasTheReferenceLayout() throws IOException {
        TinyModelPair pair = TinyModelGenerator.generate(TinyModelFlavor.QWEN2_SIGLIP, dir);
        GgufFile model = GgufReader.read(pair.model());
        GgufFile mmproj = GgufReader.read(pair.mmproj());

        assertThat(keysOf(model)).containsExactlyEntriesOf(expectedTextKeys("qwen2", 32, "v1.2"));
        assertThat(tensorsOf(model))
                .containsExactlyElementsOf(expectedTextTensors(32, 2, true, 151936))
                .hasSize(26);
        assertTokenizerCopiedVerbatim(model, TinyVocab.load(TinyModelFlavor.QWEN2_SIGLIP, Optional.empty()), 151936);
        assertThat(model.has("tokenizer.chat_template")).isTrue();

        assertThat(keysOf(mmproj)).containsExactlyEntriesOf(expectedProjectorKeys(32, true, "v1.2"));
        assertThat(mmproj.getInt32Array("clip.vision.image_grid_pinpoints"))
                .containsExactly(28, 28, 28, 56, 56, 28, 56, 56);
        assertThat(tensorsOf(mmproj))
                .containsExactlyElementsOf(expectedProjectorTensors(32, 2, false, true))
                .hasSize(40);
    }

    @Test
    void weightsAreSmallGaussiansAndNormsAreOnes() throws IOException {
        TinyModelPair pair = TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir);
        GgufFile model = GgufReader.read(pair.model());
        GgufFile mmproj = GgufReader.read(pair.mmproj());

        assertThat(floats(model.readTensorBytes("output_norm.weight")))
                .containsOnly(1f)
                .hasSize(64);
        assertThat(floats(mmproj.readTensorBytes("v.blk.0.ln1.bias")))
                .containsOnly(0f)
                .hasSize(32);
        ByteBuffer halves =
                ByteBuffer.wrap(model.readTensorBytes("token_embd.weight")).order(ByteOrder.LITTLE_ENDIAN);
        double sum = 0;
        double sumSq = 0;
        int n = halves.remaining() / 2;
        for (int i = 0; i < n; i++) {
            double v = Float16.toFloat(halves.getShort());
            sum += v;
            sumSq += v * v;
        }
        double mean = sum / n;
        double std = Math.sqrt(sumSq / n - mean * mean);
        assertThat(mean).isBetween(-0.001, 0.001);
        assertThat(std).isBetween(0.0195, 0.0205);
    }

    @Test
    void sameSeedGivesByteIdenticalFilesAndAnotherSeedDifferentWeights() throws IOException {
        TinyModelOptions options = TinyModelOptions.defaults(TinyModelFlavor.LLAMA_CLIP);
        TinyModelPair a = TinyModelGenerator.generate(options, dir.resolve("a"));
        TinyModelPair b = TinyModelGenerator.generate(options, dir.resolve("b"));
        TinyModelPair c = TinyModelGenerator.generate(options.withSeed(7), dir.resolve("c"));

        assertThat(Files.readAllBytes(a.model())).isEqualTo(Files.readAllBytes(b.model()));
        assertThat(Files.readAllBytes(a.mmproj())).isEqualTo(Files.readAllBytes(b.mmproj()));
        assertThat(Files.size(c.model())).isEqualTo(Files.size(a.model()));
        assertThat(Files.readAllBytes(c.model())).isNotEqualTo(Files.readAllBytes(a.model()));
        assertThat(Files.readAllBytes(c.mmproj())).isNotEqualTo(Files.readAllBytes(a.mmproj()));
    }

    @Test
    void optionsForFeatureLayerWidthLayersAndARecognisableImageNewline() throws IOException {
        TinyModelOptions options = TinyModelOptions.defaults(TinyModelFlavor.QWEN2_SIGLIP)
                .withTextEmbd(64)
                .withLayers(1, 3)
                .withFeatureLayer(3)
                .withRecognisableImageNewline(true);

        TinyModelPair pair = TinyModelGenerator.generate(options, dir);
        GgufFile model = GgufReader.read(pair.model());
        GgufFile mmproj = GgufReader.read(pair.mmproj());

        assertThat(model.getU32("qwen2.embedding_length")).isEqualTo(64);
        assertThat(model.getU32("qwen2.block_count")).isEqualTo(1);
        assertThat(model.tensors()).hasSize(2 + 12);
        assertThat(mmproj.getU32("clip.vision.block_count")).isEqualTo(3);
        assertThat(mmproj.getInt32Array("clip.vision.feature_layer")).containsExactly(3);
        assertThat(mmproj.tensor("mm.2.weight").orElseThrow().ne(1)).isEqualTo(64);
        assertThat(floats(mmproj.readTensorBytes("v.image_newline")))
                .containsExactly(TinyModelGenerator.recognisableImageNewline(64));
        assertThat(TinyModelGenerator.recognisableImageNewline(3)).containsExactly(0.001f, 0.002f, 0.003f);
    }

    @Test
    void generatedPairsPassTheValidatorWithTinyWarnings() throws IOException {
        for (TinyModelFlavor flavor : TinyModelFlavor.values()) {
            TinyModelPair pair = TinyModelGenerator.generate(
                    TinyModelOptions.defaults(flavor).withFeatureLayer(2), dir.resolve(flavor.cliName()));

            ModelPairReport r = ModelPairValidator.validate(pair.model(), pair.mmproj());

            assertThat(r.errors()).as(flavor.name()).isEmpty();
            assertThat(r.warnings())
                    .as(flavor.name())
                    .hasSize(2)
                    .allSatisfy(w -> assertThat(w).contains("verdicts are meaningless"));
            assertThat(r.textModel().orElseThrow().tiny()).isTrue();
            assertThat(r.textModel().orElseThrow().family())
                    .isEqualTo(
                            flavor == TinyModelFlavor.LLAMA_CLIP
                                    ? LlavaGuardFamily.VICUNA_V1_0_V1_1
                                    : LlavaGuardFamily.ONEVISION_V1_2);
            assertThat(r.projector().orElseThrow().tokensPerTile()).isEqualTo(4);
            assertThat(r.projector().orElseThrow().maxTokensPerImage())
                    .isEqualTo(flavor == TinyModelFlavor.LLAMA_CLIP ? 4 : 20);
        }
    }

    // ---- vocab handling, with small stand-in vocab files ----

    private Path fakeVocab(String tokenizerModel, int tokens) throws IOException {
        List<String> t = new ArrayList<>();
        for (int i = 0; i < tokens; i++) {
            t.add("tok" + i);
        }
        Path file = dir.resolve("vocab-" + tokenizerModel + ".gguf");
        new GgufWriter(file)
                .putString("general.architecture", "llama")
                .putU32("llama.context_length", 2048)
                .putString("tokenizer.ggml.model", tokenizerModel)
                .put("tokenizer.ggml.tokens", GgufValue.stringArray(t))
                .putU32("tokenizer.ggml.bos_token_id", 1)
                .write();
        return file;
    }

    @Test
    void anExplicitVocabIsCopiedWithItsTokenizerKeysOnly() throws IOException {
        Path vocab = fakeVocab("llama", 10);

        TinyModelPair pair = TinyModelGenerator.generate(
                TinyModelOptions.defaults(TinyModelFlavor.LLAMA_CLIP).withVocab(vocab), dir.resolve("out"));
        GgufFile model = GgufReader.read(pair.model());

        assertThat(model.getStringArray("tokenizer.ggml.tokens")).hasSize(10);
        assertThat(model.getU32("tokenizer.ggml.bos_token_id")).isEqualTo(1);
        assertThat(model.getU32("llama.context_length")).isEqualTo(4096);
        assertThat(model.tensor("token_embd.weight").orElseThrow().dims()).containsExactly(64, 10);
        assertThat(model.tensor("token_embd.weight").orElseThrow().type()).isEqualTo(GgmlType.F16);
    }

    @Test
    void aVocabOfTheWrongKindOrAMissingVocabIsExplained() throws IOException {
        Path bpe = fakeVocab("gpt2", 4);
        assertThatThrownBy(() -> TinyModelGenerator.generate(
                        TinyModelOptions.defaults(TinyModelFlavor.LLAMA_CLIP).withVocab(bpe), dir.resolve("x")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tokenizer model is 'gpt2' but the llama-clip flavour needs a 'llama' vocab "
                        + "such as ggml-vocab-llama-spm.gguf");
        assertThatThrownBy(() -> TinyModelGenerator.generate(
                        TinyModelOptions.defaults(TinyModelFlavor.QWEN2_SIGLIP).withVocab(dir.resolve("none.gguf")),
                        dir.resolve("y")))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void flavourNamesAndOptionChecks() {
        assertThat(TinyModelFlavor.fromCliName("qwen2-siglip")).isEqualTo(TinyModelFlavor.QWEN2_SIGLIP);
        assertThat(TinyModelFlavor.fromCliName("LLAMA_CLIP")).isEqualTo(TinyModelFlavor.LLAMA_CLIP);
        assertThatThrownBy(() -> TinyModelFlavor.fromCliName("gemma"))
                .hasMessageContaining("use one of llama-clip, qwen2-siglip");
        TinyModelOptions o = TinyModelOptions.defaults(TinyModelFlavor.LLAMA_CLIP);
        assertThatThrownBy(() -> o.withTextEmbd(30)).hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> o.withFeatureLayer(3)).hasMessageContaining("0..2");
        assertThatThrownBy(() -> o.withLayers(0, 2)).hasMessageContaining("1..64");
    }

    private static float[] floats(byte[] b) {
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    @Test
    void everyControlLookingTokenIsTypedControlSoLlamaCppHasNothingToOverride() throws IOException {
        for (TinyModelFlavor flavor : TinyModelFlavor.values()) {
            TinyModelPair pair = TinyModelGenerator.generate(flavor, dir.resolve(flavor.name()));
            GgufFile text = GgufReader.read(pair.model());
            List<String> tokens = text.getStringArray("tokenizer.ggml.tokens");
            int[] types = text.getInt32Array(ControlTokens.TOKEN_TYPE_KEY);

            assertThat(types).hasSameSizeAs(tokens.toArray());
            int found = 0;
            for (int i = 0; i < tokens.size(); i++) {
                if (ControlTokens.CONTROL_LOOKING.contains(tokens.get(i))) {
                    found++;
                    assertThat(types[i])
                            .as("%s: token %d '%s'", flavor, i, tokens.get(i))
                            .isEqualTo(ControlTokens.CONTROL);
                }
            }
            assertThat(found)
                    .as("%s has an end-of-sequence token llama.cpp recognises by its text", flavor)
                    .isPositive();
        }
    }
}
