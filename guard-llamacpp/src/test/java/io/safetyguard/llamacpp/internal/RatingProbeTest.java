package io.safetyguard.llamacpp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.safetyguard.llamacpp.internal.RatingProbe.Kind;
import org.junit.jupiter.api.Test;

class RatingProbeTest {

    @Test
    void theValueIsOpenedOnlyRightAfterTheQuoteThatFollowsTheRatingKey() {
        assertThat(RatingProbe.valueOpened("{\n    \"rating\": \"")).isTrue();
        assertThat(RatingProbe.valueOpened("{\"rating\" :\n \"")).isTrue();
        assertThat(RatingProbe.valueOpened("{\n    \"rating\": ")).isFalse();
        assertThat(RatingProbe.valueOpened("{\n    \"rating\": \"S")).isFalse();
        assertThat(RatingProbe.valueOpened("{\n    \"rat")).isFalse();
        assertThat(RatingProbe.valueOpened("")).isFalse();
    }

    @Test
    void beforeTheValueCoversEveryPointFromTheBraceToTheOpeningQuote() {
        assertThat(RatingProbe.beforeValue("{ \"rating")).isTrue();
        assertThat(RatingProbe.beforeValue("{ \"rating\"")).isTrue();
        assertThat(RatingProbe.beforeValue("{ \"rating\"\n\t ")).isTrue();
        assertThat(RatingProbe.beforeValue("{ \"rating\" :")).isTrue();
        assertThat(RatingProbe.beforeValue("{ \"rating\" :\n ")).isTrue();
        // right after the value's opening quote valueOpened() applies (and is checked first)
        assertThat(RatingProbe.beforeValue("{ \"rating\": \"S")).isFalse();
        assertThat(RatingProbe.beforeValue("{ \"rati"))
                .as("a token may start inside the key")
                .isTrue();
        assertThat(RatingProbe.beforeValue("{ \"")).isTrue();
        assertThat(RatingProbe.beforeValue("{\n  ")).isTrue();
        assertThat(RatingProbe.beforeValue("{ \"rx")).isFalse();
        assertThat(RatingProbe.beforeValue("{ \"rating\": \"Safe\", \"category\": "))
                .isFalse();
    }

    @Test
    void tokensAreSortedByWhatTheyCanDoAtTheRatingValue() {
        assertThat(RatingProbe.kind("S")).isEqualTo(Kind.SAFE_START);
        assertThat(RatingProbe.kind("Safe\",")).isEqualTo(Kind.SAFE_START);
        assertThat(RatingProbe.kind("Un")).isEqualTo(Kind.UNSAFE_START);
        assertThat(RatingProbe.kind("Unsafe\"\n")).isEqualTo(Kind.UNSAFE_START);
        assertThat(RatingProbe.kind("Safety"))
                .as("cannot be followed by the closing quote")
                .isEqualTo(Kind.OTHER);
        assertThat(RatingProbe.kind("Sh")).isEqualTo(Kind.OTHER);
        assertThat(RatingProbe.kind("\"S")).isEqualTo(Kind.QUOTE_WITH_VALUE);
        assertThat(RatingProbe.kind("\n\n\"Uns")).isEqualTo(Kind.QUOTE_WITH_VALUE);
        assertThat(RatingProbe.kind("\":\"U")).isEqualTo(Kind.QUOTE_WITH_VALUE);
        assertThat(RatingProbe.kind(" \"")).isEqualTo(Kind.OTHER);
        assertThat(RatingProbe.kind(" Safe")).isEqualTo(Kind.OTHER);
        assertThat(RatingProbe.kind("")).isEqualTo(Kind.OTHER);
    }

    @Test
    void theProbabilitySumsEveryTokenOfAValueNotJustTheBestOne() {
        // "S" is the single most likely token, but "Un" + "Uns" together outweigh it
        float[] safe = {(float) Math.log(0.4)};
        float[] unsafe = {(float) Math.log(0.35), (float) Math.log(0.25)};
        assertThat(RatingProbe.probabilityOfSecond(safe, unsafe)).isCloseTo(0.6, within(1e-6));
        assertThat(RatingProbe.probabilityOfSecond(new float[] {1000f}, new float[] {1000f}))
                .isEqualTo(0.5);
        assertThat(RatingProbe.probabilityOfSecond(new float[0], new float[] {-3f}))
                .isEqualTo(1.0);
        assertThat(RatingProbe.probabilityOfSecond(new float[] {Float.NEGATIVE_INFINITY}, new float[0]))
                .isNaN();
    }
}
