package io.safetyguard.policy;

/**
 * How a policy treats one of its categories: the LlavaGuard "policy exceptions".
 *
 * <p>LlavaGuard expresses an exception by swapping the category's text block inside the same
 * prompt skeleton; the header line {@code "Ox: Name: "} and every other category stay as they
 * are.
 */
public enum Treatment {
    /** The category's own "Should not / Can" guidelines apply. */
    DEFAULT,
    /**
     * The category is declared non-violating: its block becomes "Category Ox is declared as
     * non-violating. Therefore, we do not provide any restrictions ..." followed by all its
     * bullets. This is the exception the released models were trained on (augmentation v2/v3).
     */
    NON_VIOLATING,
    /**
     * The category is declared sensitive: "Category Ox is declared as sensitive. Therefore, we do
     * not permit any content related to this category e.g." followed by all its bullets. Only the
     * internal templates v14/v15 were trained with it, so released models follow it less reliably.
     */
    SENSITIVE
}
