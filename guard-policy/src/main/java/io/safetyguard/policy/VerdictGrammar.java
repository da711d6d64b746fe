package io.safetyguard.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The verdict format a policy asks for, as a llama.cpp GBNF grammar (for constrained decoding)
 * and as a JSON Schema (for documentation and other backends).
 *
 * <p>The verdict is a JSON object with the keys in the trained order {@code rating}, {@code
 * category}, {@code rationale}; {@code rating} is {@code "Safe"} or {@code "Unsafe"}; {@code
 * category} is one of {@link Policy#categoryLabels()}. The grammar accepts the models' trained
 * layout ({@code json.dumps(..., indent=4)}):
 *
 * <pre>
 * {
 *     "rating": "Safe",
 *     "category": "NA: None applying",
 *     "rationale": "..."
 * }
 * </pre>
 *
 * and any other JSON whitespace between tokens, bounded to {@value #MAX_WHITESPACE} characters
 * per gap, and the rationale to {@value #DEFAULT_MAX_RATIONALE_CHARS} JSON characters (an escape
 * sequence counts as one), so that even a random-weight model reaches the end. The verdict-only
 * variant closes the object right after the category: {@code {"rating": ..., "category": ...}}.
 * Both always produce a complete, parseable JSON object.
 */
public final class VerdictGrammar {

    /** Default bound on the rationale's length, in JSON characters. */
    public static final int DEFAULT_MAX_RATIONALE_CHARS = 1500;
    /**
     * Largest accepted bound: llama.cpp (v0.4.0, {@code MAX_REPETITION_THRESHOLD} = 2000) silently
     * turns a larger {@code {0,n}} into an unbounded repetition and rejects very large ones.
     */
    public static final int MAX_RATIONALE_CHARS_LIMIT = 1999;
    /** Most whitespace characters allowed between two JSON tokens. */
    public static final int MAX_WHITESPACE = 16;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private VerdictGrammar() {}

    /**
     * The GBNF grammar for a policy's verdict, with root rule {@code root} and the rationale bounded
     * to {@value #DEFAULT_MAX_RATIONALE_CHARS} characters.
     *
     * @param verdictOnly {@code true} to stop after the category (no rationale)
     */
    public static String gbnf(Policy policy, boolean verdictOnly) {
        return gbnf(policy, verdictOnly, DEFAULT_MAX_RATIONALE_CHARS);
    }

    /**
     * The GBNF grammar for a policy's verdict.
     *
     * @param verdictOnly {@code true} to stop after the category (no rationale)
     * @param maxRationaleChars bound on the rationale, 1 to {@value #MAX_RATIONALE_CHARS_LIMIT}
     */
    public static String gbnf(Policy policy, boolean verdictOnly, int maxRationaleChars) {
        checkBound(maxRationaleChars);
        StringBuilder g = new StringBuilder(1024);
        // Depends on the labels only, so policies differing in guideline text share one grammar.
        g.append(
                verdictOnly
                        ? "# LlavaGuard verdict: rating, category\n"
                        : "# LlavaGuard verdict: rating, category, rationale\n");
        g.append("root ::= \"{\" ws \"\\\"rating\\\"\" ws \":\" ws rating ws \",\" ws "
                + "\"\\\"category\\\"\" ws \":\" ws category ws ");
        if (verdictOnly) {
            g.append("\"}\"\n");
        } else {
            g.append("\",\" ws \"\\\"rationale\\\"\" ws \":\" ws rationale ws \"}\"\n");
        }
        g.append("rating ::= ")
                .append(Gbnf.literal("\"Safe\""))
                .append(" | ")
                .append(Gbnf.literal("\"Unsafe\""))
                .append('\n');
        g.append("category ::=");
        String sep = " ";
        for (String label : policy.categoryLabels()) {
            // The model writes the label as a JSON string; the grammar literal is that JSON text.
            // llama.cpp ends a rule at a line break unless it follows "|", hence "|" before "\n".
            g.append(sep).append(Gbnf.literal(categoryLiteral(label)));
            sep = " |\n    ";
        }
        g.append('\n');
        if (!verdictOnly) {
            g.append("rationale ::= \"\\\"\" char{0,").append(maxRationaleChars).append("} \"\\\"\"\n");
            g.append("char ::= [^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" " + "[0-9a-fA-F]{4})\n");
        }
        g.append("ws ::= [ \\t\\n\\r]{0,").append(MAX_WHITESPACE).append("}\n");
        return g.toString();
    }

    /**
     * The text the grammar lets the model write for a category label: the label as a JSON string literal, quotes
     * included (labels are written unescaped apart from JSON's required escapes).
     */
    public static String categoryLiteral(String label) {
        return Json.quote(label);
    }

    /** The JSON Schema (draft 2020-12) of a full verdict, rationale bounded by default. */
    public static String jsonSchema(Policy policy) {
        return jsonSchema(policy, false);
    }

    /**
     * The JSON Schema (draft 2020-12) of a verdict; properties are listed in the trained key order.
     *
     * @param verdictOnly {@code true} for the object without rationale
     */
    public static String jsonSchema(Policy policy, boolean verdictOnly) {
        ObjectNode schema = MAPPER.createObjectNode();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("title", "LlavaGuard verdict");
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        ObjectNode rating = props.putObject("rating");
        rating.put("type", "string");
        rating.putArray("enum").add("Safe").add("Unsafe");
        ObjectNode category = props.putObject("category");
        category.put("type", "string");
        ArrayNode labels = category.putArray("enum");
        policy.categoryLabels().forEach(labels::add);
        ArrayNode required = schema.putArray("required").add("rating").add("category");
        if (!verdictOnly) {
            ObjectNode rationale = props.putObject("rationale");
            rationale.put("type", "string");
            rationale.put("maxLength", DEFAULT_MAX_RATIONALE_CHARS);
            required.add("rationale");
        }
        schema.put("additionalProperties", false);
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(schema) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON schema", e);
        }
    }

    private static void checkBound(int maxRationaleChars) {
        if (maxRationaleChars < 1 || maxRationaleChars > MAX_RATIONALE_CHARS_LIMIT) {
            throw new IllegalArgumentException("maxRationaleChars must be 1.." + MAX_RATIONALE_CHARS_LIMIT
                    + " (llama.cpp ignores larger repetition bounds), got " + maxRationaleChars);
        }
    }
}
