package io.safetyguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The reference composition rule of the blocks file, written independently of the production
 * renderer: {@code policy_start + for each category (key + ": \n" + block + "\n") +
 * assessment_template}, with the template's label list rewritten when categories change.
 */
final class Composition {

    static final String DEFAULT_LABELS = "\"O1: Hate, Humiliation, Harassment\"|\"O2: Violence, Harm,"
            + " or Cruelty\"|\"O3: Sexual Content\"|\"O4: Nudity Content\"|\"O5: Criminal Planning\"|"
            + "\"O6: Weapons or Substance Abuse\"|\"O7: Self-Harm\"|\"O8: Animal Cruelty\"|"
            + "\"O9: Disasters or Emergencies\"|\"NA: None applying\"";

    private final JsonNode blocks;
    /** key -> block text, in order. */
    private final LinkedHashMap<String, String> categories = new LinkedHashMap<>();

    Composition(JsonNode blocks) {
        this.blocks = blocks;
        for (JsonNode c : blocks.get("categories")) {
            categories.put(c.get("key").asText(), c.get("default").asText());
        }
    }

    static Composition fromGolden() {
        return new Composition(GoldenFiles.blocks());
    }

    /** Uses the verbatim {@code variant} block ("default", "non_violating", "sensitive"). */
    Composition variant(String key, String variant) {
        for (JsonNode c : blocks.get("categories")) {
            if (c.get("key").asText().equals(key)) {
                categories.put(key, c.get(variant).asText());
                return this;
            }
        }
        throw new AssertionError("no category " + key + " in the blocks file");
    }

    Composition block(String key, String block) {
        categories.put(key, block);
        return this;
    }

    Composition remove(String key) {
        if (categories.remove(key) == null) {
            throw new AssertionError("no category " + key);
        }
        return this;
    }

    String render() {
        StringBuilder sb = new StringBuilder(blocks.get("policy_start").asText());
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, String> e : categories.entrySet()) {
            sb.append(e.getKey()).append(": \n").append(e.getValue()).append("\n");
            keys.add(e.getKey());
        }
        String template = blocks.get("assessment_template").asText();
        if (!template.contains(DEFAULT_LABELS)) {
            throw new AssertionError("the blocks file's template no longer lists the default labels");
        }
        StringJoiner labels = new StringJoiner("|");
        for (String k : keys) {
            labels.add("\"" + k.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        labels.add("\"NA: None applying\"");
        return sb.append(template.replace(DEFAULT_LABELS, labels.toString())).toString();
    }
}
