package io.safetyguard.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a verdict out of a model's answer. The answer is untrusted text: only its first
 * {@value #MAX_INPUT_CHARS} characters are looked at, the rationale is capped at
 * {@value #MAX_RATIONALE_CHARS} characters, and the only exception thrown is
 * {@link VerdictParseException}.
 *
 * <p>Expected: LlavaGuard's trained layout, {@code {"rating": "Safe"|"Unsafe", "category": <label>,
 * "rationale": "..."}}, 4-space indented. Tolerated, because real runs produce them: chat end
 * tokens ({@code </s>}, {@code <|im_end|>}, ...), code fences and text before the object, a trailing
 * comma, keys in another case, no rationale (verdict-only decoding), and an answer cut off inside
 * or after the rationale (the partial rationale is kept and the verdict marked truncated).
 * {@code Safe} with an O-category is a valid verdict: it is what a policy exception produces.
 *
 * <p>Refused: no object with a rating, a rating other than Safe/Unsafe, a missing or unfinished
 * category, a category the policy does not define, duplicate keys, nested values.
 */
final class VerdictParser {

    static final int MAX_INPUT_CHARS = 64 * 1024;
    static final int MAX_RATIONALE_CHARS = 8 * 1024;
    /** Objects tried before giving up, so text full of braces cannot make parsing quadratic. */
    private static final int MAX_OBJECT_ATTEMPTS = 8;

    private static final int EXCERPT_CHARS = 60;

    private static final List<String> SPECIAL_TOKENS = List.of(
            "<|im_end|>", "<|im_start|>", "<|endoftext|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "</s>", "<s>");

    private final CategoryMatcher categories;

    VerdictParser(List<String> categoryLabels) {
        this.categories = new CategoryMatcher(categoryLabels);
    }

    ParsedVerdict parse(String text) throws VerdictParseException {
        try {
            return parseUnchecked(text);
        } catch (VerdictParseException e) {
            throw e;
        } catch (RuntimeException e) {
            // A bug here must not escape as an unchecked exception into the host's thread.
            throw new VerdictParseException("could not parse the answer: " + e);
        }
    }

    private ParsedVerdict parseUnchecked(String text) throws VerdictParseException {
        if (text == null || text.isBlank()) {
            throw new VerdictParseException("the model returned an empty answer");
        }
        boolean cut = text.length() > MAX_INPUT_CHARS;
        String t = stripSpecialTokens(cut ? text.substring(0, MAX_INPUT_CHARS) : text);
        VerdictParseException firstError = null;
        int from = 0;
        for (int attempt = 0; attempt < MAX_OBJECT_ATTEMPTS; attempt++) {
            int open = t.indexOf('{', from);
            if (open < 0) {
                break;
            }
            from = open + 1;
            LenientJson.ObjectResult object;
            try {
                object = LenientJson.parseObject(t, open, MAX_RATIONALE_CHARS);
            } catch (VerdictParseException e) {
                if (firstError == null) {
                    firstError = e;
                }
                continue;
            }
            if (object.fields().containsKey("rating")) {
                // The first object with a rating is the answer; its errors are final.
                return toVerdict(object, cut);
            }
        }
        if (firstError != null) {
            throw firstError;
        }
        throw new VerdictParseException(
                "no JSON object with a \"rating\" field in the answer (starts with \"" + excerpt(text) + "\")");
    }

    private ParsedVerdict toVerdict(LenientJson.ObjectResult object, boolean cut) throws VerdictParseException {
        Map<String, LenientJson.Value> fields = object.fields();
        LenientJson.Value rating = fields.get("rating");
        if (!rating.isString() || !rating.complete()) {
            throw new VerdictParseException(
                    rating.complete()
                            ? "rating is not a string: " + excerpt(rating.text())
                            : "the answer ends inside the rating");
        }
        Rating r = Rating.fromLabel(rating.text())
                .orElseThrow(() -> new VerdictParseException(
                        "rating must be \"Safe\" or \"Unsafe\", got \"" + excerpt(rating.text()) + "\""));
        LenientJson.Value category = fields.get("category");
        if (category == null) {
            throw new VerdictParseException(
                    object.complete() ? "the answer has no category" : "the answer ends before the category");
        }
        if (!category.isString() || !category.complete()) {
            throw new VerdictParseException(
                    category.complete()
                            ? "category is not a string: " + excerpt(category.text())
                            : "the answer ends inside the category");
        }
        String label = categories
                .match(category.text())
                .orElseThrow(() -> new VerdictParseException(
                        "unknown category \"" + excerpt(category.text()) + "\"; the policy's categories are "
                                + categories.labels().stream()
                                        .map(CategoryMatcher::idOf)
                                        .toList()));
        LenientJson.Value rationale = fields.get("rationale");
        Optional<String> why = Optional.empty();
        boolean truncated = cut || !object.complete();
        if (rationale != null && rationale.isString()) {
            String value = rationale.text().strip();
            why = value.isEmpty() ? Optional.empty() : Optional.of(value);
            truncated |= !rationale.complete();
        }
        return new ParsedVerdict(r, label, why, truncated);
    }

    private static String stripSpecialTokens(String text) {
        String t = text;
        for (String token : SPECIAL_TOKENS) {
            if (t.contains(token)) {
                t = t.replace(token, "");
            }
        }
        return t;
    }

    /** A short, printable quote of untrusted text for an error message. */
    static String excerpt(String text) {
        String head = text.length() > EXCERPT_CHARS ? text.substring(0, EXCERPT_CHARS) + "..." : text;
        StringBuilder b = new StringBuilder(head.length());
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            b.append(c == '\n' ? "\\n" : c < 0x20 || c == 0x7F ? "?" : String.valueOf(c));
        }
        return b.toString();
    }
}
