package io.safetyguard.llamacpp.tools.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The special-token keys convert_hf_to_gguf writes after the vocabulary (gguf-py's {@code SpecialVocab}): the ids of
 * the special tokens named in tokenizer_config.json (looked up among tokenizer.json's added tokens), then the ids in
 * config.json (or its {@code text_config}) for those still unset, the {@code add_*_token} flags from the tokenizer's
 * template post-processor and tokenizer_config.json, and the chat template.
 */
final class SpecialTokenKeys {
    /** The special token kinds in the order they are looked up (and written). */
    private static final List<String> KINDS = List.of("bos", "eos", "unk", "sep", "pad", "cls", "mask");
    /** GGUF key of each kind's id; {@code cls} has none (convert_hf_to_gguf skips it). */
    private static final Map<String, String> ID_KEYS = Map.of(
            "bos", "tokenizer.ggml.bos_token_id",
            "eos", "tokenizer.ggml.eos_token_id",
            "unk", "tokenizer.ggml.unknown_token_id",
            "sep", "tokenizer.ggml.seperator_token_id",
            "pad", "tokenizer.ggml.padding_token_id",
            "mask", "tokenizer.ggml.mask_token_id",
            "eot", "tokenizer.ggml.eot_token_id",
            "eom", "tokenizer.ggml.eom_token_id");

    private static final Map<String, String> ADD_KEYS = Map.of(
            "bos", "tokenizer.ggml.add_bos_token",
            "eos", "tokenizer.ggml.add_eos_token",
            "sep", "tokenizer.ggml.add_sep_token");
    static final String CHAT_TEMPLATE = "tokenizer.chat_template";

    private final Map<String, Integer> ids = new LinkedHashMap<>();
    private final Map<String, Boolean> add = new LinkedHashMap<>();
    private final Integer vocabLimit;

    private SpecialTokenKeys(Integer vocabLimit) {
        this.vocabLimit = vocabLimit;
    }

    /**
     * Reads the special tokens of a checkpoint.
     *
     * @param vocabLimit ids at or above this are ignored (as convert_hf_to_gguf does for SentencePiece vocabs);
     *                   {@code null} for none
     */
    static Map<String, GgufValue> read(CheckpointTokenizer files, Integer vocabLimit) throws IOException {
        SpecialTokenKeys s = new SpecialTokenKeys(vocabLimit);
        List<String> kinds = new ArrayList<>(KINDS);
        ObjectNode config = files.tokenizerConfig().deepCopy();
        JsonNode added = files.tokenizerJson().map(t -> t.path("added_tokens")).orElse(null);
        if (files.tokenizerJson().isPresent()) {
            s.readPostProcessor(files.tokenizerJson().get().path("post_processor"), config, kinds);
        }
        for (String kind : kinds) {
            JsonNode flag = config.get("add_" + kind + "_token");
            if (flag != null && flag.isBoolean()) {
                s.add.put(kind, flag.booleanValue());
            }
            String content = tokenContent(config.get(kind + "_token"));
            if (content != null && added != null) {
                for (JsonNode t : added) {
                    if (content.equals(t.path("content").asText(null))
                            && t.path("id").isIntegralNumber()) {
                        s.set(kind, t.get("id").intValue(), files);
                        break;
                    }
                }
            }
        }
        Optional<JsonNode> modelConfig = files.modelConfig();
        if (modelConfig.isPresent()) {
            for (String kind : kinds) {
                JsonNode id = modelConfig.get().get(kind + "_token_id");
                if (id == null || id.isNull()) {
                    id = modelConfig.get().path("text_config").get(kind + "_token_id");
                }
                if (id != null && id.isIntegralNumber()) {
                    s.set(kind, id.intValue(), files);
                }
            }
        }

        Map<String, GgufValue> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : s.ids.entrySet()) {
            String key = ID_KEYS.get(e.getKey());
            if (key != null) {
                out.put(key, GgufValue.uint32(e.getValue()));
            }
        }
        for (Map.Entry<String, Boolean> e : s.add.entrySet()) {
            String key = ADD_KEYS.get(e.getKey());
            if (key != null) {
                out.put(key, GgufValue.bool(e.getValue()));
            }
        }
        chatTemplate(files.dir(), config).ifPresent(t -> out.put(CHAT_TEMPLATE, GgufValue.string(t)));
        return out;
    }

    /**
     * Which special tokens the tokenizer adds around a sequence, from a {@code TemplateProcessing} post-processor
     * (a leading special token means add BOS, a trailing one add EOS).
     */
    private void readPostProcessor(JsonNode postProcessor, ObjectNode config, List<String> kinds) {
        if (postProcessor.isMissingNode() || postProcessor.isNull()) {
            return;
        }
        JsonNode processors = postProcessor.has("processors") ? postProcessor.get("processors") : null;
        for (JsonNode p : processors != null ? processors : List.of(postProcessor)) {
            String type = p.path("type").asText();
            if (type.equals("RobertaProcessing")) {
                add.put("bos", true);
                add.put("eos", true);
                add.put("sep", true);
            } else if (type.equals("TemplateProcessing")) {
                JsonNode single = p.path("single");
                if (single.size() <= 1) {
                    continue;
                }
                String bos = tokenContent(config.get("bos_token"));
                String cls = tokenContent(config.get("cls_token"));
                String eos = tokenContent(config.get("eos_token"));
                String first = single.get(0).path("SpecialToken").path("id").asText(null);
                if (first != null) {
                    if (!first.equals(bos) && !first.equals(cls)) {
                        if (bos == null) {
                            config.put("bos_token", first);
                            bos = first;
                        }
                        if (cls == null) {
                            config.put("cls_token", first);
                        }
                    }
                    add.put("bos", first.equals(bos) || first.equals(cls));
                }
                String last = single.get(single.size() - 1)
                        .path("SpecialToken")
                        .path("id")
                        .asText(null);
                if (last != null) {
                    if (!last.equals(eos)) {
                        // the tokenizer appends another token than its EOS: that EOS becomes end-of-turn
                        String extra = kinds.contains("eot") ? "eom" : "eot";
                        kinds.add(extra);
                        if (eos != null) {
                            config.put(extra + "_token", eos);
                        }
                        config.put("eos_token", last);
                    }
                    add.put("eos", true);
                }
            }
        }
    }

    private void set(String kind, int id, CheckpointTokenizer files) throws IOException {
        if (id < 0) {
            throw new IOException(files.dir() + ": invalid id for the " + kind + " token: " + id);
        }
        if (vocabLimit == null || id < vocabLimit) {
            ids.putIfAbsent(kind, id);
        }
    }

    /** A special token entry of tokenizer_config.json: a string, or an object with {@code content}. */
    private static String tokenContent(JsonNode entry) {
        if (entry == null) {
            return null;
        }
        if (entry.isTextual()) {
            return entry.asText();
        }
        JsonNode content = entry.get("content");
        return content != null && content.isTextual() ? content.asText() : null;
    }

    /** tokenizer_config.json's template, else chat_template.jinja's, else chat_template.json's. */
    private static Optional<String> chatTemplate(Path dir, JsonNode config) throws IOException {
        JsonNode inConfig = config.get("chat_template");
        if (inConfig != null && inConfig.isTextual()) {
            return Optional.of(inConfig.asText());
        }
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            return Optional.of(Files.readString(jinja));
        }
        Path json = dir.resolve("chat_template.json");
        if (Files.isRegularFile(json)) {
            JsonNode t = CheckpointTokenizer.readJson(json).get("chat_template");
            if (t != null && t.isTextual()) {
                return Optional.of(t.asText());
            }
        }
        return Optional.empty();
    }
}
