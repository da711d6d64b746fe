package io.safetyguard.llamacpp.tools.tiny;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer files written from llama.cpp's vocab GGUFs have the published checkpoints' layout and ids. */
class HfTokenizerFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void oneVisionFilesAreQwen2WithChatMlAndImageVideoTokens() throws IOException {
        GgufFile vocab = TinyVocab.load(TinyModelFlavor.QWEN2_SIGLIP, Optional.empty());
        AddedTokens added = HfTokenizerFiles.write(vocab, dir, true);

        assertThat(added).isEqualTo(new AddedTokens(151646, OptionalInt.of(151647), 151643, 151645, 151643, 151648));
        assertThat(dir.resolve("tokenizer.model")).doesNotExist();
        JsonNode tokenizer = JSON.readTree(dir.resolve("tokenizer.json").toFile());
        assertThat(tokenizer.at("/model/type").asText()).isEqualTo("BPE");
        assertThat(tokenizer.at("/model/vocab").size()).isEqualTo(151643);
        assertThat(tokenizer.at("/model/vocab/Ġthe").asInt()).isEqualTo(vocabId(vocab, "Ġthe"));
        assertThat(tokenizer.at("/model/merges").size())
                .isEqualTo(vocab.getStringArray("tokenizer.ggml.merges").size());
        assertThat(tokenizer.at("/model/merges/0").asText())
                .isEqualTo(vocab.getStringArray("tokenizer.ggml.merges").get(0));
        assertThat(addedTokens(tokenizer))
                .containsExactly(
                        "151643 <|endoftext|>",
                        "151644 <|im_start|>",
                        "151645 <|im_end|>",
                        "151646 <image>",
                        "151647 <video>");
        assertThat(tokenizer.at("/pre_tokenizer/pretokenizers/0/pattern/Regex").asText())
                .isEqualTo(Qwen2TokenizerFiles.SPLIT_REGEX);

        JsonNode config = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        assertThat(config.get("eos_token").asText()).isEqualTo("<|im_end|>");
        assertThat(config.get("pad_token").asText()).isEqualTo("<|endoftext|>");
        assertThat(config.get("bos_token").isNull()).isTrue();
        assertThat(config.at("/added_tokens_decoder/151646/content").asText()).isEqualTo("<image>");
        assertThat(config.at("/added_tokens_decoder/151646/special").asBoolean())
                .isTrue();
        assertThat(config.get("chat_template").asText()).contains("<|im_start|>");
        JsonNode special = JSON.readTree(dir.resolve("special_tokens_map.json").toFile());
        assertThat(special.at("/eos_token/content").asText()).isEqualTo("<|im_end|>");
    }

    @Test
    void llavaFilesAreLlamaSentencePieceWithImageAndPad() throws IOException {
        GgufFile vocab = TinyVocab.load(TinyModelFlavor.LLAMA_CLIP, Optional.empty());
        AddedTokens added = HfTokenizerFiles.write(vocab, dir, false);

        assertThat(added).isEqualTo(new AddedTokens(32000, OptionalInt.empty(), 1, 2, 32001, 32002));
        assertThat(Files.size(dir.resolve("tokenizer.model"))).isGreaterThan(32000L * 8);
        JsonNode tokenizer = JSON.readTree(dir.resolve("tokenizer.json").toFile());
        assertThat(tokenizer.at("/model/byte_fallback").asBoolean()).isTrue();
        assertThat(tokenizer.at("/model/vocab").size()).isEqualTo(32000);
        assertThat(tokenizer.at("/model/vocab/<0x0A>").asInt()).isEqualTo(13);
        assertThat(addedTokens(tokenizer))
                .containsExactly("0 <unk>", "1 <s>", "2 </s>", "32000 <image>", "32001 <pad>");
        // the best-scored two-piece token ("▁t", id 260) is made by the first merge
        assertThat(tokenizer.at("/model/merges/0").asText()).isEqualTo("▁ t");

        JsonNode config = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        assertThat(config.get("add_bos_token").asBoolean()).isTrue();
        assertThat(config.get("pad_token").asText()).isEqualTo("<pad>");
        assertThat(config.at("/added_tokens_decoder/32000/content").asText()).isEqualTo("<image>");
    }

    @Test
    void wrongKindOfVocabIsRejected() throws IOException {
        GgufFile llama = TinyVocab.load(TinyModelFlavor.LLAMA_CLIP, Optional.empty());
        assertThatThrownBy(() -> HfTokenizerFiles.write(llama, dir, true))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tokenizer model is 'llama'")
                .hasMessageContaining("ggml-vocab-qwen2.gguf");
        assertThat(dir.resolve("tokenizer.json")).doesNotExist();
    }

    private static int vocabId(GgufFile vocab, String token) throws IOException {
        return vocab.getStringArray("tokenizer.ggml.tokens").indexOf(token);
    }

    private static List<String> addedTokens(JsonNode tokenizer) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : tokenizer.get("added_tokens")) {
            out.add(t.get("id").asInt() + " " + t.get("content").asText());
        }
        return out;
    }
}
