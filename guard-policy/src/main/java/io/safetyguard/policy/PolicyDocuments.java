package io.safetyguard.policy;

import io.safetyguard.policy.PolicyDocument.CategoryDocument;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Converts between {@link PolicyDocument} (file form) and {@link Policy}. */
final class PolicyDocuments {

    private PolicyDocuments() {}

    /**
     * Builds the policy a document describes.
     *
     * @param source the file name used in error messages
     */
    static Policy toPolicy(PolicyDocument doc, String source) {
        if (doc == null) {
            throw new PolicyException(
                    source,
                    null,
                    "empty policy file; write at least " + "{\"preset\": \"" + Policy.DEFAULT_PRESET + "\"}",
                    null);
        }
        try {
            return build(doc);
        } catch (PolicyException e) {
            throw e.in(source, null);
        }
    }

    private static Policy build(PolicyDocument doc) {
        checkUnicode(doc);
        Policy.Builder b = base(doc);
        if (doc.name != null) {
            b.name(doc.name);
        }
        forEach("remove", doc.remove, b::remove);
        List<CategoryDocument> cats = doc.categories;
        if (cats != null) {
            for (int i = 0; i < cats.size(); i++) {
                String field = "categories[" + i + "]";
                CategoryDocument c = cats.get(i);
                if (c == null) {
                    throw new PolicyException(null, field, "expected a category object, got null", null);
                }
                try {
                    b.addCategory(Category.of(c.id, c.name, c.guidelines, c.nonViolatingText, c.sensitiveText));
                } catch (PolicyException e) {
                    throw new PolicyException(
                            null,
                            field
                                    + (e.field().isPresent() && !e.field().get().equals("categories")
                                            ? "." + e.field().get()
                                            : ""),
                            e.problem(),
                            e);
                }
            }
        }
        if (doc.replace != null) {
            for (Map.Entry<String, String> e : doc.replace.entrySet()) {
                try {
                    b.replaceGuidelines(e.getKey(), e.getValue());
                } catch (PolicyException ex) {
                    throw new PolicyException(null, "replace." + e.getKey(), ex.problem(), ex);
                }
            }
        }
        Set<String> allowed = new HashSet<>();
        forEach("allow", doc.allow, id -> {
            b.allow(id);
            allowed.add(id);
        });
        forEach("sensitive", doc.sensitive, id -> {
            if (allowed.contains(id)) {
                throw new PolicyException(
                        null,
                        null,
                        "category '" + id + "' is listed under both allow and sensitive; keep it in one of them",
                        null);
            }
            b.sensitive(id);
        });
        if (doc.thresholds != null) {
            for (Map.Entry<String, Double> t : doc.thresholds.entrySet()) {
                if (t.getValue() == null) {
                    throw new PolicyException(
                            null, "thresholds." + t.getKey(), "expected a probability in [0, 1], got null", null);
                }
                try {
                    b.threshold(t.getKey(), t.getValue());
                } catch (PolicyException ex) {
                    throw new PolicyException(null, "thresholds." + t.getKey(), ex.problem(), ex);
                }
            }
        }
        return b.build();
    }

    /**
     * Refuses text with an unpaired surrogate, which only a JSON or YAML escape of a lone surrogate
     * (such as D801) can produce: it is not Unicode, cannot be saved (the writers replace it, so the
     * saved policy rendered another prompt) and would reach the tokenizer as garbage. Found by {@code
     * PolicyLoaderFuzzTest}.
     */
    private static void checkUnicode(PolicyDocument doc) {
        checkUnicode("name", doc.name);
        checkUnicode("description", doc.description);
        checkUnicode("preset", doc.preset);
        checkUnicode("preamble", doc.preamble);
        checkUnicode("categorySeparator", doc.categorySeparator);
        checkUnicode("exceptionSeparator", doc.exceptionSeparator);
        checkUnicode("template", doc.template);
        if (doc.categories != null) {
            for (int i = 0; i < doc.categories.size(); i++) {
                CategoryDocument c = doc.categories.get(i);
                if (c != null) {
                    String field = "categories[" + i + "].";
                    checkUnicode(field + "id", c.id);
                    checkUnicode(field + "name", c.name);
                    checkUnicode(field + "guidelines", c.guidelines);
                    checkUnicode(field + "nonViolatingText", c.nonViolatingText);
                    checkUnicode(field + "sensitiveText", c.sensitiveText);
                }
            }
        }
        checkUnicode("remove", doc.remove);
        checkUnicode("allow", doc.allow);
        checkUnicode("sensitive", doc.sensitive);
        if (doc.replace != null) {
            for (Map.Entry<String, String> e : doc.replace.entrySet()) {
                checkUnicode("replace", e.getKey());
                checkUnicode("replace." + e.getKey(), e.getValue());
            }
        }
    }

    private static void checkUnicode(String field, List<String> values) {
        if (values != null) {
            for (int i = 0; i < values.size(); i++) {
                checkUnicode(field + "[" + i + "]", values.get(i));
            }
        }
    }

    private static void checkUnicode(String field, String text) {
        if (text == null) {
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new PolicyException(
                        null,
                        field,
                        String.format(
                                "contains an unpaired surrogate "
                                        + "(\\u%04x); text must be valid Unicode, so \\u escapes of surrogates must come in"
                                        + " high-low pairs",
                                (int) c),
                        null);
            }
        }
    }

    private static Policy.Builder base(PolicyDocument doc) {
        boolean custom = doc.preamble != null
                || doc.template != null
                || doc.categorySeparator != null
                || doc.exceptionSeparator != null;
        if (doc.preset != null) {
            if (custom) {
                throw new PolicyException(
                        null,
                        doc.preamble != null
                                ? "preamble"
                                : doc.template != null
                                        ? "template"
                                        : doc.categorySeparator != null ? "categorySeparator" : "exceptionSeparator",
                        "a policy file either names a preset or defines preamble and template, not both; "
                                + "remove this field or the preset",
                        null);
            }
            return Policy.preset(doc.preset).toBuilder();
        }
        if (!custom) {
            throw new PolicyException(
                    null,
                    "preset",
                    "missing: name a preset (" + String.join(", ", Presets.NAMES)
                            + ") or define preamble, template and categories",
                    null);
        }
        Policy.Builder b = Policy.builder();
        if (doc.preamble == null) {
            throw new PolicyException(
                    null, "preamble", "missing preamble (start sentence); a policy without preset needs one", null);
        }
        if (doc.template == null) {
            throw new PolicyException(null, "template", "missing template; a policy without preset needs one", null);
        }
        b.preamble(doc.preamble).template(doc.template);
        if (doc.categorySeparator != null) {
            b.categorySeparator(doc.categorySeparator);
        }
        if (doc.exceptionSeparator != null) {
            b.exceptionSeparator(doc.exceptionSeparator);
        }
        return b;
    }

    private interface IdAction {
        void apply(String id);
    }

    private static void forEach(String field, List<String> ids, IdAction action) {
        if (ids == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            String f = field + "[" + i + "]";
            if (id == null || id.isEmpty()) {
                throw new PolicyException(
                        null, f, "expected a category id, got " + (id == null ? "null" : "an empty string"), null);
            }
            if (!seen.add(id)) {
                throw new PolicyException(null, f, "category '" + id + "' is listed twice", null);
            }
            try {
                action.apply(id);
            } catch (PolicyException e) {
                throw new PolicyException(null, f, e.problem(), e);
            }
        }
    }

    /**
     * The document for a policy: the short form (preset plus changes) when the policy derives from
     * a preset and that form rebuilds it exactly, else the full form.
     */
    static PolicyDocument toDocument(Policy policy) {
        if (policy.basePreset().isPresent()) {
            PolicyDocument compact =
                    compact(policy, Policy.preset(policy.basePreset().get()));
            if (compact != null && rebuildsTo(compact, policy)) {
                return compact;
            }
        }
        return full(policy);
    }

    private static boolean rebuildsTo(PolicyDocument doc, Policy policy) {
        try {
            return toPolicy(doc, "(check)").equals(policy);
        } catch (PolicyException e) {
            return false;
        }
    }

    private static PolicyDocument compact(Policy policy, Policy base) {
        if (!policy.preamble().equals(base.preamble())
                || !policy.template().equals(base.template())
                || !policy.categorySeparator().equals(base.categorySeparator())
                || !policy.exceptionSeparator().equals(base.exceptionSeparator())) {
            return null;
        }
        List<String> remove = new ArrayList<>();
        for (Category c : base.categories()) {
            // A category re-added under the same id with another name counts as removed and added.
            if (policy.categoryById(c.id())
                    .map(pc -> !pc.name().equals(c.name()))
                    .orElse(true)) {
                remove.add(c.id());
            }
        }
        List<CategoryDocument> added = new ArrayList<>();
        Map<String, String> replace = new LinkedHashMap<>();
        for (Category c : policy.categories()) {
            Category bc = base.categoryById(c.id()).orElse(null);
            if (bc == null || remove.contains(c.id())) {
                added.add(new CategoryDocument(c));
            } else if (!bc.equals(c)) {
                replace.put(c.id(), c.guidelines());
            }
        }
        PolicyDocument doc = new PolicyDocument();
        doc.name = policy.name().equals(base.name()) ? null : policy.name();
        doc.preset = base.name();
        doc.categories = emptyToNull(added);
        doc.remove = emptyToNull(remove);
        doc.replace = replace.isEmpty() ? null : replace;
        doc.allow = emptyToNull(ids(policy, Treatment.NON_VIOLATING));
        doc.sensitive = emptyToNull(ids(policy, Treatment.SENSITIVE));
        doc.thresholds = policy.thresholds().isEmpty() ? null : new LinkedHashMap<>(policy.thresholds());
        return doc;
    }

    private static PolicyDocument full(Policy policy) {
        PolicyDocument doc = new PolicyDocument();
        doc.name = policy.name();
        doc.preamble = policy.preamble();
        // Separators are written only when they differ from the default "\n" (YAML shows a lone
        // line break as an awkward block scalar).
        doc.categorySeparator = nullIfDefault(policy.categorySeparator());
        doc.exceptionSeparator = nullIfDefault(policy.exceptionSeparator());
        doc.template = policy.template();
        doc.categories = new ArrayList<>();
        for (Category c : policy.categories()) {
            doc.categories.add(new CategoryDocument(c));
        }
        doc.allow = emptyToNull(ids(policy, Treatment.NON_VIOLATING));
        doc.sensitive = emptyToNull(ids(policy, Treatment.SENSITIVE));
        doc.thresholds = policy.thresholds().isEmpty() ? null : new LinkedHashMap<>(policy.thresholds());
        return doc;
    }

    private static List<String> ids(Policy policy, Treatment treatment) {
        List<String> ids = new ArrayList<>();
        policy.exceptions().forEach((id, t) -> {
            if (t == treatment) {
                ids.add(id);
            }
        });
        return ids;
    }

    private static String nullIfDefault(String separator) {
        return separator.equals("\n") ? null : separator;
    }

    private static <T> List<T> emptyToNull(List<T> list) {
        return list.isEmpty() ? null : list;
    }
}
