package io.safetyguard.core;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one flat JSON object of string and scalar values, as LlavaGuard writes its answer. Strict
 * where the verdict's format is concerned (keys quoted, no nested values, no duplicate keys);
 * lenient about what generation does to JSON: a trailing comma (the policy's own template has one),
 * and an answer cut off by the token limit, where the object simply ends inside a string or before
 * its closing brace. Never reads past the given text; the cost is linear in its length.
 */
final class LenientJson {

    private static final int MAX_KEY_CHARS = 64;
    private static final int MAX_FIELDS = 32;

    /** A field value: string contents or a bare literal, and whether it was closed. */
    record Value(String text, boolean isString, boolean complete) {}

    /**
     * @param fields   the fields read, keys lower-cased, in order
     * @param complete false when the text ended before the closing brace
     */
    record ObjectResult(Map<String, Value> fields, boolean complete) {}

    private final String s;
    private final int maxValueChars;
    private int pos;

    private LenientJson(String s, int start, int maxValueChars) {
        this.s = s;
        this.pos = start;
        this.maxValueChars = maxValueChars;
    }

    /**
     * Parses the object starting at {@code start} (which must hold a '{'). String values longer than
     * {@code maxValueChars} are cut to that length.
     */
    static ObjectResult parseObject(String text, int start, int maxValueChars) throws VerdictParseException {
        return new LenientJson(text, start, maxValueChars).object();
    }

    private ObjectResult object() throws VerdictParseException {
        expect('{');
        Map<String, Value> fields = new LinkedHashMap<>();
        while (true) {
            skipWhitespace();
            if (atEnd()) {
                return new ObjectResult(fields, false);
            }
            char c = s.charAt(pos);
            if (c == '}') {
                pos++;
                return new ObjectResult(fields, true);
            }
            if (c == ',' && !fields.isEmpty()) {
                pos++; // trailing comma before '}', as in the policy's JSON template
                continue;
            }
            if (c != '"') {
                throw error("expected a quoted key");
            }
            Value key = string();
            if (!key.complete()) {
                return new ObjectResult(fields, false);
            }
            if (key.text().length() > MAX_KEY_CHARS) {
                throw error("key longer than " + MAX_KEY_CHARS + " characters");
            }
            String name = key.text().strip().toLowerCase(Locale.ROOT);
            skipWhitespace();
            if (atEnd()) {
                return new ObjectResult(fields, false);
            }
            expect(':');
            skipWhitespace();
            if (atEnd()) {
                return new ObjectResult(fields, false);
            }
            Value value = value();
            if (fields.containsKey(name)) {
                // Two ratings in one answer is ambiguous; picking either would be a guess.
                throw error("duplicate key \"" + name + "\"");
            }
            if (fields.size() == MAX_FIELDS) {
                throw error("more than " + MAX_FIELDS + " fields");
            }
            fields.put(name, value);
            if (!value.complete()) {
                return new ObjectResult(fields, false);
            }
            skipWhitespace();
            if (atEnd()) {
                return new ObjectResult(fields, false);
            }
            c = s.charAt(pos);
            if (c == ',') {
                pos++;
            } else if (c != '}') {
                throw error("expected ',' or '}' after the value of \"" + name + "\"");
            }
        }
    }

    private Value value() throws VerdictParseException {
        char c = s.charAt(pos);
        if (c == '"') {
            return string();
        }
        if (c == '{' || c == '[') {
            throw error("nested objects and arrays are not part of the verdict format");
        }
        int start = pos;
        while (!atEnd() && isLiteralChar(s.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error("unexpected character '" + printable(c) + "'");
        }
        if (pos - start > maxValueChars) {
            throw error("literal value too long");
        }
        return new Value(s.substring(start, pos), false, !atEnd());
    }

    /** A string starting at the opening quote; unterminated at the end of the text is allowed. */
    private Value string() throws VerdictParseException {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (!atEnd()) {
            char c = s.charAt(pos++);
            if (c == '"') {
                return new Value(b.toString(), true, true);
            }
            if (c == '\\') {
                if (atEnd()) {
                    break;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> c = '\n';
                    case 't' -> c = '\t';
                    case 'r' -> c = '\r';
                    case 'b' -> c = '\b';
                    case 'f' -> c = '\f';
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            pos = s.length();
                            return new Value(b.toString(), true, false);
                        }
                        try {
                            c = (char) Integer.parseInt(s.substring(pos, pos + 4), 16);
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> c = e; // \" \\ \/ and, leniently, any other escaped character
                }
            }
            if (b.length() < maxValueChars) {
                b.append(c);
            }
        }
        return new Value(b.toString(), true, false);
    }

    private static boolean isLiteralChar(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '+' || c == '_';
    }

    private void skipWhitespace() {
        while (!atEnd() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }

    private boolean atEnd() {
        return pos >= s.length();
    }

    private void expect(char c) throws VerdictParseException {
        if (atEnd() || s.charAt(pos) != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private VerdictParseException error(String what) {
        return new VerdictParseException("malformed JSON at offset " + pos + ": " + what);
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
