package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.policy.Policy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Per-category probabilities and thresholds, with the scripted model. */
class CategoryThresholdTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** P(c | Unsafe): mostly O3, some O6, a little NA. */
    private static final Map<String, Double> Q = ordered("O3", 0.7, "O6", 0.2, "NA", 0.1);

    private static Map<String, Double> ordered(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Double) kv[i + 1]);
        }
        return m;
    }

    private static FakeSafetyModel answering(String text, double pUnsafe, Map<String, Double> q) {
        return new FakeSafetyModel()
                .behaving((r, i) -> new ModelOutput(text, OptionalDouble.of(pUnsafe), 1, 2, 1, 2, 3, -1, q));
    }

    private static ImageInput image(int colour) {
        return ImageInput.ofBytes(TestImages.pngOfColour(colour), "img.png");
    }

    private static Verdict assess(SafetyGuard.Builder b) {
        try (SafetyGuard guard = b.build()) {
            return guard.assess(image(7));
        }
    }

    @Test
    void theDistributionIsReportedInTheVerdictAndItsJson() throws Exception {
        Verdict v = assess(SafetyGuard.builder().model(answering(FakeSafetyModel.UNSAFE_O3, 0.8, Q)));
        assertThat(v.categoryProbabilities()).containsExactlyEntriesOf(Q);
        assertThat(v.ratingSource()).isEqualTo(RatingSource.MODEL);
        JsonNode json = JSON.readTree(v.toJson());
        assertThat(json.get("categoryProbabilities").get("O3").asDouble()).isEqualTo(0.7);
        assertThat(json.get("categoryProbabilities").fieldNames()).toIterable().containsExactly("O3", "O6", "NA");
        assertThat(json.has("categoryThresholds")).isFalse();
    }

    @Test
    void aDistributionThatIsNotOneOverThePolicysCategoriesIsDropped() {
        for (Map<String, Double> bad : java.util.List.of(
                ordered("O3", 0.7, "O6", 0.2), // sums to 0.9
                ordered("O3", 0.5, "X9", 0.5), // an id the policy does not have
                ordered("O3", 1.5, "O6", -0.5))) {
            Verdict v = assess(SafetyGuard.builder().model(answering(FakeSafetyModel.UNSAFE_O3, 0.8, bad)));
            assertThat(v.categoryProbabilities()).as("%s", bad).isEmpty();
        }
    }

    @Test
    void aLowCategoryThresholdCatchesWhatTheGlobalThresholdLets() {
        // u = 0.4: P(Unsafe, O3) = 0.28 >= 0.2, while u < 0.5
        Verdict v = assess(SafetyGuard.builder()
                .model(answering(FakeSafetyModel.UNSAFE_O3, 0.4, Q))
                .unsafeThreshold(0.5)
                .categoryThreshold("O3", 0.2));
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(v.ratingSource()).isEqualTo(RatingSource.THRESHOLD);
        assertThat(v.categoryThresholds()).containsExactlyEntriesOf(Map.of("O3", 0.2));
        assertThat(v.unsafeThreshold()).hasValue(0.5);
        // without the category threshold the global one alone decides
        assertThat(v.withUnsafeThreshold(0.5).rating()).isEqualTo(Rating.SAFE);
        assertThat(v.withUnsafeThreshold(0.5).categoryThresholds()).isEmpty();
    }

    @Test
    void aHighCategoryThresholdLetsThatCategoryThroughButNotTheRest() {
        // u = 0.8: P(Unsafe, O3) = 0.56 < 0.9; the rest (O6, NA) = 0.8 * 0.3 = 0.24 < 0.5: Safe
        Verdict v = assess(SafetyGuard.builder()
                .model(answering(FakeSafetyModel.UNSAFE_O3, 0.8, Q))
                .categoryThreshold("O3", 0.9));
        assertThat(v.rating()).isEqualTo(Rating.SAFE);
        assertThat(v.modelRating()).contains(Rating.UNSAFE);
        assertThat(v.unsafeThreshold()).as("0.5 by default").hasValue(Verdict.DEFAULT_UNSAFE_THRESHOLD);
        assertThat(v.categoryId()).as("the model's category stays").contains("O3");

        // the rest crosses a lower global threshold: 0.24 >= 0.2
        assertThat(v.withThresholds(OptionalDouble.of(0.2), Map.of("O3", 0.9)).rating())
                .isEqualTo(Rating.UNSAFE);
        // exactly at the threshold counts as Unsafe: 0.8 * 0.7 = 0.56
        assertThat(v.withThresholds(OptionalDouble.empty(), Map.of("O3", 0.8 * 0.7))
                        .rating())
                .isEqualTo(Rating.UNSAFE);
    }

    @Test
    void withoutCategoryThresholdsTheRuleIsTheUnsafeThreshold() {
        Verdict v = assess(SafetyGuard.builder().model(answering(FakeSafetyModel.UNSAFE_O3, 0.55, Q)));
        for (double t : new double[] {0, 0.3, 0.55, 0.56, 1}) {
            Verdict a = v.withThresholds(OptionalDouble.of(t), Map.of());
            Verdict b = v.withUnsafeThreshold(t);
            assertThat(a.rating()).isEqualTo(b.rating());
            assertThat(a.unsafeThreshold()).isEqualTo(b.unsafeThreshold());
        }
        assertThat(v.withThresholds(OptionalDouble.empty(), Map.of()).ratingSource())
                .isEqualTo(RatingSource.MODEL);
    }

    @Test
    void afterSafeOrWithoutADistributionOnlyTheGlobalThresholdApplies() {
        // the model wrote Safe: q is P(c | Safe) and says nothing about P(c | Unsafe)
        Verdict safe = assess(SafetyGuard.builder()
                .model(answering(FakeSafetyModel.SAFE, 0.45, ordered("O3", 0.9, "NA", 0.1)))
                .categoryThreshold("O3", 0.1));
        assertThat(safe.rating()).as("0.45 < 0.5").isEqualTo(Rating.SAFE);
        assertThat(safe.withThresholds(OptionalDouble.of(0.4), Map.of("O3", 0.99))
                        .rating())
                .isEqualTo(Rating.UNSAFE);

        Verdict unknown = assess(SafetyGuard.builder()
                .model(answering(FakeSafetyModel.UNSAFE_O3, 0.6, Map.of()))
                .categoryThreshold("O3", 0.9));
        assertThat(unknown.rating())
                .as("0.6 >= 0.5, O3's own threshold cannot apply")
                .isEqualTo(Rating.UNSAFE);
    }

    @Test
    void thePolicysThresholdsApplyAndTheGuardsOverrideThem() {
        Policy policy =
                Policy.llavaGuardDefault().toBuilder().threshold("O3", 0.2).build();
        FakeSafetyModel model = answering(FakeSafetyModel.UNSAFE_O3, 0.4, Q);
        Verdict fromPolicy = assess(SafetyGuard.builder().model(model).policy(policy));
        assertThat(fromPolicy.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(fromPolicy.categoryThresholds()).containsEntry("O3", 0.2);
        Verdict overridden =
                assess(SafetyGuard.builder().model(model).policy(policy).categoryThreshold("O3", 0.3));
        assertThat(overridden.rating()).as("0.28 < 0.3; rest 0.12 < 0.5").isEqualTo(Rating.SAFE);
    }

    @Test
    void cachedVerdictsAreReRatedNotRecomputed() {
        FakeSafetyModel model = answering(FakeSafetyModel.UNSAFE_O3, 0.4, Q);
        try (SafetyGuard guard = SafetyGuard.builder().model(model).build()) {
            assertThat(guard.assess(image(9)).rating()).isEqualTo(Rating.UNSAFE);
            guard.setUnsafeThreshold(0.5);
            assertThat(guard.assess(image(9)).rating()).isEqualTo(Rating.SAFE);
            guard.setCategoryThresholds(Map.of("O3", 0.25));
            Verdict v = guard.assess(image(9));
            assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
            assertThat(v.source()).isEqualTo(VerdictSource.CACHE);
            assertThat(v.categoryProbabilities().get("O3")).isCloseTo(0.7, within(0.0));
            assertThat(guard.categoryThresholds()).containsExactlyEntriesOf(Map.of("O3", 0.25));
            assertThat(model.calls()).isEqualTo(1);
        }
    }

    @Test
    void badThresholdsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> SafetyGuard.builder().categoryThreshold("O3", 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("O3")
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> SafetyGuard.builder().categoryThreshold("NA", 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a category");
    }
}
