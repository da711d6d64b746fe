package io.safetyguard.llamacpp.tools.convert;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The JSON files of a checkpoint's tokenizer: tokenizer.json (absent for a Llama checkpoint with only
 * tokenizer.model), tokenizer_config.json (required) and config.json (for special token ids).
 */
record CheckpointTokenizer(
        Path dir, Optional<JsonNode> tokenizerJson, ObjectNode tokenizerConfig, Optional<JsonNode> modelConfig) {
    static final String TOKENIZER_JSON = "tokenizer.json";
    static final String TOKENIZER_MODEL = "tokenizer.model";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    static final String CONFIG = "config.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Reads the files.
     *
     * @param needsTokenizerJson whether tokenizer.json must be there
     * @param expected           the tokenizer files this architecture needs, for the error message
     */
    static CheckpointTokenizer read(Path dir, boolean needsTokenizerJson, String expected) throws IOException {
        Path json = dir.resolve(TOKENIZER_JSON);
        Path config = dir.resolve(TOKENIZER_CONFIG);
        if ((needsTokenizerJson && !Files.isRegularFile(json)) || !Files.isRegularFile(config)) {
            throw new IOException(dir + ": no tokenizer: expected " + expected + " in this folder, found "
                    + describePresent(dir) + ". Copy them from the Hugging Face checkpoint");
        }
        JsonNode tokenizerConfig = readJson(config);
        if (!(tokenizerConfig instanceof ObjectNode configObject)) {
            throw new IOException(config + ": not a JSON object");
        }
        Optional<JsonNode> tokenizer = Files.isRegularFile(json) ? Optional.of(readJson(json)) : Optional.empty();
        Path modelConfig = dir.resolve(CONFIG);
        return new CheckpointTokenizer(
                dir,
                tokenizer,
                configObject,
                Files.isRegularFile(modelConfig) ? Optional.of(readJson(modelConfig)) : Optional.empty());
    }

    static JsonNode readJson(Path file) throws IOException {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String describePresent(Path dir) {
        StringBuilder s = new StringBuilder();
        for (String name : new String[] {TOKENIZER_JSON, TOKENIZER_MODEL, TOKENIZER_CONFIG}) {
            if (Files.isRegularFile(dir.resolve(name))) {
                s.append(s.length() == 0 ? "" : ", ").append(name);
            }
        }
        return s.length() == 0 ? "none of them" : "only " + s;
    }
}
