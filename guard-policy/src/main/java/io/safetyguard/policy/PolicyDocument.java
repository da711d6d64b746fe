package io.safetyguard.policy;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The policy file format, as Jackson reads and writes it. Either {@code preset} names the base
 * policy, or {@code preamble} and {@code template} (with the optional separators) define one from
 * scratch; {@code categories} are added to the base; then {@code remove}, {@code replace}, {@code
 * allow} and {@code sensitive} apply. {@code thresholds} maps category ids to per-category unsafe
 * thresholds (not part of the prompt). {@code description} is a free-text comment.
 *
 * <p>A plain mutable class rather than a record: Jackson reports an unknown field of a bean at
 * the field itself, but for records only after the whole object, which gives a wrong line.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "name",
    "description",
    "preset",
    "preamble",
    "categorySeparator",
    "exceptionSeparator",
    "template",
    "categories",
    "remove",
    "replace",
    "allow",
    "sensitive",
    "thresholds"
})
final class PolicyDocument {
    String name;
    String description;
    String preset;
    String preamble;
    String categorySeparator;
    String exceptionSeparator;
    String template;
    List<CategoryDocument> categories;
    List<String> remove;
    Map<String, String> replace;
    List<String> allow;
    List<String> sensitive;
    Map<String, Double> thresholds;

    /** One category in a policy file. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"id", "name", "guidelines", "nonViolatingText", "sensitiveText"})
    static final class CategoryDocument {
        String id;
        String name;
        String guidelines;
        String nonViolatingText;
        String sensitiveText;

        CategoryDocument() {}

        CategoryDocument(Category c) {
            id = c.id();
            name = c.name();
            guidelines = c.guidelines();
            nonViolatingText = c.nonViolatingText().orElse(null);
            sensitiveText = c.sensitiveText().orElse(null);
        }
    }
}
