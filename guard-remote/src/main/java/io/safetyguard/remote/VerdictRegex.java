package io.safetyguard.remote;

import io.safetyguard.policy.Policy;
import io.safetyguard.policy.VerdictGrammar;

/**
 * A regular expression for a policy's verdict in exactly the trained layout
 * ({@code json.dumps(..., indent=4)}: 4-space indent, keys rating, category, rationale), for servers that
 * constrain by regex (SGLang {@code regex}, vLLM {@code structured_outputs.regex}). It uses only the
 * common regex subset those engines compile (no look-around, no {@code \Q...\E}).
 */
final class VerdictRegex {

    private VerdictRegex() {}

    static String of(Policy policy, boolean verdictOnly) {
        StringBuilder re = new StringBuilder(512);
        re.append("\\{\\n    \"rating\": \"(Safe|Unsafe)\",\\n    \"category\": \"(");
        String sep = "";
        for (String label : policy.categoryLabels()) {
            re.append(sep).append(escape(jsonStringBody(label)));
            sep = "|";
        }
        re.append(")\"");
        if (!verdictOnly) {
            // a JSON string body: plain characters or escapes, bounded like the GBNF grammar's rationale
            re.append(",\\n    \"rationale\": \"([^\"\\\\\\x00-\\x1f]|\\\\[\"\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4}){0,")
                    .append(VerdictGrammar.DEFAULT_MAX_RATIONALE_CHARS)
                    .append("}\"");
        }
        re.append("\\n\\}");
        return re.toString();
    }

    /** The label as it appears between the quotes of a JSON string. */
    private static String jsonStringBody(String label) {
        StringBuilder sb = new StringBuilder(label.length());
        for (char c : label.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** Escapes regex metacharacters one by one. */
    private static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            if ("\\^$.|?*+()[]{}/".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
