package io.safetyguard.llamacpp.internal.jni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonObjectEndTest {

    private static boolean feed(JsonObjectEnd end, String text) {
        return end.feed(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void endsWhenTheOutermostObjectCloses() {
        JsonObjectEnd end = new JsonObjectEnd();
        assertThat(feed(end, "{\"rating\": \"Safe\", ")).isFalse();
        assertThat(feed(end, "\"list\": [{\"a\": 1}]")).isFalse();
        assertThat(feed(end, "}")).isTrue();
    }

    @Test
    void bracesAndEscapedQuotesInsideStringsDoNotCount() {
        JsonObjectEnd end = new JsonObjectEnd();
        assertThat(feed(end, "{\"rationale\": \"a } and a \\\" and ] \"")).isFalse();
        assertThat(feed(end, "}")).isTrue();
    }

    @Test
    void whitespaceAndAnEmptyObjectSplitAcrossPieces() {
        JsonObjectEnd end = new JsonObjectEnd();
        assertThat(feed(end, " \n")).isFalse();
        assertThat(feed(end, "{")).isFalse();
        assertThat(feed(end, "}")).isTrue();
    }
}
