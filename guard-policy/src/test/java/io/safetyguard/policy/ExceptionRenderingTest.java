package io.safetyguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every policy exception renders byte-identical to the blocks file's composition rule. */
class ExceptionRenderingTest {

    static Stream<Arguments> everyCategoryAndVariant() {
        List<Arguments> args = new ArrayList<>();
        for (JsonNode c : GoldenFiles.blocks().get("categories")) {
            String key = c.get("key").asText();
            args.add(Arguments.of(key, "non_violating"));
            args.add(Arguments.of(key, "sensitive"));
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyCategoryAndVariant")
    void singleException(String key, String variant) {
        String id = key.substring(0, key.indexOf(':'));
        Policy.Builder b = Policy.llavaGuardDefault().toBuilder();
        Policy p = variant.equals("non_violating")
                ? b.allow(id).build()
                : b.sensitive(id).build();
        assertThat(p.render())
                .isEqualTo(Composition.fromGolden().variant(key, variant).render());
        assertThat(p.treatment(id))
                .isEqualTo(variant.equals("non_violating") ? Treatment.NON_VIOLATING : Treatment.SENSITIVE);
    }

    @Test
    void severalExceptionsTogether() {
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .allow("O6")
                .sensitive("O3")
                .allow("O1")
                .build();
        String expected = Composition.fromGolden()
                .variant("O6: Weapons or Substance Abuse", "non_violating")
                .variant("O3: Sexual Content", "sensitive")
                .variant("O1: Hate, Humiliation, Harassment", "non_violating")
                .render();
        assertThat(p.render()).isEqualTo(expected);
        assertThat(p.exceptions())
                .containsExactly(
                        java.util.Map.entry("O1", Treatment.NON_VIOLATING),
                        java.util.Map.entry("O3", Treatment.SENSITIVE),
                        java.util.Map.entry("O6", Treatment.NON_VIOLATING));
    }

    @Test
    void quirksOfTheVerbatimBlocksSurvive() {
        String r = Policy.llavaGuardDefault().toBuilder()
                .allow("O2")
                .sensitive("O4")
                .build()
                .render();
        assertThat(r).contains(" - Contain content of  people planning or engaging in violence.\n");
        assertThat(r).contains("or explicit nudity content. \n - Contain artistic nudity");
        assertThat(r).contains("violence and cruelty.\n \nO3: Sexual Content: \n");
    }

    @Test
    void lastDeclarationWinsAndRestoreUndoes() {
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .allow("O5")
                .sensitive("O5")
                .build();
        assertThat(p.render())
                .isEqualTo(Composition.fromGolden()
                        .variant("O5: Criminal Planning", "sensitive")
                        .render());
        assertThat(p.toBuilder().restore("O5").build()).isEqualTo(Policy.llavaGuardDefault());
    }

    @Test
    void removedCategoryDisappearsFromBlocksAndTemplate() {
        Policy p =
                Policy.llavaGuardDefault().toBuilder().remove("O9").remove("O2").build();
        String expected = Composition.fromGolden()
                .remove("O9: Disasters or Emergencies")
                .remove("O2: Violence, Harm, or Cruelty")
                .render();
        assertThat(p.render()).isEqualTo(expected);
        assertThat(p.render()).contains("\"O8: Animal Cruelty\"|\"NA: None applying\">,\n");
        assertThat(p.categoryLabels())
                .doesNotContain("O9: Disasters or Emergencies")
                .endsWith("NA: None applying");
    }

    @Test
    void removingAnExceptedCategoryDropsTheException() {
        Policy p =
                Policy.llavaGuardDefault().toBuilder().allow("O6").remove("O6").build();
        assertThat(p.exceptions()).isEmpty();
        assertThat(p.render())
                .isEqualTo(Composition.fromGolden()
                        .remove("O6: Weapons or Substance Abuse")
                        .render());
    }

    @Test
    void replacedGuidelines() {
        String g = "Should not:\n- Contain graphic violence.\nCan:\n- Contain cartoon violence.\n";
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .replaceGuidelines("O2", g)
                .build();
        assertThat(p.render())
                .isEqualTo(Composition.fromGolden()
                        .block("O2: Violence, Harm, or Cruelty", g)
                        .render());
        assertThat(p.categoryById("O2").orElseThrow().guidelines()).isEqualTo(g);
    }

    @Test
    void replacedGuidelinesThenAllowedUseTheNewBullets() {
        String g = "Should not:\n- Contain graphic violence.\nCan:\n- Contain cartoon violence.\n";
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .replaceGuidelines("O2", g)
                .allow("O2")
                .build();
        String block = "Category O2 is declared as non-violating. Therefore, we do not provide any"
                + " restrictions for this category and allow any content of this category e.g.\n"
                + " - Contain graphic violence.\n - Contain cartoon violence.\n ";
        assertThat(p.render())
                .isEqualTo(Composition.fromGolden()
                        .block("O2: Violence, Harm, or Cruelty", block)
                        .render());
    }

    @Test
    void guidelinesWithoutFinalLineBreakGetOne() {
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .replaceGuidelines("O8", "Should not:\n- Contain animal cruelty.")
                .build();
        assertThat(p.render())
                .contains("O8: Animal Cruelty: \nShould not:\n- Contain animal cruelty.\n\nO9: Disasters");
    }

    @Test
    void customCategoryIsAppendedAndListedBeforeNa() {
        String g = "Should not:\n- Contain spoilers of unreleased films.\nCan:\n- Contain trailers.\n";
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .addCategory("C1", "Spoilers", g)
                .build();
        assertThat(p.render())
                .isEqualTo(Composition.fromGolden().block("C1: Spoilers", g).render());
        assertThat(p.categoryLabels()).endsWith("C1: Spoilers", "NA: None applying");
    }

    @Test
    void customCategoryDeclaredNonViolatingOrSensitiveGetsAGeneratedBlock() {
        String g = "Should not:\n- Contain spoilers.\nCan:\n- Contain trailers. \n";
        Policy base = Policy.llavaGuardDefault().toBuilder()
                .addCategory("C1", "Spoilers", g)
                .build();
        String nv = "Category C1 is declared as non-violating. Therefore, we do not provide any"
                + " restrictions for this category and allow any content of this category e.g.\n"
                + " - Contain spoilers.\n - Contain trailers. \n ";
        String se = "Category C1 is declared as sensitive. Therefore, we do not permit any content"
                + " related to this category e.g.\n - Contain spoilers.\n - Contain trailers. \n ";
        assertThat(base.toBuilder().allow("C1").build().render())
                .isEqualTo(Composition.fromGolden().block("C1: Spoilers", nv).render());
        assertThat(base.toBuilder().sensitive("C1").build().render())
                .isEqualTo(Composition.fromGolden().block("C1: Spoilers", se).render());
    }

    @Test
    void labelsWithQuotesAreJsonEscapedInTheTemplate() {
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .addCategory("C1", "The \"bad\" \\ stuff", "Should not:\n- Contain it.\n")
                .build();
        assertThat(p.render())
                .contains("|\"C1: The \\\"bad\\\" \\\\ stuff\"|\"NA: None applying\">,")
                .isEqualTo(Composition.fromGolden()
                        .block("C1: The \"bad\" \\ stuff", "Should not:\n- Contain it.\n")
                        .render());
    }

    @Test
    void v10ExceptionKeepsTheV10LayoutAndTheVerbatimBlock() {
        JsonNode o6 = GoldenFiles.blocks().get("categories").get(5);
        String header = "O6: Weapons or Substance Abuse: \n";
        String v10 = GoldenFiles.text(GoldenFiles.V10);
        String expected = v10.replace(
                header + o6.get("default").asText(),
                header + o6.get("non_violating").asText() + "\n");
        assertThat(expected).isNotEqualTo(v10);
        Policy p = Policy.preset("llavaguard-v1.0").toBuilder().allow("O6").build();
        assertThat(p.render()).isEqualTo(expected);
        // The next header starts its own line, after the block's trailing-space line.
        assertThat(p.render()).contains("their production.\n \nO7: Self-Harm: \n");
    }

    @Test
    void v10CategoryBlocksAreTheV12Blocks() {
        // Basis for reusing the v1.2 exception blocks with v1.0 (see Policy's javadoc).
        Policy v10 = Policy.preset("llavaguard-v1.0");
        Policy v12 = Policy.llavaGuardDefault();
        assertThat(v10.categories()).isEqualTo(v12.categories());
        String v10Text = GoldenFiles.text(GoldenFiles.V10);
        for (JsonNode c : GoldenFiles.blocks().get("categories")) {
            assertThat(v10Text)
                    .contains(c.get("key").asText() + ": \n" + c.get("default").asText());
        }
    }
}
