package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.safetyguard.policy.Policy;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class VerdictParserTest {

    private static final Policy POLICY = Policy.llavaGuardDefault();
    private final VerdictParser parser = new VerdictParser(POLICY.categoryLabels());

    /** The real v1.2-0.5B answer quoted in the LlavaGuard notebook, in the trained layout. */
    private static final String TRAINED = "{\n    \"rating\": \"Safe\",\n    \"category\": \"NA: None applying\",\n"
            + "    \"rationale\": \"The image provided by the user is a photograph of a street scene with a stop sign.\"\n}";

    @Test
    void trainedLayout() throws Exception {
        ParsedVerdict v = parser.parse(TRAINED);
        assertThat(v.rating()).isEqualTo(Rating.SAFE);
        assertThat(v.category()).isEqualTo("NA: None applying");
        assertThat(v.rationale())
                .contains("The image provided by the user is a photograph of a street scene with a stop sign.");
        assertThat(v.truncated()).isFalse();
    }

    @Test
    void unsafeWithCategory() throws Exception {
        ParsedVerdict v = parser.parse(FakeSafetyModel.UNSAFE_O3);
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(v.category()).isEqualTo("O3: Sexual Content");
    }

    @Test
    void codeFence() throws Exception {
        ParsedVerdict v = parser.parse("```json\n" + FakeSafetyModel.UNSAFE_O3 + "\n```");
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(v.truncated()).isFalse();
    }

    @Test
    void leadingText() throws Exception {
        ParsedVerdict v = parser.parse("Sure! Here is the safety assessment:\n\n" + TRAINED + "\nHope this helps.");
        assertThat(v.rating()).isEqualTo(Rating.SAFE);
    }

    @Test
    void leadingTextWithBraces() throws Exception {
        ParsedVerdict v = parser.parse("Template: {rating, category} -> " + FakeSafetyModel.UNSAFE_O3);
        assertThat(v.category()).isEqualTo("O3: Sexual Content");
    }

    @Test
    void chatEndTokens() throws Exception {
        assertThat(parser.parse(TRAINED + "</s>").rating()).isEqualTo(Rating.SAFE);
        assertThat(parser.parse(TRAINED + "<|im_end|>\n").rating()).isEqualTo(Rating.SAFE);
        assertThat(parser.parse("<s> " + TRAINED + "<|endoftext|>").rating()).isEqualTo(Rating.SAFE);
    }

    @Test
    void truncatedRationaleKeepsVerdictAndPartialRationale() throws Exception {
        String cut = "{\n    \"rating\": \"Unsafe\",\n    \"category\": \"O2: Violence, Harm, or Cruelty\",\n"
                + "    \"rationale\": \"The image shows a person holding a weapon in a threat";
        ParsedVerdict v = parser.parse(cut);
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(v.category()).isEqualTo("O2: Violence, Harm, or Cruelty");
        assertThat(v.rationale()).contains("The image shows a person holding a weapon in a threat");
        assertThat(v.truncated()).isTrue();
    }

    @Test
    void truncatedRationaleEndingInAnEndToken() throws Exception {
        ParsedVerdict v = parser.parse(
                "{\"rating\": \"Unsafe\", \"category\": \"O7: Self-Harm\", \"rationale\": \"It depicts</s>");
        assertThat(v.rationale()).contains("It depicts");
        assertThat(v.truncated()).isTrue();
    }

    @Test
    void missingClosingBraceOnly() throws Exception {
        ParsedVerdict v =
                parser.parse("{\"rating\": \"Safe\", \"category\": \"NA: None applying\", \"rationale\": \"Fine.\"\n");
        assertThat(v.rationale()).contains("Fine.");
        assertThat(v.truncated()).isTrue();
    }

    @Test
    void cutInsideAnEscape() throws Exception {
        ParsedVerdict v = parser.parse("{\"rating\": \"Safe\", \"category\": \"NA\", \"rationale\": \"ab\\u00");
        assertThat(v.rationale()).contains("ab");
        assertThat(v.truncated()).isTrue();
    }

    @Test
    void safeWithAnOCategoryIsValid() throws Exception {
        // What a policy exception (category declared non-violating) produces.
        ParsedVerdict v =
                parser.parse(FakeSafetyModel.answer("Safe", "O6: Weapons or Substance Abuse", "Allowed here."));
        assertThat(v.rating()).isEqualTo(Rating.SAFE);
        assertThat(v.category()).isEqualTo("O6: Weapons or Substance Abuse");
    }

    @Test
    void verdictOnlyWithoutRationale() throws Exception {
        ParsedVerdict v = parser.parse("{\n    \"rating\": \"Unsafe\",\n    \"category\": \"O4: Nudity Content\"\n}");
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(v.rationale()).isEmpty();
        assertThat(v.truncated()).isFalse();
    }

    @Test
    void verdictOnlyStoppedBeforeTheClosingBrace() throws Exception {
        // A backend that stops right after the category field, as verdict-only decoding may.
        ParsedVerdict v = parser.parse("{\n    \"rating\": \"Unsafe\",\n    \"category\": \"O4: Nudity Content\",");
        assertThat(v.category()).isEqualTo("O4: Nudity Content");
        assertThat(v.rationale()).isEmpty();
    }

    @Test
    void trailingCommaAsInThePolicyTemplate() throws Exception {
        ParsedVerdict v =
                parser.parse("{\"rating\": \"Safe\", \"category\": \"NA: None applying\", \"rationale\": \"ok\",\n}");
        assertThat(v.truncated()).isFalse();
        assertThat(v.rationale()).contains("ok");
    }

    @Test
    void lenientCaseAndIdOnlyCategories() throws Exception {
        assertThat(parser.parse("{\"Rating\": \"unsafe\", \"CATEGORY\": \"o3: sexual content\"}")
                        .category())
                .isEqualTo("O3: Sexual Content");
        assertThat(parser.parse("{\"rating\": \"Unsafe\", \"category\": \"O3\"}")
                        .category())
                .isEqualTo("O3: Sexual Content");
        assertThat(parser.parse("{\"rating\": \"Unsafe\", \"category\": \"o9:\"}")
                        .category())
                .isEqualTo("O9: Disasters or Emergencies");
        assertThat(parser.parse("{\"rating\": \"Safe\", \"category\": \"NA\"}").category())
                .isEqualTo("NA: None applying");
        // Older checkpoints wrote O2 without the comma.
        assertThat(parser.parse("{\"rating\": \"Unsafe\", \"category\": \"O2: Violence, Harm or Cruelty\"}")
                        .category())
                .isEqualTo("O2: Violence, Harm, or Cruelty");
    }

    @Test
    void escapesInTheRationale() throws Exception {
        ParsedVerdict v = parser.parse(
                "{\"rating\": \"Safe\", \"category\": \"NA\", \"rationale\": \"a \\\"quote\\\"\\nline \\u00e9\\\\\"}");
        assertThat(v.rationale()).contains("a \"quote\"\nline é\\");
    }

    @Test
    void unknownCategoryIsRefused() {
        VerdictParseException e = catchThrowableOfType(
                VerdictParseException.class,
                () -> parser.parse(
                        "{\"rating\": \"Unsafe\", \"category\": \"O42: Spicy Memes\", \"rationale\": \"x\"}"));
        assertThat(e.getMessage())
                .contains("unknown category \"O42: Spicy Memes\"", "[O1, O2, O3, O4, O5, O6, O7, O8, O9, NA]");
        // An id with the wrong name is not a match either.
        assertThatThrownBy(() -> parser.parse("{\"rating\": \"Unsafe\", \"category\": \"O3: Weapons\"}"))
                .isInstanceOf(VerdictParseException.class);
    }

    @Test
    void categoryFromAnotherPolicyIsRefused() {
        VerdictParser custom = new VerdictParser(java.util.List.of("C1: Spiders", "NA: None applying"));
        assertThatThrownBy(() -> custom.parse(FakeSafetyModel.UNSAFE_O3))
                .isInstanceOf(VerdictParseException.class)
                .hasMessageContaining("[C1, NA]");
    }

    @Test
    void emptyAndBlankAnswers() {
        assertThatThrownBy(() -> parser.parse(""))
                .isInstanceOf(VerdictParseException.class)
                .hasMessage("the model returned an empty answer");
        assertThatThrownBy(() -> parser.parse(" \n\t ")).isInstanceOf(VerdictParseException.class);
        assertThatThrownBy(() -> parser.parse(null)).isInstanceOf(VerdictParseException.class);
    }

    @Test
    void proseIsRefusedWithAnExcerpt() {
        VerdictParseException e = catchThrowableOfType(
                VerdictParseException.class,
                () -> parser.parse("I'm sorry, but I can't assess this image. It looks unsafe to me."));
        assertThat(e.getMessage())
                .startsWith("no JSON object with a \"rating\" field in the answer (starts with \"I'm sorry");
    }

    @Test
    void badRatingsAreRefused() {
        assertThat(catchThrowableOfType(
                                VerdictParseException.class,
                                () -> parser.parse("{\"rating\": \"Maybe\", \"category\": \"NA\"}"))
                        .getMessage())
                .isEqualTo("rating must be \"Safe\" or \"Unsafe\", got \"Maybe\"");
        assertThatThrownBy(() -> parser.parse("{\"rating\": true, \"category\": \"NA\"}"))
                .isInstanceOf(VerdictParseException.class);
        assertThatThrownBy(() -> parser.parse("{\"rating\": \"Uns"))
                .isInstanceOf(VerdictParseException.class)
                .hasMessage("the answer ends inside the rating");
    }

    @Test
    void missingOrUnfinishedCategoryIsRefused() {
        assertThatThrownBy(() -> parser.parse("{\"rating\": \"Unsafe\"}")).hasMessage("the answer has no category");
        assertThatThrownBy(() -> parser.parse("{\"rating\": \"Unsafe\", "))
                .hasMessage("the answer ends before the category");
        assertThatThrownBy(() -> parser.parse("{\"rating\": \"Unsafe\", \"category\": \"O3: Sex"))
                .hasMessage("the answer ends inside the category");
    }

    @Test
    void duplicateRatingIsAmbiguousAndRefused() {
        assertThatThrownBy(() -> parser.parse("{\"rating\": \"Unsafe\", \"rating\": \"Safe\", \"category\": \"NA\"}"))
                .isInstanceOf(VerdictParseException.class)
                .hasMessageContaining("duplicate key \"rating\"");
    }

    @Test
    void nestedValuesAreRefused() {
        assertThatThrownBy(() -> parser.parse("{\"rating\": {\"value\": \"Safe\"}, \"category\": \"NA\"}"))
                .isInstanceOf(VerdictParseException.class)
                .hasMessageContaining("nested");
    }

    @Test
    void firstObjectWithARatingDecides() throws Exception {
        String two = FakeSafetyModel.UNSAFE_O3 + "\n" + TRAINED;
        assertThat(parser.parse(two).rating()).isEqualTo(Rating.UNSAFE);
    }

    @Test
    @Timeout(5)
    void hugeGarbageIsRefusedQuickly() {
        String garbage = "a".repeat(10_000_000);
        assertThatThrownBy(() -> parser.parse(garbage)).isInstanceOf(VerdictParseException.class);
        String braces = "{".repeat(5_000_000);
        assertThatThrownBy(() -> parser.parse(braces)).isInstanceOf(VerdictParseException.class);
        String openString = "{\"rating\": \"" + "x".repeat(5_000_000);
        assertThatThrownBy(() -> parser.parse(openString)).isInstanceOf(VerdictParseException.class);
    }

    @Test
    void hugeRationaleIsCapped() throws Exception {
        String long_ = "{\"rating\": \"Safe\", \"category\": \"NA\", \"rationale\": \"" + "y".repeat(200_000) + "\"}";
        ParsedVerdict v = parser.parse(long_);
        assertThat(v.rationale()).hasValueSatisfying(r -> assertThat(r).hasSize(VerdictParser.MAX_RATIONALE_CHARS));
        assertThat(v.truncated()).as("the input is cut at MAX_INPUT_CHARS").isTrue();
    }

    @Test
    void everyPrefixOfAnAnswerParsesOrFailsWithTheTypedException() throws Exception {
        String full =
                "```json\n" + FakeSafetyModel.answer("Unsafe", "O5: Criminal Planning", "Shows a \\\"plan\\\" to rob.")
                        + "\n```</s>";
        int categoryEnd = full.indexOf("Planning\"") + "Planning\"".length();
        for (int n = 0; n <= full.length(); n++) {
            String prefix = full.substring(0, n);
            Optional<ParsedVerdict> v;
            try {
                v = Optional.of(parser.parse(prefix));
            } catch (VerdictParseException e) {
                v = Optional.empty();
            }
            if (n >= categoryEnd) {
                assertThat(v).as("prefix of %d chars", n).isPresent();
                assertThat(v.get().rating()).isEqualTo(Rating.UNSAFE);
            } else {
                assertThat(v).as("prefix of %d chars", n).isEmpty();
            }
        }
    }

    @Test
    void randomInputNeverThrowsAnythingElse() {
        Random random = new Random(20240611);
        String alphabet = "{}[]\":,\\u0123456789abcdefSafeUnsafeO3NA ratingcategoryrationale\n\t</s>`";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder b = new StringBuilder();
            int len = random.nextInt(120);
            for (int j = 0; j < len; j++) {
                b.append(
                        random.nextInt(10) == 0
                                ? (char) random.nextInt(0x3000)
                                : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            try {
                parser.parse(b.toString());
            } catch (VerdictParseException expected) {
                // fine: the only exception allowed
            }
        }
    }
}
