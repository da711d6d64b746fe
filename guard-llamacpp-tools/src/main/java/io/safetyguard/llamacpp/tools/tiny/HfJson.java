package io.safetyguard.llamacpp.tools.tiny;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON output shared by the tokenizer file writers: two-space indentation, keys in insertion order. */
final class HfJson {
    private static final ObjectWriter WRITER =
            new ObjectMapper().writer(new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n")));

    private HfJson() {}

    static void write(Path file, Object value) throws IOException {
        WRITER.writeValue(file.toFile(), value);
    }

    /** An entry of tokenizer.json's {@code added_tokens}: never stripped or normalized, as transformers adds them. */
    static Map<String, Object> addedToken(int id, String content, boolean special) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.putAll(tokenProperties(content, special));
        return m;
    }

    /** The properties of an added token as tokenizer_config.json's {@code added_tokens_decoder} lists them. */
    static Map<String, Object> tokenProperties(String content, boolean special) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("content", content);
        m.put("single_word", false);
        m.put("lstrip", false);
        m.put("rstrip", false);
        m.put("normalized", false);
        m.put("special", special);
        return m;
    }

    /** A special token as special_tokens_map.json writes it (no {@code special} flag). */
    static Map<String, Object> specialTokenMapEntry(String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("content", content);
        m.put("lstrip", false);
        m.put("normalized", false);
        m.put("rstrip", false);
        m.put("single_word", false);
        return m;
    }
}
