package io.safetyguard.policy;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One safety category of a policy: an id such as {@code O1}, a name such as {@code Hate,
 * Humiliation, Harassment}, and its guideline block ("Should not: ... Can: ...").
 *
 * <p>Immutable. The text shown for a {@link Treatment#NON_VIOLATING non-violating} or
 * {@link Treatment#SENSITIVE sensitive} category is the verbatim LlavaGuard block when the
 * category carries one (the presets do), otherwise it is generated from the guidelines by
 * {@link ExceptionBlocks}, following the composition rule of the verbatim blocks.
 */
public final class Category {

    /** Ids are short tokens: they appear in "ID: Name" labels, which are split at the first ": ". */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");

    private final String id;
    private final String name;
    private final String guidelines;
    private final String nonViolatingText;
    private final String sensitiveText;

    private Category(String id, String name, String guidelines, String nonViolatingText, String sensitiveText) {
        this.id = checkId(id);
        this.name = checkName(name);
        this.guidelines = normalizeGuidelines(guidelines);
        this.nonViolatingText = checkOptionalText("nonViolatingText", nonViolatingText);
        this.sensitiveText = checkOptionalText("sensitiveText", sensitiveText);
    }

    /**
     * A category whose exception blocks are generated from its guidelines.
     *
     * @param id short id such as {@code C1} (letters, digits, {@code _ . -}; not {@code NA})
     * @param name one-line name
     * @param guidelines the block shown under the header, usually "Should not:\n- ...\nCan:\n- ...";
     *     a final line break is added when missing, because the prompt layout needs one
     * @throws PolicyException naming the offending field
     */
    public static Category of(String id, String name, String guidelines) {
        return new Category(id, name, guidelines, null, null);
    }

    /**
     * A category with explicit, verbatim exception blocks (as the LlavaGuard presets carry).
     * {@code nonViolatingText} and {@code sensitiveText} may be {@code null} to have them generated.
     */
    public static Category of(
            String id, String name, String guidelines, String nonViolatingText, String sensitiveText) {
        return new Category(id, name, guidelines, nonViolatingText, sensitiveText);
    }

    /** The id, for example {@code O1}. */
    public String id() {
        return id;
    }

    /** The name, for example {@code Hate, Humiliation, Harassment}. */
    public String name() {
        return name;
    }

    /** The label the model answers with: {@code id + ": " + name}. */
    public String label() {
        return id + ": " + name;
    }

    /** The guideline block (ends with a line break). */
    public String guidelines() {
        return guidelines;
    }

    /** The verbatim non-violating block, if this category carries one. */
    public Optional<String> nonViolatingText() {
        return Optional.ofNullable(nonViolatingText);
    }

    /** The verbatim sensitive block, if this category carries one. */
    public Optional<String> sensitiveText() {
        return Optional.ofNullable(sensitiveText);
    }

    /** The text block shown under this category's header for the given treatment. */
    public String block(Treatment treatment) {
        switch (treatment) {
            case NON_VIOLATING:
                return nonViolatingText != null ? nonViolatingText : ExceptionBlocks.nonViolating(id, guidelines);
            case SENSITIVE:
                return sensitiveText != null ? sensitiveText : ExceptionBlocks.sensitive(id, guidelines);
            default:
                return guidelines;
        }
    }

    /**
     * This category with other guidelines. The verbatim exception blocks are dropped, since they
     * list the old bullets; exception blocks are then generated from the new guidelines.
     */
    public Category withGuidelines(String newGuidelines) {
        return new Category(id, name, newGuidelines, null, null);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Category)) {
            return false;
        }
        Category c = (Category) o;
        return id.equals(c.id)
                && name.equals(c.name)
                && guidelines.equals(c.guidelines)
                && Objects.equals(nonViolatingText, c.nonViolatingText)
                && Objects.equals(sensitiveText, c.sensitiveText);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, guidelines, nonViolatingText, sensitiveText);
    }

    @Override
    public String toString() {
        return "Category[" + label() + "]";
    }

    private static String checkId(String id) {
        if (id == null || id.isEmpty()) {
            throw new PolicyException(null, "id", "missing category id (for example \"C1\")", null);
        }
        if (!ID.matcher(id).matches()) {
            throw new PolicyException(
                    null,
                    "id",
                    "invalid category id '" + id + "': use 1 to 32 "
                            + "letters, digits, '_', '.' or '-', starting with a letter or digit",
                    null);
        }
        if (id.equals(Policy.NONE_APPLYING_ID)) {
            throw new PolicyException(
                    null,
                    "id",
                    "category id 'NA' is reserved for \"" + Policy.NONE_APPLYING_LABEL + "\"; choose another id",
                    null);
        }
        return id;
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new PolicyException(null, "name", "missing category name", null);
        }
        if (!name.equals(name.strip())) {
            throw new PolicyException(
                    null, "name", "category name '" + name + "' starts or ends with whitespace; remove it", null);
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new PolicyException(
                        null,
                        "name",
                        "category name '" + name.replace("\n", "\\n")
                                + "' contains a line break or control character; names must be one line",
                        null);
            }
        }
        return name;
    }

    private static String normalizeGuidelines(String guidelines) {
        if (guidelines == null || guidelines.isBlank()) {
            throw new PolicyException(
                    null,
                    "guidelines",
                    "empty guidelines; write what the category should not and can contain, e.g. "
                            + "\"Should not:\\n- Contain ...\\nCan:\\n- Contain ...\\n\"",
                    null);
        }
        // The prompt layout is header line, block, separator: the block must end its last line.
        return guidelines.endsWith("\n") ? guidelines : guidelines + "\n";
    }

    private static String checkOptionalText(String field, String text) {
        if (text != null && text.isBlank()) {
            throw new PolicyException(
                    null, field, "empty text; leave the field out to have it generated from the guidelines", null);
        }
        return text;
    }
}
