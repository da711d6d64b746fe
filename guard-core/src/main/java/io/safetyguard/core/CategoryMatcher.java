package io.safetyguard.core;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Maps what a model wrote in the category field to one of the policy's labels. Accepted: the exact
 * label; the label ignoring case, spacing and punctuation (older checkpoints wrote
 * {@code "O2: Violence, Harm or Cruelty"}); the bare id ({@code "O3"}, {@code "o3:"}). Nothing else:
 * a category the policy does not define is not a verdict under that policy.
 */
final class CategoryMatcher {

    private static final int MAX_CATEGORY_CHARS = 300;

    private final List<String> labels;
    private final List<String> normalized;
    private final List<String> ids;

    CategoryMatcher(List<String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a policy needs at least one category label");
        }
        this.labels = List.copyOf(labels);
        this.normalized = this.labels.stream().map(CategoryMatcher::normalize).toList();
        this.ids = this.labels.stream().map(CategoryMatcher::idOf).toList();
    }

    List<String> labels() {
        return labels;
    }

    Optional<String> match(String raw) {
        String s = raw.strip();
        if (s.isEmpty() || s.length() > MAX_CATEGORY_CHARS) {
            return Optional.empty();
        }
        int exact = labels.indexOf(s);
        if (exact >= 0) {
            return Optional.of(labels.get(exact));
        }
        String n = normalize(s);
        for (int i = 0; i < labels.size(); i++) {
            if (normalized.get(i).equals(n)) {
                return Optional.of(labels.get(i));
            }
        }
        String bareId = s.endsWith(":") ? s.substring(0, s.length() - 1).strip() : s;
        for (int i = 0; i < labels.size(); i++) {
            if (ids.get(i).equalsIgnoreCase(bareId)) {
                return Optional.of(labels.get(i));
            }
        }
        return Optional.empty();
    }

    /** The part of a label before its first colon: {@code "O3"} for {@code "O3: Sexual Content"}. */
    static String idOf(String label) {
        int colon = label.indexOf(':');
        return (colon < 0 ? label : label.substring(0, colon)).strip();
    }

    private static String normalize(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                b.append(Character.toLowerCase(c));
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
