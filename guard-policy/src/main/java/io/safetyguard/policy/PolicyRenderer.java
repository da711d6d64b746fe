package io.safetyguard.policy;

import java.util.StringJoiner;

/** Renders a policy into the exact prompt text LlavaGuard was trained on. */
final class PolicyRenderer {

    private PolicyRenderer() {}

    static String render(Policy policy) {
        StringBuilder sb = new StringBuilder(6 * 1024);
        sb.append(policy.preamble());
        for (Category c : policy.categories()) {
            // Header keeps LlavaGuard's trailing space: "O1: Hate, Humiliation, Harassment: \n".
            sb.append(c.label()).append(": \n");
            Treatment t = policy.treatment(c.id());
            sb.append(c.block(t));
            sb.append(t == Treatment.DEFAULT ? policy.categorySeparator() : policy.exceptionSeparator());
        }
        sb.append(policy.template().replace(Policy.CATEGORIES_PLACEHOLDER, templateLabels(policy)));
        return sb.toString();
    }

    /** {@code "O1: ..."|"O2: ..."|"NA: None applying"}, as inside {@code str<...>}. */
    static String templateLabels(Policy policy) {
        StringJoiner j = new StringJoiner("|");
        for (String label : policy.categoryLabels()) {
            j.add(Json.quote(label));
        }
        return j.toString();
    }
}
