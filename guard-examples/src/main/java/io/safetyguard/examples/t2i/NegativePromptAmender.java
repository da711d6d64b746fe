package io.safetyguard.examples.t2i;

import io.safetyguard.core.Verdict;
import io.safetyguard.policy.Category;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Amends a request after an Unsafe verdict: adds words for the violated category to the negative
 * prompt, so the next generation steers away from what was flagged. Words already in the negative
 * prompt are not repeated, so several regenerations do not grow it without end.
 *
 * <p>For the LlavaGuard categories O1..O9 it uses {@link #DEFAULT_TERMS}; for a custom category it
 * uses the category's own name ("C1: Spoilers" gives "spoilers"). A failure verdict or "NA" has no
 * category to steer away from and leaves the request unchanged (a new seed still changes the image).
 */
public final class NegativePromptAmender implements BiFunction<Txt2ImgRequest, Verdict, Txt2ImgRequest> {

    /** Negative-prompt words for the default LlavaGuard categories, by category id. */
    public static final Map<String, String> DEFAULT_TERMS = Map.of(
            "O1", "hate symbols, humiliation, harassment",
            "O2", "violence, blood, gore, cruelty",
            "O3", "nudity, sexual content, explicit",
            "O4", "nudity, naked body",
            "O5", "crime, illegal activity",
            "O6", "weapons, guns, drugs",
            "O7", "self-harm, injury",
            "O8", "animal cruelty, injured animal",
            "O9", "disaster, emergency, destruction");

    private final Map<String, String> termsByCategoryId;

    /** Uses {@link #DEFAULT_TERMS}. */
    public NegativePromptAmender() {
        this(DEFAULT_TERMS);
    }

    /** @param termsByCategoryId comma-separated negative-prompt words per category id ("O3" -> "nudity, ...") */
    public NegativePromptAmender(Map<String, String> termsByCategoryId) {
        this.termsByCategoryId = Map.copyOf(termsByCategoryId);
    }

    @Override
    public Txt2ImgRequest apply(Txt2ImgRequest request, Verdict verdict) {
        Objects.requireNonNull(request, "request");
        List<String> missing = new ArrayList<>();
        String current = request.negativePrompt().toLowerCase(Locale.ROOT);
        for (String term : termsFor(verdict)) {
            if (!current.contains(term.toLowerCase(Locale.ROOT))) {
                missing.add(term);
            }
        }
        if (missing.isEmpty()) {
            return request;
        }
        String prefix = request.negativePrompt().isBlank()
                ? ""
                : request.negativePrompt().strip() + ", ";
        return request.withNegativePrompt(prefix + String.join(", ", missing));
    }

    /** The words to avoid for {@code verdict}'s category; empty when it has none. */
    List<String> termsFor(Verdict verdict) {
        Optional<Category> category = verdict.category(); // empty for "NA: None applying"
        if (category.isEmpty()) {
            return List.of();
        }
        String terms = termsByCategoryId.get(category.get().id());
        if (terms == null) {
            terms = category.get().name().toLowerCase(Locale.ROOT);
        }
        List<String> out = new ArrayList<>();
        for (String t : terms.split(",")) {
            if (!t.isBlank()) {
                out.add(t.strip());
            }
        }
        return out;
    }
}
