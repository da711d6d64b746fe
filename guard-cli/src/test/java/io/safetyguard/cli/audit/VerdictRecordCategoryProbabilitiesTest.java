package io.safetyguard.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The optional {@code category_probabilities} key of a verdicts.jsonl line. */
class VerdictRecordCategoryProbabilitiesTest {
    private static VerdictRecord withProbabilities(Map<String, Double> probabilities) {
        return new VerdictRecord(
                "/a.png",
                "d",
                "Unsafe",
                "O3: Sexual Content",
                "r",
                0.8,
                2,
                null,
                "p",
                "Unsafe",
                null,
                7,
                probabilities);
    }

    @Test
    void roundTripsInTheOrderWritten() {
        Map<String, Double> p = new LinkedHashMap<>();
        p.put("O9", 0.05);
        p.put("O3", 0.75);
        p.put("NA", 0.2);
        VerdictRecord r = withProbabilities(p);
        String line = r.toJsonLine();
        assertThat(line)
                .endsWith(",\"generated_tokens\":7,\"category_probabilities\":{\"O9\":0.05,\"O3\":0.75,\"NA\":0.2}}");
        VerdictRecord back = VerdictRecord.parse(line);
        assertThat(back).isEqualTo(r);
        assertThat(back.categoryProbabilities().keySet()).containsExactly("O9", "O3", "NA");
    }

    @Test
    void isNullWhenUnknownAndReadsBackEmpty() {
        VerdictRecord r = withProbabilities(null);
        assertThat(r.categoryProbabilities()).isEmpty();
        assertThat(r.toJsonLine()).contains("\"category_probabilities\":null");
        assertThat(VerdictRecord.parse(r.toJsonLine()).categoryProbabilities()).isEmpty();
        String older = r.toJsonLine().replace(",\"category_probabilities\":null", "");
        assertThat(older).doesNotContain("category_probabilities");
        assertThat(VerdictRecord.parse(older).categoryProbabilities())
                .as("lines written before the key existed")
                .isEmpty();
    }

    @Test
    void isCopiedAndReadOnly() {
        Map<String, Double> p = new LinkedHashMap<>(Map.of("O1", 0.5));
        VerdictRecord r = withProbabilities(p);
        p.put("O2", 0.5);
        assertThat(r.categoryProbabilities()).containsOnlyKeys("O1");
        assertThatThrownBy(() -> r.categoryProbabilities().put("O3", 1.0))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void malformedValuesAreRejectedWithTheKey() {
        String base = withProbabilities(null).toJsonLine();
        assertThatThrownBy(() -> VerdictRecord.parse(base.replace("}", ",\"category_probabilities\":[0.1]}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"category_probabilities\" is not an object");
        assertThatThrownBy(
                        () -> VerdictRecord.parse(base.replace("}", ",\"category_probabilities\":{\"O3\":\"high\"}}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"category_probabilities\".O3 is not a number");
    }
}
