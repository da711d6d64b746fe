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
 * The tokenizer files of a LLaVA-1.5 checkpoint: the Llama SentencePiece model (tokenizer.model) and the same
 * tokenizer as a byte-fallback BPE (tokenizer.json, as transformers' LlamaTokenizerFast saves it, with the
 * Metaspace pre-tokenizer of {@code legacy: false}), plus {@code <image>} and {@code <pad>} as LLaVA's converter
 * adds them.
 */
final class LlamaTokenizerFiles {
    static final String IMAGE = "<image>";
    static final String PAD = "<pad>";
    private static final String METASPACE = "▁";
    private static final int MODEL_MAX_LENGTH = 4096;

    private LlamaTokenizerFiles() {}

    static AddedTokens write(GgufFile vocab, Path dir) throws IOException {
        List<String> tokens = vocab.getStringArray(ModelKeys.TOKENIZER_TOKENS);
        float[] scores = vocab.getFloatArray("tokenizer.ggml.scores");
        int[] types = vocab.getInt32Array("tokenizer.ggml.token_type");
        int unk = (int) vocab.findU32("tokenizer.ggml.unknown_token_id").orElse(0);
        int bos = (int) vocab.findU32("tokenizer.ggml.bos_token_id").orElse(1);
        int eos = (int) vocab.findU32("tokenizer.ggml.eos_token_id").orElse(2);
        if (scores.length != tokens.size() || types.length != tokens.size()) {
            throw new IOException(vocab.name() + ": " + tokens.size() + " tokens but " + scores.length + " scores and "
                    + types.length + " token types");
        }
        int image = tokens.size();
        int pad = image + 1;

        SentencePieceModelWriter.write(dir.resolve("tokenizer.model"), tokens, scores, types, unk, bos, eos);

        Map<String, Object> vocabMap = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocabMap.putIfAbsent(tokens.get(i), i);
        }
        List<Object> added = new ArrayList<>();
        Map<String, Object> decoder = new LinkedHashMap<>();
        for (int id : new int[] {unk, bos, eos}) {
            added.add(HfJson.addedToken(id, tokens.get(id), true));
            decoder.put(String.valueOf(id), HfJson.tokenProperties(tokens.get(id), true));
        }
        added.add(HfJson.addedToken(image, IMAGE, true));
        decoder.put(String.valueOf(image), HfJson.tokenProperties(IMAGE, true));
        added.add(HfJson.addedToken(pad, PAD, true));
        decoder.put(String.valueOf(pad), HfJson.tokenProperties(PAD, true));
        HfJson.write(
                dir.resolve("tokenizer.json"),
                tokenizerJson(
                        added,
                        vocabMap,
                        SpmMerges.derive(tokens, scores, types),
                        tokens.get(unk),
                        tokens.get(bos),
                        bos));

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("add_bos_token", true);
        config.put("add_eos_token", false);
        config.put("added_tokens_decoder", decoder);
        config.put("bos_token", tokens.get(bos));
        config.put("clean_up_tokenization_spaces", false);
        config.put("eos_token", tokens.get(eos));
        config.put("legacy", false);
        config.put("model_max_length", MODEL_MAX_LENGTH);
        config.put("pad_token", PAD);
        config.put("padding_side", "left");
        config.put("processor_class", "LlavaProcessor");
        config.put("sp_model_kwargs", Map.of());
        config.put("tokenizer_class", "LlamaTokenizer");
        config.put("unk_token", tokens.get(unk));
        config.put("use_default_system_prompt", false);
        HfJson.write(dir.resolve("tokenizer_config.json"), config);

        Map<String, Object> specialMap = new LinkedHashMap<>();
        specialMap.put("bos_token", HfJson.specialTokenMapEntry(tokens.get(bos)));
        specialMap.put("eos_token", HfJson.specialTokenMapEntry(tokens.get(eos)));
        specialMap.put("pad_token", HfJson.specialTokenMapEntry(PAD));
        specialMap.put("unk_token", HfJson.specialTokenMapEntry(tokens.get(unk)));
        HfJson.write(dir.resolve("special_tokens_map.json"), specialMap);

        return new AddedTokens(image, OptionalInt.empty(), bos, eos, pad, pad + 1);
    }

    private static Map<String, Object> tokenizerJson(
            List<Object> added, Map<String, Object> vocabMap, List<String> merges, String unk, String bos, int bosId) {
        Map<String, Object> preTokenizer = new LinkedHashMap<>();
        preTokenizer.put("type", "Metaspace");
        preTokenizer.put("replacement", METASPACE);
        preTokenizer.put("prepend_scheme", "first");
        preTokenizer.put("split", false);

        Map<String, Object> bosSpecial = Map.of("SpecialToken", Map.of("id", bos, "type_id", 0));
        Map<String, Object> bosSpecialB = Map.of("SpecialToken", Map.of("id", bos, "type_id", 1));
        Map<String, Object> postProcessor = new LinkedHashMap<>();
        postProcessor.put("type", "TemplateProcessing");
        postProcessor.put("single", List.of(bosSpecial, sequence("A", 0)));
        postProcessor.put("pair", List.of(bosSpecial, sequence("A", 0), bosSpecialB, sequence("B", 1)));
        Map<String, Object> bosEntry = new LinkedHashMap<>();
        bosEntry.put("id", bos);
        bosEntry.put("ids", List.of(bosId));
        bosEntry.put("tokens", List.of(bos));
        postProcessor.put("special_tokens", Map.of(bos, bosEntry));

        Map<String, Object> replace = new LinkedHashMap<>();
        replace.put("type", "Replace");
        replace.put("pattern", Map.of("String", METASPACE));
        replace.put("content", " ");
        Map<String, Object> strip = new LinkedHashMap<>();
        strip.put("type", "Strip");
        strip.put("content", " ");
        strip.put("start", 1);
        strip.put("stop", 0);
        Map<String, Object> decoder = new LinkedHashMap<>();
        decoder.put("type", "Sequence");
        decoder.put("decoders", List.of(replace, Map.of("type", "ByteFallback"), Map.of("type", "Fuse"), strip));

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", unk);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        model.put("ignore_merges", false);
        model.put("vocab", vocabMap);
        model.put("merges", merges);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("truncation", null);
        json.put("padding", null);
        json.put("added_tokens", added);
        json.put("normalizer", null);
        json.put("pre_tokenizer", preTokenizer);
        json.put("post_processor", postProcessor);
        json.put("decoder", decoder);
        json.put("model", model);
        return json;
    }

    private static Map<String, Object> sequence(String id, int typeId) {
        return Map.of("Sequence", Map.of("id", id, "type_id", typeId));
    }
}
