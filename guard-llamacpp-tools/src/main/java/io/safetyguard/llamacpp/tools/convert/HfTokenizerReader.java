package io.safetyguard.llamacpp.tools.convert;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.llamacpp.internal.gguf.ControlLookingTokens;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the tokenizer of a Hugging Face checkpoint into the {@code tokenizer.*} GGUF keys llama.cpp's vocab loader
 * ({@code src/llama-vocab.cpp}) reads, with the values and in the order convert_hf_to_gguf.py writes them.
 *
 * <ul>
 *   <li>{@code qwen2}: from tokenizer.json, a byte-level BPE ({@code tokenizer.ggml.model = gpt2}, pre-tokenizer
 *       {@code qwen2}): tokens by id with the added tokens typed CONTROL when special (or looking special, like
 *       {@code <|...|>}) and USER_DEFINED otherwise, the merges, the special ids and flags.</li>
 *   <li>{@code llama}: from tokenizer.model, a SentencePiece model ({@code llama}, pre {@code default}): tokens,
 *       scores and types of its pieces, then the added tokens of added_tokens.json and tokenizer_config.json
 *       (score -1000). Without tokenizer.model the tokenizer.json byte-fallback BPE is read instead; see
 *       {@link #read} for how its scores are made.</li>
 * </ul>
 *
 * Ids up to the model's embedding rows that the tokenizer does not use become {@code [PAD<id>]} tokens of type
 * UNUSED (score -10000 for SentencePiece), as convert_hf_to_gguf pads. Tokens llama.cpp's loader turns into control
 * tokens by their text ({@link ControlLookingTokens}) are typed CONTROL here already, so it has nothing to fix or
 * warn about.
 */
public final class HfTokenizerReader {
    /** Qwen2's pre-tokenizer split pattern, which llama.cpp implements as pre-tokenizer type {@code qwen2}. */
    static final String QWEN2_SPLIT_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    static final String MODEL = "tokenizer.ggml.model";
    static final String PRE = "tokenizer.ggml.pre";
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String SCORES = "tokenizer.ggml.scores";
    static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    static final String MERGES = "tokenizer.ggml.merges";

    // llama.cpp token types (llama_token_type), the same numbers as SentencePiece's piece types
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    static final float PADDING_SCORE = -10000f;
    static final float ADDED_TOKEN_SCORE = -1000f;

    private HfTokenizerReader() {}

    /**
     * Reads the tokenizer of a checkpoint folder.
     *
     * <p>For {@code llama} without tokenizer.model, token scores are made from tokenizer.json's merge ranks (the
     * token the {@code r}-th merge makes scores {@code -r}; tokens no merge makes score below all of them), so that
     * llama.cpp's SentencePiece-style tokenizer, which merges the best-scored pair first, merges in the BPE's order.
     * (convert_hf_to_gguf gives every token -1000 there, which leaves the merge order to chance, and does not pad
     * to the embedding rows.)
     *
     * @param checkpointDir      the folder with tokenizer.json / tokenizer.model, tokenizer_config.json, config.json
     * @param textArchitecture   {@code "qwen2"} or {@code "llama"}
     * @param vocabSize          the text model's embedding rows ({@code vocab_size} of the text config); the token
     *                           list is padded to this length
     * @return the {@code tokenizer.*} keys in the order convert_hf_to_gguf writes them
     * @throws IOException when tokenizer files are missing (the message names the folder and the files expected),
     *                     malformed, of another kind than the architecture uses, or use ids beyond {@code vocabSize}
     */
    public static Map<String, GgufValue> read(Path checkpointDir, String textArchitecture, int vocabSize)
            throws IOException {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabSize must be positive: " + vocabSize);
        }
        return switch (textArchitecture) {
            case "qwen2" ->
                readQwen2(
                        CheckpointTokenizer.read(
                                checkpointDir, true, "tokenizer.json and tokenizer_config.json (Qwen2 byte-level BPE)"),
                        vocabSize);
            case "llama" ->
                readLlama(
                        CheckpointTokenizer.read(
                                checkpointDir,
                                !Files.isRegularFile(checkpointDir.resolve(CheckpointTokenizer.TOKENIZER_MODEL)),
                                "tokenizer.model (or tokenizer.json) and tokenizer_config.json (Llama SentencePiece)"),
                        vocabSize);
            default ->
                throw new IllegalArgumentException(
                        "no tokenizer reader for text architecture '" + textArchitecture + "' (qwen2 or llama)");
        };
    }

    // ---- qwen2: byte-level BPE from tokenizer.json ----

    private static Map<String, GgufValue> readQwen2(CheckpointTokenizer files, int vocabSize) throws IOException {
        JsonNode json = files.tokenizerJson().orElseThrow();
        Path file = files.dir().resolve(CheckpointTokenizer.TOKENIZER_JSON);
        JsonNode model = json.path("model");
        if (!model.path("type").asText().equals("BPE")) {
            throw new IOException(file + ": model type is '"
                    + model.path("type").asText("(none)") + "' but a Qwen2 tokenizer is a byte-level BPE");
        }
        if (!usesQwen2Split(json.path("pre_tokenizer"))) {
            throw new IOException(file + ": the pre-tokenizer is not Qwen2's (a Split on the Qwen2 pattern then"
                    + " ByteLevel); llama.cpp would split text differently from this tokenizer");
        }
        String[] byId = new String[vocabSize];
        fillVocab(file, model.path("vocab"), byId);
        Map<Integer, JsonNode> added = addedTokens(file, json, byId);

        List<String> tokens = new ArrayList<>(vocabSize);
        int[] types = new int[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            JsonNode a = added.get(i);
            if (byId[i] == null) {
                tokens.add("[PAD" + i + "]");
                types[i] = UNUSED;
            } else if (a != null) {
                // added tokens are not normalized (normalized: false) in these checkpoints, so their text stands
                if (a.path("special").asBoolean(false) || looksSpecial(byId[i])) {
                    types[i] = CONTROL;
                    tokens.add(byId[i]);
                } else {
                    types[i] = USER_DEFINED;
                    tokens.add(byId[i].replace('▁', ' '));
                }
            } else {
                types[i] = NORMAL;
                tokens.add(byId[i]);
            }
        }
        typeControlLookingTokens(tokens, types);
        Map<String, GgufValue> keys = new LinkedHashMap<>();
        keys.put(MODEL, GgufValue.string("gpt2"));
        keys.put(PRE, GgufValue.string("qwen2"));
        keys.put(TOKENS, GgufValue.stringArray(tokens));
        keys.put(TOKEN_TYPE, GgufValue.int32Array(types));
        List<String> merges = merges(file, model.path("merges"));
        if (!merges.isEmpty()) {
            keys.put(MERGES, GgufValue.stringArray(merges));
        }
        keys.putAll(SpecialTokenKeys.read(files, null));
        return keys;
    }

    private static boolean usesQwen2Split(JsonNode preTokenizer) {
        JsonNode list =
                preTokenizer.path("type").asText().equals("Sequence") ? preTokenizer.path("pretokenizers") : null;
        for (JsonNode p : list != null ? list : List.of(preTokenizer)) {
            if (p.path("type").asText().equals("Split")
                    && QWEN2_SPLIT_REGEX.equals(p.path("pattern").path("Regex").asText(null))) {
                return true;
            }
        }
        return false;
    }

    /** Merges as llama.cpp stores them, {@code "left right"}; the list form has spaces written as U+0120. */
    private static List<String> merges(Path file, JsonNode merges) throws IOException {
        List<String> out = new ArrayList<>(merges.size());
        for (JsonNode m : merges) {
            if (m.isTextual() && m.asText().indexOf(' ') > 0) {
                out.add(m.asText());
            } else if (m.isArray()
                    && m.size() == 2
                    && m.get(0).isTextual()
                    && m.get(1).isTextual()) {
                out.add(m.get(0).asText().replace(' ', '\u0120') + " "
                        + m.get(1).asText().replace(' ', '\u0120'));
            } else {
                throw new IOException(file + ": merge " + out.size() + " is neither \"a b\" nor [\"a\", \"b\"]: " + m);
            }
        }
        return out;
    }

    // ---- llama: SentencePiece from tokenizer.model, or tokenizer.json ----

    private static Map<String, GgufValue> readLlama(CheckpointTokenizer files, int vocabSize) throws IOException {
        Path modelFile = files.dir().resolve(CheckpointTokenizer.TOKENIZER_MODEL);
        String[] tokens = new String[vocabSize];
        float[] scores = new float[vocabSize];
        int[] types = new int[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            tokens[i] = "[PAD" + i + "]";
            scores[i] = PADDING_SCORE;
            types[i] = UNUSED;
        }
        if (Files.isRegularFile(modelFile)) {
            readSentencePiece(modelFile, tokens, scores, types);
        } else {
            readByteFallbackBpe(files, tokens, scores, types);
        }
        applyAddedTokensJson(files.dir(), tokens, scores, types);
        applyAddedTokensDecoder(files, tokens, scores, types);
        typeControlLookingTokens(Arrays.asList(tokens), types);

        Map<String, GgufValue> keys = new LinkedHashMap<>();
        keys.put(MODEL, GgufValue.string("llama"));
        keys.put(PRE, GgufValue.string("default"));
        keys.put(TOKENS, GgufValue.stringArray(Arrays.asList(tokens)));
        keys.put(SCORES, GgufValue.float32Array(scores));
        keys.put(TOKEN_TYPE, GgufValue.int32Array(types));
        keys.putAll(SpecialTokenKeys.read(files, vocabSize));
        return keys;
    }

    private static void readSentencePiece(Path file, String[] tokens, float[] scores, int[] types) throws IOException {
        SentencePieceModel spm = SentencePieceModel.read(file);
        if (spm.pieces().size() > tokens.length) {
            throw new IOException(file + ": " + spm.pieces().size() + " pieces but the model config has only "
                    + tokens.length + " embedding rows (vocab_size)");
        }
        for (int i = 0; i < spm.pieces().size(); i++) {
            tokens[i] = spm.pieces().get(i);
            scores[i] = spm.scores()[i];
            // convert_hf_to_gguf asks sentencepiece IsUnknown/IsControl/IsUnused/IsByte: user-defined reads normal
            int t = spm.types()[i];
            types[i] = t == SentencePieceModel.USER_DEFINED ? NORMAL : t;
        }
    }

    private static void readByteFallbackBpe(CheckpointTokenizer files, String[] tokens, float[] scores, int[] types)
            throws IOException {
        Path file = files.dir().resolve(CheckpointTokenizer.TOKENIZER_JSON);
        JsonNode json = files.tokenizerJson().orElseThrow();
        JsonNode model = json.path("model");
        if (!model.path("type").asText().equals("BPE")
                || !model.path("byte_fallback").asBoolean(false)) {
            throw new IOException(file + ": not a Llama tokenizer (a BPE with byte_fallback, converted from"
                    + " SentencePiece) and there is no tokenizer.model");
        }
        String[] byId = new String[tokens.length];
        fillVocab(file, model.path("vocab"), byId);
        List<String> merges = merges(file, model.path("merges"));
        Map<String, Integer> rank = new HashMap<>();
        for (int r = 0; r < merges.size(); r++) {
            String m = merges.get(r);
            int space = m.indexOf(' ');
            rank.putIfAbsent(m.substring(0, space) + m.substring(space + 1), r);
        }
        for (int i = 0; i < byId.length; i++) {
            if (byId[i] == null) {
                continue;
            }
            tokens[i] = byId[i];
            Integer r = rank.get(byId[i]);
            scores[i] = r != null ? -r : -merges.size();
            types[i] = byId[i].matches("<0x[0-9A-Fa-f]{2}>") ? BYTE : NORMAL;
        }
        for (JsonNode a : json.path("added_tokens")) {
            String content = a.path("content").asText(null);
            if (content == null || !a.path("id").isIntegralNumber()) {
                throw new IOException(file + ": an added token has no content or id: " + a);
            }
            setAdded(file, a.get("id").asInt(), content, a.path("special").asBoolean(false), tokens, scores, types);
        }
    }

    private static void applyAddedTokensJson(Path dir, String[] tokens, float[] scores, int[] types)
            throws IOException {
        Path file = dir.resolve("added_tokens.json");
        if (!Files.isRegularFile(file)) {
            return;
        }
        JsonNode added = CheckpointTokenizer.readJson(file);
        for (Iterator<Map.Entry<String, JsonNode>> it = added.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = checkedId(file, e.getValue(), tokens.length, e.getKey());
            tokens[id] = e.getKey();
            scores[id] = ADDED_TOKEN_SCORE;
            types[id] = USER_DEFINED;
        }
    }

    private static void applyAddedTokensDecoder(CheckpointTokenizer files, String[] tokens, float[] scores, int[] types)
            throws IOException {
        Path file = files.dir().resolve(CheckpointTokenizer.TOKENIZER_CONFIG);
        JsonNode decoder = files.tokenizerConfig().path("added_tokens_decoder");
        for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw new IOException(file + ": added_tokens_decoder key '" + e.getKey() + "' is not a token id");
            }
            String content = e.getValue().path("content").asText(null);
            if (content == null) {
                throw new IOException(file + ": added token " + id + " has no content");
            }
            setAdded(file, id, content, e.getValue().path("special").asBoolean(false), tokens, scores, types);
        }
    }

    /** An added token as convert_hf_to_gguf types it: CONTROL when special or special-looking, else USER_DEFINED. */
    private static void setAdded(
            Path file, int id, String content, boolean special, String[] tokens, float[] scores, int[] types)
            throws IOException {
        checkId(file, id, tokens.length, content);
        if (special || looksSpecial(content)) {
            types[id] = CONTROL;
            tokens[id] = content;
        } else {
            types[id] = USER_DEFINED;
            tokens[id] = content.replace('▁', ' '); // llama.cpp expects user-defined tokens pre-normalized
        }
        scores[id] = ADDED_TOKEN_SCORE;
    }

    // ---- shared ----

    /** Puts tokenizer.json's {@code model.vocab} (text to id) into {@code byId}. */
    private static void fillVocab(Path file, JsonNode vocab, String[] byId) throws IOException {
        if (!vocab.isObject() || vocab.isEmpty()) {
            throw new IOException(file + ": model.vocab is missing or empty");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            byId[checkedId(file, e.getValue(), byId.length, e.getKey())] = e.getKey();
        }
    }

    /** tokenizer.json's added tokens by id, their text also put into {@code byId}. */
    private static Map<Integer, JsonNode> addedTokens(Path file, JsonNode json, String[] byId) throws IOException {
        Map<Integer, JsonNode> added = new HashMap<>();
        for (JsonNode a : json.path("added_tokens")) {
            String content = a.path("content").asText(null);
            if (content == null) {
                throw new IOException(file + ": an added token has no content: " + a);
            }
            int id = checkedId(file, a.path("id"), byId.length, content);
            byId[id] = content;
            added.put(id, a);
        }
        return added;
    }

    private static int checkedId(Path file, JsonNode id, int vocabSize, String token) throws IOException {
        if (!id.isIntegralNumber() || id.asLong() < 0) {
            throw new IOException(file + ": token '" + token + "' has no valid id: " + id);
        }
        return checkId(file, id.asInt(), vocabSize, token);
    }

    private static int checkId(Path file, int id, int vocabSize, String token) throws IOException {
        if (id < 0 || id >= vocabSize) {
            throw new IOException(file + ": token '" + token + "' has id " + id + " but the model config has only "
                    + vocabSize + " embedding rows (vocab_size)");
        }
        return id;
    }

    /**
     * Types CONTROL the tokens llama.cpp's loader makes control tokens by their text (such as Qwen2's ordinary
     * {@code </s>}): convert_hf_to_gguf leaves them as they are and llama.cpp then fixes them with a warning at
     * every load; typed here, it loads the same vocabulary silently.
     */
    private static void typeControlLookingTokens(List<String> tokens, int[] types) {
        for (int i = 0; i < types.length; i++) {
            if (types[i] != CONTROL && ControlLookingTokens.matches(tokens.get(i))) {
                types[i] = CONTROL;
            }
        }
    }

    /** Added tokens convert_hf_to_gguf types CONTROL even when not marked special. */
    static boolean looksSpecial(String token) {
        return token.equals("<pad>")
                || token.equals("<mask>")
                || token.equals("<2mass>")
                || token.equals("[@BOS@]")
                || (token.startsWith("<|") && token.endsWith("|>"))
                || (token.startsWith("<｜") && token.endsWith("｜>"))
                || (token.startsWith("<unused") && token.endsWith(">"));
    }
}
