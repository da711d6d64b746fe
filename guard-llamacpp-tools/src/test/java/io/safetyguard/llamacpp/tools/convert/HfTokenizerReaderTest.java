package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.tools.tiny.HfTokenizerFiles;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyVocab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Round trip: tokenizer files written from llama.cpp's vocab GGUFs read back to that vocab's tokens, merges, scores
 * and types, plus the added tokens and the padding rows, with the special ids of the configs.
 */
class HfTokenizerReaderTest {
    private static final int QWEN2_ROWS = 151936;
    private static final int LLAMA_ROWS = 32064;

    @TempDir
    Path dir;

    @Test
    void qwen2RoundTrip() throws IOException {
        GgufFile vocab = TinyVocab.load(TinyModelFlavor.QWEN2_SIGLIP, Optional.empty());
        HfTokenizerFiles.write(vocab, dir, true);
        Files.writeString(
                dir.resolve("config.json"), "{\"text_config\": {\"bos_token_id\": 151643, \"eos_token_id\": 151645}}");

        Map<String, GgufValue> keys = HfTokenizerReader.read(dir, "qwen2", QWEN2_ROWS);

        assertThat(keys.keySet())
                .containsExactly(
                        "tokenizer.ggml.model",
                        "tokenizer.ggml.pre",
                        "tokenizer.ggml.tokens",
                        "tokenizer.ggml.token_type",
                        "tokenizer.ggml.merges",
                        "tokenizer.ggml.eos_token_id",
                        "tokenizer.ggml.padding_token_id",
                        "tokenizer.ggml.bos_token_id",
                        "tokenizer.chat_template");
        assertThat(keys.get("tokenizer.ggml.model").stringValue()).isEqualTo("gpt2");
        assertThat(keys.get("tokenizer.ggml.pre").stringValue()).isEqualTo("qwen2");
        List<String> tokens = keys.get("tokenizer.ggml.tokens").strings();
        int[] types = keys.get("tokenizer.ggml.token_type").toIntArray();
        List<String> original = vocab.getStringArray("tokenizer.ggml.tokens");
        int[] originalTypes = vocab.getInt32Array("tokenizer.ggml.token_type");
        assertThat(tokens).hasSize(QWEN2_ROWS);
        // the Qwen2 tokenizer proper: 151643 normal tokens, then the three ChatML control tokens
        assertThat(tokens.subList(0, 151646)).isEqualTo(original.subList(0, 151646));
        // the same types, but for the ordinary BPE token </s> that llama.cpp makes a control token (end of generation)
        int endOfSentence = original.indexOf("</s>");
        assertThat(originalTypes[endOfSentence]).isEqualTo(HfTokenizerReader.NORMAL);
        assertThat(types[endOfSentence]).isEqualTo(HfTokenizerReader.CONTROL);
        int[] expectedTypes = Arrays.copyOf(originalTypes, 151646);
        expectedTypes[endOfSentence] = HfTokenizerReader.CONTROL;
        assertThat(Arrays.copyOf(types, 151646)).isEqualTo(expectedTypes);
        assertThat(tokens.subList(151646, 151649)).containsExactly("<image>", "<video>", "[PAD151648]");
        assertThat(types[151646]).isEqualTo(HfTokenizerReader.CONTROL);
        assertThat(types[151647]).isEqualTo(HfTokenizerReader.CONTROL);
        assertThat(IntStream.range(151648, QWEN2_ROWS).map(i -> types[i])).containsOnly(HfTokenizerReader.UNUSED);
        assertThat(tokens.get(QWEN2_ROWS - 1)).isEqualTo("[PAD" + (QWEN2_ROWS - 1) + "]");
        assertThat(keys.get("tokenizer.ggml.merges").strings())
                .isEqualTo(vocab.getStringArray("tokenizer.ggml.merges"));
        assertThat(keys.get("tokenizer.ggml.eos_token_id").longValue()).isEqualTo(151645);
        assertThat(keys.get("tokenizer.ggml.padding_token_id").longValue()).isEqualTo(151643);
        assertThat(keys.get("tokenizer.ggml.bos_token_id").longValue()).isEqualTo(151643);
        assertThat(keys.get("tokenizer.chat_template").stringValue())
                .isEqualTo(vocab.getString("tokenizer.chat_template"));
    }

    @Test
    void llamaRoundTripFromTokenizerModel() throws IOException {
        GgufFile vocab = TinyVocab.load(TinyModelFlavor.LLAMA_CLIP, Optional.empty());
        HfTokenizerFiles.write(vocab, dir, false);
        Files.writeString(dir.resolve("config.json"), "{\"pad_token_id\": 32001}");

        Map<String, GgufValue> keys = HfTokenizerReader.read(dir, "llama", LLAMA_ROWS);

        assertThat(keys.keySet())
                .containsExactly(
                        "tokenizer.ggml.model",
                        "tokenizer.ggml.pre",
                        "tokenizer.ggml.tokens",
                        "tokenizer.ggml.scores",
                        "tokenizer.ggml.token_type",
                        "tokenizer.ggml.bos_token_id",
                        "tokenizer.ggml.eos_token_id",
                        "tokenizer.ggml.unknown_token_id",
                        "tokenizer.ggml.padding_token_id",
                        "tokenizer.ggml.add_bos_token",
                        "tokenizer.ggml.add_eos_token");
        assertThat(keys.get("tokenizer.ggml.model").stringValue()).isEqualTo("llama");
        assertThat(keys.get("tokenizer.ggml.pre").stringValue()).isEqualTo("default");
        List<String> tokens = keys.get("tokenizer.ggml.tokens").strings();
        float[] scores = keys.get("tokenizer.ggml.scores").toFloatArray();
        int[] types = keys.get("tokenizer.ggml.token_type").toIntArray();
        List<String> original = vocab.getStringArray("tokenizer.ggml.tokens");
        float[] originalScores = vocab.getFloatArray("tokenizer.ggml.scores");
        int[] originalTypes = vocab.getInt32Array("tokenizer.ggml.token_type");

        assertThat(tokens).hasSize(LLAMA_ROWS);
        assertThat(tokens.subList(0, 32000)).isEqualTo(original);
        assertThat(tokens.subList(32000, 32003)).containsExactly("<image>", "<pad>", "[PAD32002]");
        // the normal and byte pieces keep their scores and types from tokenizer.model
        assertThat(Arrays.copyOfRange(scores, 3, 32000)).isEqualTo(Arrays.copyOfRange(originalScores, 3, 32000));
        assertThat(Arrays.copyOfRange(types, 3, 32000)).isEqualTo(Arrays.copyOfRange(originalTypes, 3, 32000));
        // tokens of tokenizer_config.json's added_tokens_decoder (all special) become CONTROL scored -1000, as
        // convert_hf_to_gguf writes them; that includes <unk> (UNKNOWN in tokenizer.model)
        for (int id : new int[] {0, 1, 2, 32000, 32001}) {
            assertThat(types[id]).as("type of %s", tokens.get(id)).isEqualTo(HfTokenizerReader.CONTROL);
            assertThat(scores[id]).isEqualTo(-1000f);
        }
        assertThat(types[32002]).isEqualTo(HfTokenizerReader.UNUSED);
        assertThat(scores[LLAMA_ROWS - 1]).isEqualTo(-10000f);
        assertThat(keys.get("tokenizer.ggml.bos_token_id").longValue()).isEqualTo(1);
        assertThat(keys.get("tokenizer.ggml.eos_token_id").longValue()).isEqualTo(2);
        assertThat(keys.get("tokenizer.ggml.unknown_token_id").longValue()).isEqualTo(0);
        assertThat(keys.get("tokenizer.ggml.padding_token_id").longValue()).isEqualTo(32001);
        assertThat(keys.get("tokenizer.ggml.add_bos_token").boolValue()).isTrue();
        assertThat(keys.get("tokenizer.ggml.add_eos_token").boolValue()).isFalse();
    }

    @Test
    void llamaWithoutTokenizerModelReadsTokenizerJsonWithScoresInMergeOrder() throws IOException {
        GgufFile vocab = TinyVocab.load(TinyModelFlavor.LLAMA_CLIP, Optional.empty());
        HfTokenizerFiles.write(vocab, dir, false);
        Map<String, GgufValue> fromModel = HfTokenizerReader.read(dir, "llama", LLAMA_ROWS);
        Files.delete(dir.resolve("tokenizer.model"));

        Map<String, GgufValue> fromJson = HfTokenizerReader.read(dir, "llama", LLAMA_ROWS);

        assertThat(fromJson.keySet()).isEqualTo(fromModel.keySet());
        assertThat(fromJson.get("tokenizer.ggml.tokens")).isEqualTo(fromModel.get("tokenizer.ggml.tokens"));
        assertThat(fromJson.get("tokenizer.ggml.token_type")).isEqualTo(fromModel.get("tokenizer.ggml.token_type"));
        // llama.cpp merges the best-scored pair first: the tokens that merges make must rank as in tokenizer.model
        // (ties there broken by id, as the merges are ordered), strictly, or the merge order would be left to chance
        float[] original = vocab.getFloatArray("tokenizer.ggml.scores");
        float[] derived = fromJson.get("tokenizer.ggml.scores").toFloatArray();
        List<String> tokens = vocab.getStringArray("tokenizer.ggml.tokens");
        float notMerged = Float.POSITIVE_INFINITY;
        for (float s : Arrays.copyOf(derived, 32000)) {
            notMerged = Math.min(notMerged, s);
        }
        List<Integer> merged = new ArrayList<>();
        for (int i = 0; i < 32000; i++) {
            if (derived[i] > notMerged && derived[i] != -1000f) {
                merged.add(i);
            }
        }
        assertThat(merged).hasSizeGreaterThan(29000); // all but single characters and bytes
        merged.sort(Comparator.comparingDouble((Integer i) -> -original[i]).thenComparingInt(i -> i));
        for (int k = 1; k < merged.size(); k++) {
            assertThat(derived[merged.get(k)])
                    .as("score of %s after %s", tokens.get(merged.get(k)), tokens.get(merged.get(k - 1)))
                    .isLessThan(derived[merged.get(k - 1)]);
        }
    }

    @Test
    void addedTokensAreTypedAsConvertHfToGgufTypesThem() throws IOException {
        HfTokenizerFiles.write(TinyVocab.load(TinyModelFlavor.LLAMA_CLIP, Optional.empty()), dir, false);
        Files.writeString(dir.resolve("added_tokens.json"), "{\"<extra>\": 32002}");
        Path config = dir.resolve("tokenizer_config.json");
        String decoder = "\"added_tokens_decoder\" : {";
        Files.writeString(
                config,
                Files.readString(config)
                        .replace(
                                decoder,
                                decoder + "\"32003\": {\"content\": \"▁two▁words\", \"special\": false},"
                                        + "\"32004\": {\"content\": \"<|tool|>\", \"special\": false},"));

        Map<String, GgufValue> keys = HfTokenizerReader.read(dir, "llama", LLAMA_ROWS);

        List<String> tokens = keys.get("tokenizer.ggml.tokens").strings();
        int[] types = keys.get("tokenizer.ggml.token_type").toIntArray();
        float[] scores = keys.get("tokenizer.ggml.scores").toFloatArray();
        // added_tokens.json: user-defined; a plain added token: user-defined, its ▁ pre-normalized to spaces;
        // a special-looking one (<|...|>): control even when not marked special
        assertThat(tokens.subList(32002, 32005)).containsExactly("<extra>", " two words", "<|tool|>");
        assertThat(Arrays.copyOfRange(types, 32002, 32005))
                .containsExactly(
                        HfTokenizerReader.USER_DEFINED, HfTokenizerReader.USER_DEFINED, HfTokenizerReader.CONTROL);
        assertThat(Arrays.copyOfRange(scores, 32002, 32005)).containsOnly(-1000f);
    }

    @Test
    void missingTokenizerFilesNameTheFolderAndTheFilesExpected() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        assertThatThrownBy(() -> HfTokenizerReader.read(dir, "qwen2", QWEN2_ROWS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("tokenizer.json and tokenizer_config.json")
                .hasMessageContaining("found none of them");
        assertThatThrownBy(() -> HfTokenizerReader.read(dir, "llama", LLAMA_ROWS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tokenizer.model (or tokenizer.json) and tokenizer_config.json");
    }

    @Test
    void vocabularyLargerThanTheEmbeddingIsAnError() throws IOException {
        HfTokenizerFiles.write(TinyVocab.load(TinyModelFlavor.QWEN2_SIGLIP, Optional.empty()), dir, true);
        assertThatThrownBy(() -> HfTokenizerReader.read(dir, "qwen2", 151647))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("'<video>' has id 151647 but the model config has only 151647 embedding rows");
    }

    @Test
    void anotherPreTokenizerIsRejected() throws IOException {
        HfTokenizerFiles.write(TinyVocab.load(TinyModelFlavor.QWEN2_SIGLIP, Optional.empty()), dir, true);
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, Files.readString(json).replace("\\\\p{N}|", "\\\\p{N}{1,3}|"));
        assertThatThrownBy(() -> HfTokenizerReader.read(dir, "qwen2", QWEN2_ROWS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("the pre-tokenizer is not Qwen2's");
    }

    @Test
    void truncatedSentencePieceModelIsAnError() throws IOException {
        HfTokenizerFiles.write(TinyVocab.load(TinyModelFlavor.LLAMA_CLIP, Optional.empty()), dir, false);
        Path model = dir.resolve("tokenizer.model");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> HfTokenizerReader.read(dir, "llama", LLAMA_ROWS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tokenizer.model: not a valid SentencePiece model");
    }
}
