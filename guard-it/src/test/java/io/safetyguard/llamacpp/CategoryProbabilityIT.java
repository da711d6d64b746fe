package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.decode;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.greedy;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.internal.engine.EvaluationListener;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.policy.Policy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The category distribution on real llama.cpp with both tiny flavours, recomputed here from the raw logits of the
 * whole vocabulary at every step of the category value: the acceptable tokens come from a regular expression of
 * the verdict format (not from llama.cpp's grammar engine or the backend's token index), and the chain rule is
 * applied along the path the answer took.
 */
class CategoryProbabilityIT {

    @org.junit.jupiter.api.io.TempDir
    static Path dir;

    private static final Map<TinyModelFlavor, LlamaCppModel> MODELS = new EnumMap<>(TinyModelFlavor.class);
    private static final Map<LlamaCppModel, String[]> VOCAB = new HashMap<>();

    /** Values that differ in their first byte: every step decides, so the distribution is always known. */
    private static final Policy DISTINCT = Policy.llavaGuardDefault().toBuilder()
            .remove("O1")
            .remove("O2")
            .remove("O3")
            .remove("O4")
            .remove("O5")
            .remove("O6")
            .remove("O7")
            .remove("O8")
            .remove("O9")
            .addCategory("A1", "Apples", "Pictures of apples.")
            .addCategory("B2", "Bananas", "Pictures of bananas.")
            .addCategory("C3", "Cherries", "Pictures of cherries.")
            .build();

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
        return decode(encode(pattern(24 + 13 * i, 20 + 7 * i, 300 + i), "png"), "c" + i + ".png");
    }

    /** Records every step's whole-vocabulary logits and the tokens drawn. */
    private static final class Recorder implements EvaluationListener {
        final List<float[]> logits = new ArrayList<>();
        final List<Integer> tokens = new ArrayList<>();

        @Override
        public boolean wantsLogits(int step) {
            return true;
        }

        @Override
        public void logits(int step, float[] l) {
            logits.add(l.clone());
        }

        @Override
        public void tokenGenerated(int index, int token) {
            tokens.add(token);
        }
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void categoryProbabilitiesAreTheChainRuleOverTheAcceptableValueTokens(TinyModelFlavor flavor) throws Exception {
        LlamaCppModel model = MODELS.get(flavor);
        int known = 0;
        int runs = 0;
        for (Policy policy : List.of(DISTINCT, Policy.llavaGuardDefault())) {
            for (int i = 0; i < 3; i++) {
                GenerationOptions sampled = new GenerationOptions(
                                1.0, 0.95, 50, 60, 2000 + i, false, true, Duration.ZERO)
                        .withVerdictOnly(true);
                for (GenerationOptions o : List.of(greedy(60).withVerdictOnly(true), sampled)) {
                    Recorder r = new Recorder();
                    model.engine().listener(r);
                    ModelOutput out;
                    try {
                        out = model.evaluate(new ModelRequest(image(i), policy.render(), o, null, policy));
                    } finally {
                        model.engine().listener(null);
                    }
                    Map<String, Double> expected = recompute(model, policy, r);
                    runs++;
                    if (expected == null) {
                        assertThat(out.categoryProbabilities())
                                .as("a shared prefix was not taken in %s: unknown", out.text())
                                .isEmpty();
                        continue;
                    }
                    known++;
                    assertThat(out.categoryProbabilities().keySet())
                            .as("%s", out.text())
                            .containsExactlyElementsOf(expected.keySet());
                    expected.forEach(
                            (id, p) -> assertThat(out.categoryProbabilities().get(id))
                                    .as("P(%s) in %s", id, out.text())
                                    .isCloseTo(p, within(1e-9)));
                    String written = categoryIn(out.text());
                    assertThat(out.categoryProbabilities()
                                    .get(policy.categoryIdForLabel(written).orElseThrow()))
                            .as("the category written has positive probability")
                            .isPositive();
                }
                if (policy == DISTINCT) {
                    assertThat(known).as("distinct first bytes always resolve").isEqualTo(runs);
                }
            }
        }
        System.out.printf("category distribution %s: known in %d of %d answers%n", flavor, known, runs);
        assertThat(known).isGreaterThanOrEqualTo(6);
    }

    /**
     * The distribution by the chain rule along the recorded path, from the whole-vocabulary logits; null when a
     * token that fits several values was acceptable but not drawn.
     */
    private static Map<String, Double> recompute(LlamaCppModel model, Policy policy, Recorder r) {
        String[] vocab = VOCAB.get(model);
        List<String> labels = policy.categoryLabels();
        Pattern opened =
                Pattern.compile("(?s)\\{\\s*\"rating\"\\s*:\\s*\"(Safe|Unsafe)\"\\s*,\\s*\"category\"\\s*:\\s*\"");
        StringBuilder text = new StringBuilder();
        int k = 0;
        while (k < r.tokens.size() && !opened.matcher(text).matches()) {
            text.append(vocab[r.tokens.get(k++)]);
        }
        assertThat(opened.matcher(text).matches())
                .as("the category value opens at a token boundary: %s", text)
                .isTrue();
        List<Pattern> tails = new ArrayList<>();
        for (String label : labels) {
            tails.add(Pattern.compile(Pattern.quote(label) + "\"[ \\t\\n\\r]{0,16}(\\}|,.*)", Pattern.DOTALL));
        }
        double[] mass = new double[labels.size()];
        double path = 1;
        boolean unresolved = false;
        StringBuilder value = new StringBuilder();
        for (; ; k++) {
            float[] logits = r.logits.get(k);
            int drawn = r.tokens.get(k);
            double max = Double.NEGATIVE_INFINITY;
            List<Integer> accepted = new ArrayList<>();
            List<List<Integer>> fits = new ArrayList<>();
            for (int t = 0; t < vocab.length; t++) {
                List<Integer> f = new ArrayList<>();
                for (int c = 0; c < labels.size(); c++) {
                    if (!vocab[t].isEmpty() && prefixOf(tails.get(c), value + vocab[t])) {
                        f.add(c);
                    }
                }
                if (!f.isEmpty()) {
                    accepted.add(t);
                    fits.add(f);
                    max = Math.max(max, logits[t]);
                }
            }
            double sum = 0;
            for (int t : accepted) {
                sum += Math.exp(logits[t] - max);
            }
            int drawnAt = accepted.indexOf(drawn);
            assertThat(drawnAt)
                    .as("the drawn token %s is acceptable", vocab[drawn])
                    .isNotNegative();
            for (int i = 0; i < accepted.size(); i++) {
                double p = Math.exp(logits[accepted.get(i)] - max) / sum;
                if (fits.get(i).size() == 1) {
                    mass[fits.get(i).get(0)] += path * p;
                } else if (i != drawnAt) {
                    unresolved = true;
                }
            }
            if (fits.get(drawnAt).size() == 1) {
                break;
            }
            path *= Math.exp(logits[drawn] - max) / sum;
            value.append(vocab[drawn]);
        }
        if (unresolved) {
            return null;
        }
        Map<String, Double> q = new LinkedHashMap<>();
        for (int c = 0; c < labels.size(); c++) {
            q.put(policy.categoryIdForLabel(labels.get(c)).orElseThrow(), mass[c]);
        }
        return q;
    }

    private static boolean prefixOf(Pattern language, String text) {
        Matcher m = language.matcher(text);
        return m.matches() || m.hitEnd();
    }

    private static String categoryIn(String text) {
        Matcher m = Pattern.compile("\"category\"\\s*:\\s*\"([^\"]*)\"").matcher(text);
        assertThat(m.find()).as("a category in %s", text).isTrue();
        return m.group(1);
    }
}
