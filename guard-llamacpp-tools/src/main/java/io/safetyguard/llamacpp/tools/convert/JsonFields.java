package io.safetyguard.llamacpp.tools.convert;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed reads of one JSON object of a checkpoint's configuration, with the defaults that transformers' config
 * classes apply to absent keys (published configs omit them) and an error naming the file and key for a value of
 * the wrong kind.
 */
final class JsonFields {
    private final JsonNode node;
    private final String where;

    /**
     * @param where how messages name the object, e.g. {@code config.json text_config}
     */
    JsonFields(JsonNode node, String where) {
        this.node = node;
        this.where = where;
    }

    /** An object without keys: every read gives its default. */
    static JsonFields empty(String where) {
        return new JsonFields(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), where);
    }

    String where() {
        return where;
    }

    boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    JsonNode raw(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    int integer(String key, int defaultValue) throws CheckpointException {
        JsonNode v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrong(key, "an integer", v);
        }
        return v.asInt();
    }

    int requiredInteger(String key) throws CheckpointException {
        if (!has(key)) {
            throw new CheckpointException(where + " has no '" + key + "'");
        }
        return integer(key, 0);
    }

    float number(String key, float defaultValue) throws CheckpointException {
        JsonNode v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw wrong(key, "a number", v);
        }
        return (float) v.asDouble();
    }

    boolean bool(String key, boolean defaultValue) throws CheckpointException {
        JsonNode v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw wrong(key, "true or false", v);
        }
        return v.asBoolean();
    }

    String string(String key, String defaultValue) throws CheckpointException {
        JsonNode v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isTextual()) {
            throw wrong(key, "a string", v);
        }
        return v.asText();
    }

    /** The nested object {@code key}, or null when absent. */
    JsonFields object(String key) throws CheckpointException {
        JsonNode v = raw(key);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw wrong(key, "an object", v);
        }
        return new JsonFields(v, where + " " + key);
    }

    CheckpointException wrong(String key, String expected, JsonNode found) {
        String text = String.valueOf(found);
        return new CheckpointException(where + ": '" + key + "' must be " + expected + ", found "
                + (text.length() > 120 ? text.substring(0, 120) + "..." : text));
    }
}
