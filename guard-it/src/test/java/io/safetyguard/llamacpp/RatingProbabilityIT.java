package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.FULL_VERDICT;
import static io.safetyguard.llamacpp.TestSupport.POLICY;
import static io.safetyguard.llamacpp.TestSupport.VERDICT_ONLY;
import static io.safetyguard.llamacpp.TestSupport.assertValidVerdict;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.decode;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.greedy;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static io.safetyguard.llamacpp.TestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.internal.engine.EvaluationListener;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * P(Unsafe) and verdict-only decoding on real llama.cpp with both tiny flavours. The expected
 * probability is recomputed here from the raw logits of the whole vocabulary at the decision step,
 * with the set of acceptable tokens derived from a regular expression of the verdict format
 * rather than from llama.cpp's grammar engine.
 */
class RatingProbabilityIT {

    @org.junit.jupiter.api.io.TempDir
    static Path dir;

    private static final Map<TinyModelFlavor, LlamaCppModel> MODELS = new EnumMap<>(TinyModelFlavor.class);
    private static final Map<LlamaCppModel, String[]> VOCAB = new java.util.HashMap<>();
    private static final int IMAGES = 3;
    /** Random weights write a rationale up to the grammar's bound; tests cut it here to stay fast. */
    private static final int FULL_TOKENS_IN_TESTS = 80;

    @BeforeAll
    static void open() throws ModelException {
        for (TinyModelFlavor f : TinyModelFlavor.values()) {
            LlamaCppModel model =
                    LlamaCppModel.open(config(TestSupport.generate(f, dir)).build());
            MODELS.put(f, model);
            String[] pieces = new String[model.engine().model().vocabularySize()];
            for (int t = 0; t < pieces.length; t++) {
                pieces[t] = model.engine().model().tokenText(t);
            }
            VOCAB.put(model, pieces);
        }
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(LlamaCppModel::close);
    }

    private static DecodedImage image(int i) {
        return decode(encode(pattern(24 + 13 * i, 20 + 7 * i, 100 + i), "png"), "r" + i + ".png");
    }

    /** One observed decision: the text before it, the whole vocabulary's logits, the token drawn. */
    private record Tapped(String prefix, float[] logits, int token, double probabilityUnsafe) {}

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void probabilityUnsafeIsTheSoftmaxOverTheAcceptableValueTokensGreedyAndSampled(TinyModelFlavor flavor)
            throws Exception {
        LlamaCppModel model = MODELS.get(flavor);
        List<Tapped> taps = new ArrayList<>();
        model.engine()
                .listener(EvaluationListener.onRatingDecision(
                        (prefix, logits, token, p) -> taps.add(new Tapped(prefix, logits, token, p))));
        try {
            for (int i = 0; i < IMAGES; i++) {
                GenerationOptions sampled =
                        new GenerationOptions(1.0, 0.95, 50, 200, 1000 + i, false, true, Duration.ZERO);
                check(model, taps, request(image(i), VERDICT_ONLY, greedy(200).withVerdictOnly(true)));
                check(model, taps, request(image(i), VERDICT_ONLY, sampled));
            }
            // the full grammar makes the same decision; the answer may stop inside the rationale
            check(model, taps, request(image(0), FULL_VERDICT, greedy(40)));
        } finally {
            model.engine().listener(null);
        }
    }

    private static void check(LlamaCppModel model, List<Tapped> taps, ModelRequest request) throws Exception {
        taps.clear();
        ModelOutput out = model.evaluate(request);
        boolean complete = request.verdictOnly();
        String rating =
                complete ? assertValidVerdict(out.text(), true).get("rating").asText() : ratingIn(out.text());
        assertThat(out.probabilityUnsafe()).as("P(Unsafe) in %s", out.text()).isPresent();
        assertThat(taps).as("exactly one decision step").hasSize(1);
        Tapped tap = taps.get(0);
        assertThat(tap.probabilityUnsafe()).isEqualTo(out.probabilityUnsafe().getAsDouble());

        // the decision is made right after the opening quote of the rating value
        assertThat(out.text()).startsWith(tap.prefix());
        assertThat(tap.prefix()).matches("(?s)\\{\\s*\"rating\"\\s*:\\s*\"");

        Pattern safe = valueTail("Safe");
        Pattern unsafe = valueTail("Unsafe");
        double safeMass = 0;
        double unsafeMass = 0;
        int safeTokens = 0;
        int unsafeTokens = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : tap.logits()) {
            max = Math.max(max, l);
        }
        String sampledPiece = piece(model, tap.token());
        for (int t = 0; t < tap.logits().length; t++) {
            String p = piece(model, t);
            boolean s = canContinue(safe, p);
            boolean u = canContinue(unsafe, p);
            assertThat(s && u).as("after the quote every token commits: %s", p).isFalse();
            if (s) {
                safeMass += Math.exp(tap.logits()[t] - max);
                safeTokens++;
            } else if (u) {
                unsafeMass += Math.exp(tap.logits()[t] - max);
                unsafeTokens++;
            }
        }
        assertThat(safeTokens).as("Safe can start in several ways").isPositive();
        assertThat(unsafeTokens).as("Unsafe can start in several ways").isPositive();
        double expected = unsafeMass / (safeMass + unsafeMass);
        assertThat(out.probabilityUnsafe().getAsDouble()).isCloseTo(expected, within(1e-9));

        // the token drawn there wrote the rating the answer has
        assertThat(canContinue(valueTail(rating), sampledPiece))
                .as("drawn %s for %s", sampledPiece, rating)
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void verdictOnlyParsesHasNoRationaleAndGeneratesFewerTokensForTheSameVerdict(TinyModelFlavor flavor)
            throws Exception {
        LlamaCppModel model = MODELS.get(flavor);
        for (int i = 0; i < 2; i++) {
            ModelOutput full = model.evaluate(request(image(i), FULL_VERDICT, greedy(FULL_TOKENS_IN_TESTS)));
            ModelOutput brief = model.evaluate(
                    request(image(i), VERDICT_ONLY, greedy(FULL_TOKENS_IN_TESTS).withVerdictOnly(true)));
            JsonNode verdict = assertValidVerdict(brief.text(), true);
            assertThat(verdict.has("rationale")).isFalse();
            assertThat(full.text()).contains("\"rationale\"");
            assertThat(brief.generatedTokens()).isLessThan(full.generatedTokens());
            // both grammars agree up to the category, so greedy makes the same decision at the same logits
            assertThat(verdict.get("rating").asText()).isEqualTo(ratingIn(full.text()));
            assertThat(brief.probabilityUnsafe()).isEqualTo(full.probabilityUnsafe());
            assertThat(full.text()).contains(verdict.get("category").toString());
        }
    }

    /**
     * Measures what verdict-only saves against full answers (not a check; run with
     * {@code -Dsafetyguard.measure.verdictOnly=true}, prints one line per flavour).
     */
    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    @EnabledIfSystemProperty(named = "safetyguard.measure.verdictOnly", matches = "true")
    void measureVerdictOnlySavings(TinyModelFlavor flavor) throws Exception {
        LlamaCppModel model = MODELS.get(flavor);
        int n = Integer.getInteger("safetyguard.measure.images", 6);
        long fullTokens = 0;
        long briefTokens = 0;
        double fullMs = 0;
        double briefMs = 0;
        for (int i = 0; i < n; i++) {
            ModelOutput full = model.evaluate(request(image(i), FULL_VERDICT, greedy(500)));
            ModelOutput brief =
                    model.evaluate(request(image(i), VERDICT_ONLY, greedy(500).withVerdictOnly(true)));
            fullTokens += full.generatedTokens();
            briefTokens += brief.generatedTokens();
            fullMs += full.decodeMillis();
            briefMs += brief.decodeMillis();
        }
        System.out.printf(
                java.util.Locale.ROOT,
                "verdict-only %s, %d images, greedy, max 500 new tokens: full %.1f tokens "
                        + "%.0f ms decode, verdict-only %.1f tokens %.0f ms decode per image; saved %.1f tokens, %.0f ms%n",
                flavor,
                n,
                fullTokens / (double) n,
                fullMs / n,
                briefTokens / (double) n,
                briefMs / n,
                (fullTokens - briefTokens) / (double) n,
                (fullMs - briefMs) / n);
    }

    private static String ratingIn(String text) {
        Matcher m = Pattern.compile("\"rating\"\\s*:\\s*\"(Safe|Unsafe)\"").matcher(text);
        assertThat(m.find()).as("a rating in %s", text).isTrue();
        return m.group(1);
    }

    /**
     * The verdict text after the opening quote of a given rating value, as a regular expression
     * (the category list and ws bound as in VerdictGrammar; the rationale part is left loose, a
     * single token cannot reach it).
     */
    private static Pattern valueTail(String value) {
        String ws = "[ \\t\\n\\r]{0,16}";
        String categories = POLICY.categoryLabels().stream().map(Pattern::quote).collect(Collectors.joining("|"));
        return Pattern.compile(
                value + "\"" + ws + "," + ws + "\"category\"" + ws + ":" + ws + "\"(" + categories + ")\"" + ws
                        + "(\\}|,.*)",
                Pattern.DOTALL);
    }

    /** Whether a token's text can follow the opening quote: non-empty and a prefix of the language. */
    private static boolean canContinue(Pattern tail, String piece) {
        if (piece.isEmpty()) {
            return false;
        }
        Matcher m = tail.matcher(piece);
        return m.matches() || m.hitEnd();
    }

    private static String piece(LlamaCppModel model, int token) {
        return VOCAB.get(model)[token];
    }
}
