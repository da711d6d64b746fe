package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The tokenizer files of a LLaVA-OneVision checkpoint: Qwen2's byte-level BPE (the tokenizer.json vocabulary holds
 * the normal tokens only; the ChatML tokens and the image/video tokens are added tokens after it).
 */
final class Qwen2TokenizerFiles {
    static final String END_OF_TEXT = "<|endoftext|>";
    static final String IM_START = "<|im_start|>";
    static final String IM_END = "<|im_end|>";
    static final String IMAGE = "<image>";
    static final String VIDEO = "<video>";
    /** Qwen2's pre-tokenizer split pattern (tokenizer.json of the Qwen2 models); llama.cpp's pre type "qwen2". */
    static final String SPLIT_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final int TYPE_NORMAL = 1;
    private static final int MODEL_MAX_LENGTH = 32768;

    private Qwen2TokenizerFiles() {}

    static AddedTokens write(GgufFile vocab, Path dir) throws IOException {
        List<String> tokens = vocab.getStringArray(ModelKeys.TOKENIZER_TOKENS);
        int[] types = vocab.getInt32Array("tokenizer.ggml.token_type");
        List<String> merges = vocab.getStringArray("tokenizer.ggml.merges");

        Map<String, Object> vocabMap = new LinkedHashMap<>();
        int normal = 0;
        while (normal < tokens.size() && types[normal] == TYPE_NORMAL) {
            vocabMap.put(tokens.get(normal), normal);
            normal++;
        }
        int endOfText = requireAt(vocab, tokens, END_OF_TEXT, normal);
        int imStart = requireAt(vocab, tokens, IM_START, normal + 1);
        int imEnd = requireAt(vocab, tokens, IM_END, normal + 2);
        int image = imEnd + 1;
        int video = image + 1;

        List<Object> added = new ArrayList<>();
        Map<String, Object> decoder = new LinkedHashMap<>();
        for (Object[] t : new Object[][] {
            {endOfText, END_OF_TEXT}, {imStart, IM_START}, {imEnd, IM_END}, {image, IMAGE}, {video, VIDEO}
        }) {
            added.add(HfJson.addedToken((Integer) t[0], (String) t[1], true));
            decoder.put(String.valueOf(t[0]), HfJson.tokenProperties((String) t[1], true));
        }
        HfJson.write(dir.resolve("tokenizer.json"), tokenizerJson(added, vocabMap, merges));

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("add_prefix_space", false);
        config.put("added_tokens_decoder", decoder);
        config.put("additional_special_tokens", List.of(IM_START, IM_END));
        config.put("bos_token", null);
        vocab.findString(ModelKeys.CHAT_TEMPLATE).ifPresent(t -> config.put("chat_template", t));
        config.put("clean_up_tokenization_spaces", false);
        config.put("eos_token", IM_END);
        config.put("errors", "replace");
        config.put("model_max_length", MODEL_MAX_LENGTH);
        config.put("pad_token", END_OF_TEXT);
        config.put("padding_side", "left");
        config.put("processor_class", "LlavaOnevisionProcessor");
        config.put("split_special_tokens", false);
        config.put("tokenizer_class", "Qwen2Tokenizer");
        config.put("unk_token", null);
        HfJson.write(dir.resolve("tokenizer_config.json"), config);

        Map<String, Object> specialMap = new LinkedHashMap<>();
        specialMap.put("additional_special_tokens", List.of(IM_START, IM_END));
        specialMap.put("eos_token", HfJson.specialTokenMapEntry(IM_END));
        specialMap.put("pad_token", HfJson.specialTokenMapEntry(END_OF_TEXT));
        HfJson.write(dir.resolve("special_tokens_map.json"), specialMap);

        return new AddedTokens(image, OptionalInt.of(video), endOfText, imEnd, endOfText, video + 1);
    }

    private static Map<String, Object> tokenizerJson(
            List<Object> added, Map<String, Object> vocabMap, List<String> merges) {
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("type", "Split");
        split.put("pattern", Map.of("Regex", SPLIT_REGEX));
        split.put("behavior", "Isolated");
        split.put("invert", false);
        Map<String, Object> preTokenizer = new LinkedHashMap<>();
        preTokenizer.put("type", "Sequence");
        preTokenizer.put("pretokenizers", List.of(split, byteLevel()));

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("vocab", vocabMap);
        model.put("merges", merges);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("truncation", null);
        json.put("padding", null);
        json.put("added_tokens", added);
        json.put("normalizer", Map.of("type", "NFC"));
        json.put("pre_tokenizer", preTokenizer);
        json.put("post_processor", byteLevel());
        json.put("decoder", byteLevel());
        json.put("model", model);
        return json;
    }

    private static Map<String, Object> byteLevel() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "ByteLevel");
        m.put("add_prefix_space", false);
        m.put("trim_offsets", false);
        m.put("use_regex", false);
        return m;
    }

    /** The id of a token the Qwen2 tokenizer has right after its normal tokens, checked against the vocab. */
    private static int requireAt(GgufFile vocab, List<String> tokens, String text, int id) throws IOException {
        if (id >= tokens.size() || !tokens.get(id).equals(text)) {
            throw new IOException(vocab.name() + ": expected the Qwen2 control token " + text + " at id " + id
                    + " (after the normal tokens) but found "
                    + (id < tokens.size() ? "'" + tokens.get(id) + "'" : "the end of the vocabulary"));
        }
        return id;
    }
}
