package io.safetyguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict grammar and schema accept exactly the verdicts the policy allows. */
class VerdictGrammarTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Policy DEFAULT = Policy.llavaGuardDefault();
    private static final GbnfMatcher FULL = GbnfMatcher.parse(VerdictGrammar.gbnf(DEFAULT, false));
    private static final GbnfMatcher SHORT = GbnfMatcher.parse(VerdictGrammar.gbnf(DEFAULT, true));

    /** The layout of json.dumps(..., indent=4), as the models were trained. */
    static String trained(String rating, String category, String rationale) {
        return "{\n    \"rating\": \"" + rating + "\",\n    \"category\": \"" + category + "\",\n    \"rationale\": \""
                + rationale + "\"\n}";
    }

    @Test
    void acceptsTheTrainedLayout() {
        assertThat(FULL.matches(trained(
                        "Safe",
                        "NA: None applying",
                        "The image provided by the user is a photograph of a street scene with a stop sign.")))
                .isTrue();
        assertThat(FULL.matches(trained(
                        "Unsafe",
                        "O6: Weapons or Substance Abuse",
                        "It shows a \\\"gun\\\" \\\\ a path C:\\/x,\\n a tab\\t and \\u00e9 or \u00e9 \u2713.")))
                .isTrue();
        assertThat(FULL.matches(trained("Safe", "O6: Weapons or Substance Abuse", "")))
                .isTrue();
    }

    @Test
    void acceptsEveryLabelAndBothRatings() {
        for (String label : DEFAULT.categoryLabels()) {
            assertThat(FULL.matches(trained("Unsafe", label, "x"))).as(label).isTrue();
            assertThat(FULL.matches(trained("Safe", label, "x"))).as(label).isTrue();
        }
    }

    @Test
    void acceptsOtherWhitespace() {
        assertThat(FULL.matches("{\"rating\":\"Safe\",\"category\":\"O3: Sexual Content\",\"rationale\":\"x\"}"))
                .isTrue();
        assertThat(FULL.matches("{ \"rating\" : \"Safe\" ,\r\n\t\"category\": \"O3: Sexual Content\""
                        + ", \"rationale\": \"x\" }"))
                .isTrue();
    }

    @Test
    void rejectsWrongVerdicts() {
        String ok = trained("Safe", "NA: None applying", "fine");
        assertThat(FULL.matches(ok)).isTrue();
        List<String> bad = List.of(
                trained("safe", "NA: None applying", "x"),
                trained("Unsure", "NA: None applying", "x"),
                trained("Safe", "O10: Other", "x"),
                trained("Safe", "O6: Weapons", "x"),
                trained("Safe", "NA: none applying", "x"),
                "{\n    \"category\": \"NA: None applying\",\n    \"rating\": \"Safe\",\n"
                        + "    \"rationale\": \"x\"\n}",
                "{\n    \"rationale\": \"x\",\n    \"rating\": \"Safe\",\n"
                        + "    \"category\": \"NA: None applying\"\n}",
                "{\n    \"rating\": \"Safe\",\n    \"category\": \"NA: None applying\"\n}",
                ok + "\n",
                ok.replace("\n}", ",\n}"),
                "```json\n" + ok + "\n```",
                trained("Safe", "NA: None applying", "an \"unescaped\" quote"),
                trained("Safe", "NA: None applying", "a raw\nline break"),
                trained("Safe", "NA: None applying", "bad escape \\x41"),
                trained("Safe", "NA: None applying", "short unicode \\u12"),
                ok.replace("{\n    \"rating\"", "{" + " ".repeat(VerdictGrammar.MAX_WHITESPACE + 1) + "\"rating\""));
        for (String s : bad) {
            assertThat(FULL.matches(s)).as(s).isFalse();
        }
    }

    @Test
    void boundsTheRationale() {
        int max = VerdictGrammar.DEFAULT_MAX_RATIONALE_CHARS;
        assertThat(FULL.matches(trained("Safe", "NA: None applying", "a".repeat(max))))
                .isTrue();
        assertThat(FULL.matches(trained("Safe", "NA: None applying", "a".repeat(max + 1))))
                .isFalse();
        GbnfMatcher small = GbnfMatcher.parse(VerdictGrammar.gbnf(DEFAULT, false, 3));
        assertThat(small.matches(trained("Safe", "NA: None applying", "ab\\n"))).isTrue();
        assertThat(small.matches(trained("Safe", "NA: None applying", "abcd"))).isFalse();
        assertThatThrownBy(() -> VerdictGrammar.gbnf(DEFAULT, false, 2000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1..1999");
        assertThatThrownBy(() -> VerdictGrammar.gbnf(DEFAULT, false, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void verdictOnlyStopsAfterTheCategory() {
        assertThat(SHORT.matches("{\n    \"rating\": \"Unsafe\",\n"
                        + "    \"category\": \"O1: Hate, Humiliation, Harassment\"\n}"))
                .isTrue();
        assertThat(SHORT.matches("{\"rating\": \"Safe\", \"category\": \"NA: None applying\"}"))
                .isTrue();
        assertThat(SHORT.matches(trained("Safe", "NA: None applying", "x"))).isFalse();
        assertThat(SHORT.matches("{\"rating\": \"Safe\", \"category\": \"NA: None applying\",}"))
                .isFalse();
        assertThat(SHORT.matches("{\"category\": \"NA: None applying\", \"rating\": \"Safe\"}"))
                .isFalse();
        assertThat(VerdictGrammar.gbnf(DEFAULT, true)).doesNotContain("rationale");
    }

    @Test
    void everyLabelIsAnEscapedAlternative() {
        String g = VerdictGrammar.gbnf(DEFAULT, false);
        assertThat(g).startsWith("# ").contains("\nroot ::= ");
        for (String label : DEFAULT.categoryLabels()) {
            assertThat(g).contains("\"\\\"" + label + "\\\"\"");
        }
        assertThat(FULL.ruleNames()).contains("root", "rating", "category", "rationale", "ws");
    }

    @Test
    void followsThePolicysCategories() {
        Policy p = DEFAULT.toBuilder()
                .remove("O9")
                .addCategory("C1", "Say \"hi\" \\ wave", "Should not:\n- X.\n")
                .build();
        String g = VerdictGrammar.gbnf(p, false);
        // GBNF literal of the JSON text "C1: Say \"hi\" \\ wave" (quotes included).
        assertThat(g).contains("\"\\\"C1: Say \\\\\\\"hi\\\\\\\" \\\\\\\\ wave\\\"\"");
        GbnfMatcher m = GbnfMatcher.parse(g);
        String out = trained("Unsafe", "C1: Say \\\"hi\\\" \\\\ wave", "x");
        assertThat(m.matches(out)).isTrue();
        assertThat(m.matches(trained("Unsafe", "C1: Say \"hi\" \\ wave", "x"))).isFalse();
        assertThat(m.matches(trained("Unsafe", "O9: Disasters or Emergencies", "x")))
                .isFalse();
        assertThat(m.matches(trained("Unsafe", "O8: Animal Cruelty", "x"))).isTrue();
    }

    @Test
    void acceptedOutputParsesAsJsonToThePolicysLabel() throws Exception {
        Policy p = DEFAULT.toBuilder()
                .addCategory("C1", "Say \"hi\" \\ wave \u00e9", "Should not:\n- X.\n")
                .build();
        GbnfMatcher m = GbnfMatcher.parse(VerdictGrammar.gbnf(p, false));
        List<String> outputs = new ArrayList<>();
        for (String label : p.categoryLabels()) {
            ObjectNodeBuilder b = new ObjectNodeBuilder(label);
            outputs.add(b.pretty());
            outputs.add(b.compact());
        }
        for (String out : outputs) {
            assertThat(m.matches(out)).as(out).isTrue();
            JsonNode n = JSON.readTree(out);
            assertThat(p.categoryIdForLabel(n.get("category").asText())).as(out).isPresent();
        }
    }

    /** Verdicts written by Jackson, pretty (4 spaces, like Python's indent=4) and compact. */
    private static final class ObjectNodeBuilder {
        private final com.fasterxml.jackson.databind.node.ObjectNode node;

        ObjectNodeBuilder(String label) {
            node = JSON.createObjectNode();
            node.put("rating", "Unsafe").put("category", label).put("rationale", "Shows \"x\" \\ y\nz \u00e9.");
        }

        String pretty() throws Exception {
            var pp = new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                    .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n"))
                    .withSeparators(com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER));
            return JSON.writer(pp).writeValueAsString(node);
        }

        String compact() throws Exception {
            return JSON.writeValueAsString(node);
        }
    }

    @Test
    void lineBreaksOnlyFollowAlternativeBars() {
        // llama.cpp ends a rule at a line break unless it follows "::=", "|" or sits in parentheses.
        for (String line : VerdictGrammar.gbnf(DEFAULT, false).split("\n")) {
            assertThat(line.strip()).doesNotStartWith("|");
        }
        assertThatThrownBy(() -> GbnfMatcher.parse("root ::= \"a\"\n    | \"b\"\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jsonSchema() throws Exception {
        JsonNode s = JSON.readTree(VerdictGrammar.jsonSchema(DEFAULT));
        assertThat(s.get("type").asText()).isEqualTo("object");
        List<String> keys = new ArrayList<>();
        s.get("properties").fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("rating", "category", "rationale");
        assertThat(s.get("required").toString()).isEqualTo("[\"rating\",\"category\",\"rationale\"]");
        assertThat(s.at("/properties/rating/enum").toString()).isEqualTo("[\"Safe\",\"Unsafe\"]");
        List<String> labels = new ArrayList<>();
        s.at("/properties/category/enum").forEach(n -> labels.add(n.asText()));
        assertThat(labels).isEqualTo(DEFAULT.categoryLabels());
        assertThat(s.at("/properties/rationale/maxLength").asInt())
                .isEqualTo(VerdictGrammar.DEFAULT_MAX_RATIONALE_CHARS);
        assertThat(s.get("additionalProperties").asBoolean()).isFalse();

        Policy p = DEFAULT.toBuilder().addCategory("C1", "Say \"hi\"", "g").build();
        JsonNode custom = JSON.readTree(VerdictGrammar.jsonSchema(p, true));
        assertThat(custom.at("/properties/category/enum/9").asText()).isEqualTo("C1: Say \"hi\"");
        assertThat(custom.get("properties").has("rationale")).isFalse();
        assertThat(custom.get("required").toString()).isEqualTo("[\"rating\",\"category\"]");
    }
}
