package io.safetyguard.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RatingProbeTest {

    @Test
    void findsTheRatingSlot() {
        assertThat(RatingProbe.slot("{\n    \"rating\": ")).isEqualTo(RatingProbe.Slot.BEFORE_QUOTE);
        assertThat(RatingProbe.slot("{\n    \"rating\":")).isEqualTo(RatingProbe.Slot.BEFORE_QUOTE);
        assertThat(RatingProbe.slot("{\"rating\" :\n \"")).isEqualTo(RatingProbe.Slot.AFTER_QUOTE);
        assertThat(RatingProbe.slot("{\n    \"rating\": \"S")).isEqualTo(RatingProbe.Slot.NONE);
        assertThat(RatingProbe.slot("{\n    \"rat")).isEqualTo(RatingProbe.Slot.NONE);
        assertThat(RatingProbe.slot("")).isEqualTo(RatingProbe.Slot.NONE);
    }

    @Test
    void tokensCommitToOneValue() {
        assertThat(RatingProbe.commits("Safe", "S")).isTrue();
        assertThat(RatingProbe.commits("Safe", "Safe")).isTrue();
        assertThat(RatingProbe.commits("Safe", "Safe\",")).isTrue();
        assertThat(RatingProbe.commits("Safe", "Safety")).isFalse();
        assertThat(RatingProbe.commits("Safe", "")).isFalse();
        assertThat(RatingProbe.commits("Unsafe", "Un")).isTrue();
        assertThat(RatingProbe.commits("Unsafe", "S")).isFalse();
        assertThat(RatingProbe.commits("Safe", "U")).isFalse();
    }

    @Test
    void jsonEndSeesTheOuterObjectClose() {
        LlamaCppModel.JsonEnd e = new LlamaCppModel.JsonEnd();
        assertThat(e.feed("{\n \"rating\": \"Sa".getBytes())).isFalse();
        assertThat(e.feed("fe\", \"rationale\": \"a } in \\\" text {\"".getBytes())).isFalse();
        assertThat(e.feed("\n}".getBytes())).isTrue();
    }
}
