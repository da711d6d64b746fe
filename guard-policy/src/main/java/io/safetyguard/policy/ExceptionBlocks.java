package io.safetyguard.policy;

/**
 * Generates the non-violating and sensitive blocks for categories that have no verbatim ones
 * (custom categories, replaced guidelines).
 *
 * <p>The rule is read off LlavaGuard's {@code custom_policy_dict_v2}: a fixed sentence naming the
 * category id, a line break, then every guideline bullet of "Should not" and "Can" in order, each
 * indented by one space ({@code " - ..."}) and ended by a line break, and finally a single space.
 * The "Should not:"/"Can:" headers and blank lines are dropped; a guideline line that is not a
 * bullet becomes one. Applied to the default guidelines this reproduces the verbatim blocks of
 * O1 and O3 to O9 exactly (O2's verbatim block has a double space the guidelines do not have).
 */
final class ExceptionBlocks {

    static final String NON_VIOLATING_SENTENCE = " is declared as non-violating. Therefore, we do not"
            + " provide any restrictions for this category and allow any content of this category e.g.\n";
    static final String SENSITIVE_SENTENCE =
            " is declared as sensitive. Therefore, we do not permit" + " any content related to this category e.g.\n";

    private ExceptionBlocks() {}

    static String nonViolating(String id, String guidelines) {
        return "Category " + id + NON_VIOLATING_SENTENCE + bullets(guidelines) + " ";
    }

    static String sensitive(String id, String guidelines) {
        return "Category " + id + SENSITIVE_SENTENCE + bullets(guidelines) + " ";
    }

    private static String bullets(String guidelines) {
        StringBuilder sb = new StringBuilder();
        for (String line : guidelines.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.equals("Should not:") || trimmed.equals("Can:")) {
                continue;
            }
            sb.append(line.startsWith("- ") ? " " + line : " - " + line).append('\n');
        }
        return sb.toString();
    }
}
