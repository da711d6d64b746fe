package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The host's unsafe threshold over P(Unsafe), with the scripted model. */
class UnsafeThresholdTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static FakeSafetyModel answering(String text, double pUnsafe) {
        return new FakeSafetyModel()
                .behaving((r, i) -> new ModelOutput(text, OptionalDouble.of(pUnsafe), 1234, 56, 1, 2, 3));
    }

    private static ImageInput image(int colour) {
        return ImageInput.ofBytes(TestImages.pngOfColour(colour), "img.png");
    }

    @Test
    void withoutAThresholdTheRatingIsTheModelsOwn() {
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(answering(FakeSafetyModel.SAFE, 0.7))
                .build()) {
            Verdict v = guard.assess(image(1));
            assertThat(guard.unsafeThreshold()).isEmpty();
            assertThat(v.rating()).isEqualTo(Rating.SAFE);
            assertThat(v.modelRating()).contains(Rating.SAFE);
            assertThat(v.ratingSource()).isEqualTo(RatingSource.MODEL);
            assertThat(v.unsafeThreshold()).isEmpty();
            assertThat(v.probabilityUnsafe()).hasValue(0.7);
        }
    }

    @Test
    void aThresholdTurnsAModelSafeIntoUnsafeAndKeepsTheModelsCategoryAndRating() throws Exception {
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(answering(FakeSafetyModel.SAFE, 0.7))
                .unsafeThreshold(0.6)
                .build()) {
            Verdict v = guard.assess(image(2));
            assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
            assertThat(v.isUnsafe()).isTrue();
            assertThat(v.modelRating()).contains(Rating.SAFE);
            assertThat(v.ratingSource()).isEqualTo(RatingSource.THRESHOLD);
            assertThat(v.unsafeThreshold()).hasValue(0.6);
            assertThat(v.categoryLabel()).contains("NA: None applying");
            assertThat(v.category()).isEmpty(); // no policy category for "none applying"
            assertThat(v.rationale()).contains("The image shows a landscape.");
            assertThat(v.toString()).contains("threshold 0.6").contains("model said Safe");

            JsonNode json = JSON.readTree(v.toJson());
            assertThat(json.get("rating").asText()).isEqualTo("Unsafe");
            assertThat(json.get("modelRating").asText()).isEqualTo("Safe");
            assertThat(json.get("ratingSource").asText()).isEqualTo("THRESHOLD");
            assertThat(json.get("unsafeThreshold").asDouble()).isEqualTo(0.6);
            assertThat(json.get("probabilityUnsafe").asDouble()).isEqualTo(0.7);
        }
    }

    @Test
    void aThresholdTurnsAModelUnsafeIntoSafeAndTheBoundaryCountsAsUnsafe() {
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(answering(FakeSafetyModel.UNSAFE_O3, 0.8))
                .unsafeThreshold(0.9)
                .build()) {
            Verdict v = guard.assess(image(3));
            assertThat(v.rating()).isEqualTo(Rating.SAFE);
            assertThat(v.modelRating()).contains(Rating.UNSAFE);
            assertThat(v.categoryLabel()).contains("O3: Sexual Content");
            assertThat(v.category()).hasValueSatisfying(c -> {
                assertThat(c.id()).isEqualTo("O3");
                assertThat(c.name()).isEqualTo("Sexual Content");
            });
            assertThat(v.withUnsafeThreshold(0.8).rating()).as("P == threshold").isEqualTo(Rating.UNSAFE);
            assertThat(v.withUnsafeThreshold(0.8000001).rating()).isEqualTo(Rating.SAFE);
            assertThat(v.withUnsafeThreshold(0.0).rating()).isEqualTo(Rating.UNSAFE);
        }
    }

    @Test
    void reThresholdingStartsFromTheModelsAnswer() {
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(answering(FakeSafetyModel.SAFE, 0.3))
                .build()) {
            Verdict model = guard.assess(image(4));
            Verdict strict = model.withUnsafeThreshold(0.2);
            assertThat(strict.rating()).isEqualTo(Rating.UNSAFE);
            Verdict lenient = strict.withUnsafeThreshold(0.5);
            assertThat(lenient.rating()).isEqualTo(Rating.SAFE);
            assertThat(lenient.unsafeThreshold()).hasValue(0.5);
            Verdict back = strict.withoutUnsafeThreshold();
            assertThat(back.rating()).isEqualTo(Rating.SAFE);
            assertThat(back.ratingSource()).isEqualTo(RatingSource.MODEL);
            assertThat(back.toJson()).isEqualTo(model.toJson());
        }
    }

    @Test
    void withoutPUnsafeTheThresholdCannotDecideAndTheModelsRatingStands() {
        FakeSafetyModel model = new FakeSafetyModel().answering(FakeSafetyModel.SAFE); // no probability
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).unsafeThreshold(0.0).build()) {
            Verdict v = guard.assess(image(5));
            assertThat(v.rating()).isEqualTo(Rating.SAFE);
            assertThat(v.ratingSource()).isEqualTo(RatingSource.MODEL);
            assertThat(v.unsafeThreshold()).isEmpty();
        }
    }

    @Test
    void failureVerdictsAreDecidedByTheFailureModeNotTheThreshold() {
        FakeSafetyModel model = new FakeSafetyModel().failingWith(new ModelException("boom"));
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .failureMode(FailureMode.FAIL_OPEN)
                .unsafeThreshold(0.0)
                .build()) {
            Verdict v = guard.assess(image(6));
            assertThat(v.isFailure()).isTrue();
            assertThat(v.rating()).isEqualTo(Rating.SAFE);
            assertThat(v.ratingSource()).isEqualTo(RatingSource.FAILURE_MODE);
            assertThat(v.modelRating()).isEmpty();
            assertThat(v.unsafeThreshold()).isEmpty();
            assertThat(v.withUnsafeThreshold(0.0)).isSameAs(v);
        }
    }

    @Test
    void theCacheHoldsTheModelsVerdictSoAChangedThresholdReRatesItWithoutRunningTheModel() {
        FakeSafetyModel model = answering(FakeSafetyModel.UNSAFE_O3, 0.8);
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).unsafeThreshold(0.9).build()) {
            Verdict first = guard.assess(image(7));
            assertThat(first.source()).isEqualTo(VerdictSource.MODEL);
            assertThat(first.rating()).isEqualTo(Rating.SAFE);

            guard.setUnsafeThreshold(0.5);
            Verdict second = guard.assess(image(7));
            assertThat(second.source()).isEqualTo(VerdictSource.CACHE);
            assertThat(second.rating()).isEqualTo(Rating.UNSAFE);
            assertThat(second.unsafeThreshold()).hasValue(0.5);

            guard.clearUnsafeThreshold();
            Verdict third = guard.assess(image(7));
            assertThat(third.source()).isEqualTo(VerdictSource.CACHE);
            assertThat(third.rating()).isEqualTo(Rating.UNSAFE);
            assertThat(third.ratingSource()).isEqualTo(RatingSource.MODEL);

            guard.setUnsafeThreshold(0.95);
            List<Verdict> batch = guard.assessAll(List.of(image(7)));
            assertThat(batch.get(0).rating()).isEqualTo(Rating.SAFE);
            assertThat(guard.assessAsync(image(7)).join().rating()).isEqualTo(Rating.SAFE);
            assertThat(model.calls()).isEqualTo(1);
        }
    }

    @Test
    void aThresholdMustBeAProbability() {
        SafetyGuard.Builder builder = SafetyGuard.builder();
        for (double bad : new double[] {-0.01, 1.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> builder.unsafeThreshold(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[0, 1]")
                    .hasMessageContaining(String.valueOf(bad));
        }
        try (SafetyGuard guard =
                SafetyGuard.builder().model(new FakeSafetyModel()).build()) {
            assertThatThrownBy(() -> guard.setUnsafeThreshold(2)).isInstanceOf(IllegalArgumentException.class);
            assertThat(guard.unsafeThreshold()).isEmpty();
        }
    }

    @Test
    void verdictsCarryTheTokenCountsAndKeepTheirOldJsonFields() throws Exception {
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(answering(FakeSafetyModel.UNSAFE_O3, 0.8))
                .build()) {
            Verdict v = guard.assess(image(8));
            assertThat(v.promptTokens()).hasValue(1234);
            assertThat(v.generatedTokens()).hasValue(56);
            Verdict cached = guard.assess(image(8));
            assertThat(cached.generatedTokens())
                    .as("describes the answer, not the call")
                    .hasValue(56);

            JsonNode json = JSON.readTree(v.toJson());
            assertThat(json.get("promptTokens").asInt()).isEqualTo(1234);
            assertThat(json.get("generatedTokens").asInt()).isEqualTo(56);
            // the fields that existed before are all still there, with the same meaning
            for (String field : List.of(
                    "rating",
                    "category",
                    "categoryId",
                    "rationale",
                    "probabilityUnsafe",
                    "source",
                    "policyFingerprint",
                    "modelId",
                    "imageDigest",
                    "totalMillis",
                    "modelMillis",
                    "rawText")) {
                assertThat(json.has(field)).as(field).isTrue();
            }
            assertThat(json.get("rating").asText()).isEqualTo("Unsafe");
            assertThat(json.get("source").asText()).isEqualTo("MODEL");
        }
        FakeSafetyModel plain = new FakeSafetyModel().answering(FakeSafetyModel.SAFE);
        try (SafetyGuard guard = SafetyGuard.builder().model(plain).build()) {
            Verdict v = guard.assess(image(9));
            assertThat(v.promptTokens()).isEmpty();
            assertThat(JSON.readTree(v.toJson()).has("generatedTokens")).isFalse();
        }
    }
}
