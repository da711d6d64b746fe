package io.safetyguard.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A written safety policy as a LlavaGuard model reads it: a preamble (start sentence), an ordered
 * list of {@link Category categories}, the {@link Treatment exception} declared for each, and the
 * assessment template listing the categories the model may answer with.
 *
 * <p>Immutable and thread-safe. The prompt text ({@link #render()}) and its {@link #fingerprint()}
 * are computed once, at construction.
 *
 * <p>Start from a preset and change it with {@link #toBuilder()}:
 *
 * <pre>{@code
 * Policy p = Policy.llavaGuardDefault().toBuilder()
 *     .allow("O6")                       // declare "Weapons or Substance Abuse" non-violating
 *     .sensitive("O3")
 *     .replaceGuidelines("O2", "Should not:\n- ...\nCan:\n- ...\n")
 *     .addCategory("C1", "Spoilers", "Should not:\n- Contain movie spoilers.\n")
 *     .remove("O9")
 *     .build();
 * }</pre>
 *
 * <p>Prompt layout: {@code preamble}, then for each category {@code label + ": \n" + block +
 * separator} (the {@link #categorySeparator()} after a default block, the {@link
 * #exceptionSeparator()} after a non-violating or sensitive one), then the template with {@value
 * #CATEGORIES_PLACEHOLDER} replaced by the quoted labels joined with {@code |}, ending with {@code
 * "NA: None applying"}. With both separators {@code "\n"} (preset v1.2) this is exactly the
 * composition rule of LlavaGuard's policy blocks.
 *
 * <p>Presets: {@code llavaguard-v1.2} (the text of the v1.2 and v1.1 models) and {@code
 * llavaguard-v1.0} (first-generation models). The v1.0 text differs only in data: a leading line
 * break in the preamble, no blank line between categories ({@code categorySeparator} {@code ""}),
 * its own step 3 and the closing {@code "}."} in the template. Its nine category blocks are
 * byte-identical to v1.2's, and the v1.0 training template (json-v16) used the same block
 * dictionary ({@code custom_policy_dict_v2}), so v1.0 carries the same verbatim non-violating and
 * sensitive blocks. Those blocks end in a space, not a line break; the v1.0 preset keeps the
 * {@code "\n"} LlavaGuard's composition writes after them ({@code exceptionSeparator}), so the
 * next header starts its own line and the bytes around an exception match the training
 * composition.
 */
public final class Policy {

    /** Id used for "no category applies". Reserved: no category may use it. */
    public static final String NONE_APPLYING_ID = "NA";
    /** The label the model answers with when no category applies. */
    public static final String NONE_APPLYING_LABEL = "NA: None applying";
    /** Where the template lists the category labels. */
    public static final String CATEGORIES_PLACEHOLDER = "{categories}";
    /** Name of the default preset. */
    public static final String DEFAULT_PRESET = "llavaguard-v1.2";

    private final String name;
    private final String preamble;
    private final String categorySeparator;
    private final String exceptionSeparator;
    private final String template;
    private final List<Category> categories;
    private final Map<String, Category> byId;
    private final Map<String, Treatment> treatments;
    private final List<String> labels;
    private final String basePreset;
    private final String rendered;
    private final String fingerprint;
    private final Map<String, Double> thresholds;

    private Policy(Builder b) {
        this.name = b.name;
        this.preamble = b.preamble;
        this.categorySeparator = b.categorySeparator;
        this.exceptionSeparator = b.exceptionSeparator;
        this.template = b.template;
        this.byId = Collections.unmodifiableMap(new LinkedHashMap<>(b.categories));
        this.categories = List.copyOf(b.categories.values());
        Map<String, Treatment> t = new LinkedHashMap<>();
        for (String id : byId.keySet()) {
            Treatment tr = b.treatments.get(id);
            if (tr != null && tr != Treatment.DEFAULT) {
                t.put(id, tr);
            }
        }
        this.treatments = Collections.unmodifiableMap(t);
        List<String> l = new ArrayList<>(categories.size() + 1);
        for (Category c : categories) {
            l.add(c.label());
        }
        l.add(NONE_APPLYING_LABEL);
        this.labels = List.copyOf(l);
        this.basePreset = b.basePreset;
        this.rendered = PolicyRenderer.render(this);
        this.fingerprint = sha256Hex(rendered);
        Map<String, Double> th = new LinkedHashMap<>();
        for (String id : byId.keySet()) {
            if (b.thresholds.containsKey(id)) {
                th.put(id, b.thresholds.get(id));
            }
        }
        this.thresholds = Collections.unmodifiableMap(th);
    }

    /** The default LlavaGuard policy, preset {@value #DEFAULT_PRESET}. */
    public static Policy llavaGuardDefault() {
        return preset(DEFAULT_PRESET);
    }

    /**
     * A shipped preset: {@code "llavaguard-v1.2"} (v1.2 and v1.1 models) or {@code
     * "llavaguard-v1.0"}.
     *
     * @throws PolicyException if the name is not a known preset; the message lists the known ones
     */
    public static Policy preset(String name) {
        return Presets.get(name);
    }

    /** Names of the shipped presets, default first. */
    public static List<String> presetNames() {
        return Presets.NAMES;
    }

    /**
     * A builder for a policy written from scratch. Preamble, template and at least one category are
     * required; the category separator defaults to {@code "\n"} (the v1.2 layout).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this policy, to derive a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The policy's name, for example {@code llavaguard-v1.2}. Not part of the prompt. */
    public String name() {
        return name;
    }

    /** The preset this policy was derived from, if any. Not part of equality. */
    public Optional<String> basePreset() {
        return Optional.ofNullable(basePreset);
    }

    /** The start sentence, ending with a line break. */
    public String preamble() {
        return preamble;
    }

    /**
     * Text after each category block shown with its own guidelines: {@code "\n"} (a blank line,
     * v1.2) or {@code ""} (v1.0).
     */
    public String categorySeparator() {
        return categorySeparator;
    }

    /**
     * Text after each non-violating or sensitive block; {@code "\n"} in both presets. Those
     * verbatim blocks end with a space instead of a line break, and LlavaGuard's composition
     * (also for the v1.0 training template json-v16) always writes {@code "\n"} after a block.
     */
    public String exceptionSeparator() {
        return exceptionSeparator;
    }

    /** The assessment template, containing {@value #CATEGORIES_PLACEHOLDER} once. */
    public String template() {
        return template;
    }

    /** The categories in prompt order. */
    public List<Category> categories() {
        return categories;
    }

    /** The category with this id, if the policy has it. */
    public Optional<Category> categoryById(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * The id a label stands for: {@code "O6: Weapons or Substance Abuse"} gives {@code "O6"}, {@link
     * #NONE_APPLYING_LABEL} gives {@link #NONE_APPLYING_ID}. Empty when the label is not exactly one
     * of this policy's labels.
     */
    public Optional<String> categoryIdForLabel(String label) {
        return categoryForLabel(label)
                .map(Category::id)
                .or(() -> NONE_APPLYING_LABEL.equals(label) ? Optional.of(NONE_APPLYING_ID) : Optional.empty());
    }

    /** The category a label stands for; empty for {@link #NONE_APPLYING_LABEL} and unknown labels. */
    public Optional<Category> categoryForLabel(String label) {
        if (label == null) {
            return Optional.empty();
        }
        int colon = label.indexOf(": ");
        if (colon < 0) {
            return Optional.empty();
        }
        Category c = byId.get(label.substring(0, colon));
        return c != null && c.label().equals(label) ? Optional.of(c) : Optional.empty();
    }

    /** How the policy treats the category with this id. */
    public Treatment treatment(String id) {
        if (!byId.containsKey(id)) {
            throw new PolicyException(null, null, unknownCategory(id, byId.keySet()), null);
        }
        return treatments.getOrDefault(id, Treatment.DEFAULT);
    }

    /** The categories whose treatment is not {@link Treatment#DEFAULT}, in prompt order. */
    public Map<String, Treatment> exceptions() {
        return treatments;
    }

    /**
     * The labels the model may answer with: each category's {@code "ID: Name"} in order, then
     * {@link #NONE_APPLYING_LABEL}.
     */
    public List<String> categoryLabels() {
        return labels;
    }

    /**
     * Per-category unsafe thresholds (id to probability, in category order), applied by the guard to the joint
     * probability P(Unsafe, category); see {@code Verdict.withThresholds}. They decide what the host does with the
     * model's answer, not what the model is asked, so they are not part of {@link #render()} or the
     * {@link #fingerprint()}: cached verdicts stay valid when they change.
     */
    public Map<String, Double> thresholds() {
        return thresholds;
    }

    /** The exact prompt text of this policy. */
    public String render() {
        return rendered;
    }

    /** Lower-case hex SHA-256 of {@link #render()} in UTF-8: equal prompts, equal fingerprints. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Policy)) {
            return false;
        }
        Policy p = (Policy) o;
        return name.equals(p.name)
                && rendered.equals(p.rendered)
                && preamble.equals(p.preamble)
                && categorySeparator.equals(p.categorySeparator)
                && exceptionSeparator.equals(p.exceptionSeparator)
                && template.equals(p.template)
                && categories.equals(p.categories)
                && treatments.equals(p.treatments)
                && thresholds.equals(p.thresholds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, fingerprint);
    }

    @Override
    public String toString() {
        return "Policy[" + name + ", " + categories.size() + " categories, exceptions=" + treatments + ", sha256="
                + fingerprint.substring(0, 12) + "]";
    }

    static String unknownCategory(String id, java.util.Collection<String> known) {
        return "unknown category '" + id + "'; this policy has " + String.join(", ", known);
    }

    private static String sha256Hex(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required on every Java platform", e);
        }
    }

    // This file is over 400 lines because of this nested builder (about 220 of them): it is public
    // API as Policy.Builder, and each method checks its input where the caller can still be told
    // which field is wrong. Rendering (PolicyRenderer), files (PolicyFiles, PolicyDocuments) and
    // presets (Presets) already live apart; what remains above is the immutable value itself.
    /**
     * Builds a {@link Policy}. Every method checks its input at once and throws {@link
     * PolicyException} naming the field as it appears in policy files ({@code allow}, {@code
     * replace}, ...). Not thread-safe.
     */
    public static final class Builder {
        private String name = "custom";
        private String preamble;
        private String categorySeparator = "\n";
        private String exceptionSeparator = "\n";
        private String template;
        private final LinkedHashMap<String, Category> categories = new LinkedHashMap<>();
        private final Map<String, Treatment> treatments = new LinkedHashMap<>();
        private String basePreset;
        private final Map<String, Double> thresholds = new LinkedHashMap<>();

        private Builder() {}

        private Builder(Policy p) {
            this.name = p.name;
            this.preamble = p.preamble;
            this.categorySeparator = p.categorySeparator;
            this.exceptionSeparator = p.exceptionSeparator;
            this.template = p.template;
            this.categories.putAll(p.byId);
            this.treatments.putAll(p.treatments);
            this.basePreset = p.basePreset;
            this.thresholds.putAll(p.thresholds);
        }

        /**
         * Sets the unsafe threshold of one category: the verdict is Unsafe when P(Unsafe) * P(id | Unsafe) reaches
         * it (see {@link Policy#thresholds()}).
         *
         * @throws PolicyException (field {@code thresholds}) for an unknown id or a value outside [0, 1]
         */
        public Builder threshold(String id, double probability) {
            requireKnown("thresholds", id);
            if (!(probability >= 0 && probability <= 1)) {
                throw new PolicyException(
                        null,
                        "thresholds",
                        "the threshold of " + id + " must be a probability in [0, 1], got " + probability,
                        null);
            }
            thresholds.put(id, probability);
            return this;
        }

        /** Sets the policy's name (one line, not blank). */
        public Builder name(String name) {
            if (name == null || name.isBlank() || name.contains("\n") || !name.equals(name.strip())) {
                throw new PolicyException(
                        null,
                        "name",
                        "a policy name must be one non-blank line without surrounding spaces, got " + quote(name),
                        null);
            }
            this.name = name;
            return this;
        }

        /** Sets the start sentence; a final line break is added when missing. */
        public Builder preamble(String preamble) {
            if (preamble == null || preamble.isBlank()) {
                throw new PolicyException(
                        null,
                        "preamble",
                        "empty preamble; write the start sentence that introduces the categories",
                        null);
            }
            this.preamble = preamble.endsWith("\n") ? preamble : preamble + "\n";
            return this;
        }

        /**
         * Sets the text written after each block shown with its own guidelines ({@code "\n"} for a
         * blank line between categories, {@code ""} for none).
         */
        public Builder categorySeparator(String separator) {
            this.categorySeparator = checkSeparator("categorySeparator", separator);
            return this;
        }

        /** Sets the text written after each non-violating or sensitive block (default {@code "\n"}). */
        public Builder exceptionSeparator(String separator) {
            this.exceptionSeparator = checkSeparator("exceptionSeparator", separator);
            return this;
        }

        private static String checkSeparator(String field, String separator) {
            if (separator == null || !separator.isBlank()) {
                throw new PolicyException(
                        null,
                        field,
                        "a separator must be whitespace such as \"\\n\" or \"\", got " + quote(separator),
                        null);
            }
            return separator;
        }

        /**
         * Sets the assessment template. It must contain {@value #CATEGORIES_PLACEHOLDER} exactly once,
         * where the quoted labels are listed (in LlavaGuard: {@code "category": str<{categories}>,}).
         */
        public Builder template(String template) {
            if (template == null || template.isBlank()) {
                throw new PolicyException(null, "template", "empty template", null);
            }
            int first = template.indexOf(CATEGORIES_PLACEHOLDER);
            if (first < 0 || template.indexOf(CATEGORIES_PLACEHOLDER, first + 1) >= 0) {
                throw new PolicyException(
                        null,
                        "template",
                        "the template must contain "
                                + CATEGORIES_PLACEHOLDER + " exactly once, where the category labels are listed, "
                                + "e.g. \"category\": str<" + CATEGORIES_PLACEHOLDER + ">,",
                        null);
            }
            this.template = template;
            return this;
        }

        /** Declares a category non-violating (LlavaGuard's trained policy exception). */
        public Builder allow(String id) {
            return treatment("allow", id, Treatment.NON_VIOLATING);
        }

        /** Declares a category sensitive: no content of it is permitted. */
        public Builder sensitive(String id) {
            return treatment("sensitive", id, Treatment.SENSITIVE);
        }

        /** Sets a category back to its own guidelines. */
        public Builder restore(String id) {
            return treatment("restore", id, Treatment.DEFAULT);
        }

        /** Sets how a category is treated. */
        public Builder treatment(String id, Treatment treatment) {
            Objects.requireNonNull(treatment, "treatment");
            String field = treatment == Treatment.NON_VIOLATING
                    ? "allow"
                    : treatment == Treatment.SENSITIVE ? "sensitive" : "restore";
            return treatment(field, id, treatment);
        }

        private Builder treatment(String field, String id, Treatment treatment) {
            requireKnown(field, id);
            treatments.put(id, treatment);
            return this;
        }

        /**
         * Replaces a category's guidelines. Its exception blocks are then generated from the new
         * guidelines (the verbatim ones list the old bullets).
         */
        public Builder replaceGuidelines(String id, String guidelines) {
            requireKnown("replace", id);
            try {
                categories.put(id, categories.get(id).withGuidelines(guidelines));
            } catch (PolicyException e) {
                throw e.in(null, "replace." + id);
            }
            return this;
        }

        /** Adds a category at the end; see {@link Category#of(String, String, String)}. */
        public Builder addCategory(String id, String name, String guidelines) {
            Category c;
            try {
                c = Category.of(id, name, guidelines);
            } catch (PolicyException e) {
                throw e.in(null, "categories");
            }
            return addCategory(c);
        }

        /** Adds a category at the end. */
        public Builder addCategory(Category category) {
            Objects.requireNonNull(category, "category");
            if (categories.containsKey(category.id())) {
                throw new PolicyException(
                        null,
                        "categories",
                        "duplicate category id '" + category.id()
                                + "': the policy already has \""
                                + categories.get(category.id()).label()
                                + "\"; use another id, or replace its guidelines instead",
                        null);
            }
            categories.put(category.id(), category);
            return this;
        }

        /** Removes a category and its exception. */
        public Builder remove(String id) {
            requireKnown("remove", id);
            categories.remove(id);
            treatments.remove(id);
            thresholds.remove(id);
            return this;
        }

        /**
         * Builds the policy.
         *
         * @throws PolicyException if preamble or template is missing or there are no categories
         */
        public Policy build() {
            if (preamble == null) {
                throw new PolicyException(null, "preamble", "missing preamble (start sentence)", null);
            }
            if (template == null) {
                throw new PolicyException(null, "template", "missing assessment template", null);
            }
            if (categories.isEmpty()) {
                throw new PolicyException(
                        null,
                        "categories",
                        "a policy needs at least one category besides \"" + NONE_APPLYING_LABEL + "\"",
                        null);
            }
            return new Policy(this);
        }

        Builder basePreset(String preset) {
            this.basePreset = preset;
            return this;
        }

        private void requireKnown(String field, String id) {
            if (id == null || !categories.containsKey(id)) {
                throw new PolicyException(null, field, unknownCategory(id, categories.keySet()), null);
            }
        }

        private static String quote(String s) {
            return s == null ? "nothing" : "\"" + s.replace("\n", "\\n") + "\"";
        }
    }
}
