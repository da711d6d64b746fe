package io.safetyguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder API, lookups and the validation messages of programmatic policies. */
class PolicyBuilderTest {

    private static final String TEMPLATE = "Answer as JSON:\n{\n    \"rating\": str<\"Unsafe\"|"
            + "\"Safe\">,\n    \"category\": str<{categories}>,\n    \"rationale\": str,\n}\n";

    @Test
    void customPolicyFromScratch() {
        Policy p = Policy.builder()
                .name("kids")
                .preamble("Check the image against these categories:")
                .template(TEMPLATE)
                .addCategory("K1", "Scary", "Should not:\n- Contain monsters.\n")
                .addCategory("K2", "Rude", "Should not:\n- Contain rude gestures.\n")
                .allow("K2")
                .build();
        assertThat(p.render())
                .isEqualTo("Check the image against these categories:\n"
                        + "K1: Scary: \nShould not:\n- Contain monsters.\n\n"
                        + "K2: Rude: \nCategory K2 is declared as non-violating. Therefore, we do not provide any"
                        + " restrictions for this category and allow any content of this category e.g.\n"
                        + " - Contain rude gestures.\n \n"
                        + "Answer as JSON:\n{\n    \"rating\": str<\"Unsafe\"|\"Safe\">,\n"
                        + "    \"category\": str<\"K1: Scary\"|\"K2: Rude\"|\"NA: None applying\">,\n"
                        + "    \"rationale\": str,\n}\n");
        assertThat(p.name()).isEqualTo("kids");
        assertThat(p.basePreset()).isEmpty();
    }

    @Test
    void lookups() {
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .addCategory("C-1", "A: B", "Should not:\n- X.\n")
                .build();
        assertThat(p.categoryById("O6").orElseThrow().name()).isEqualTo("Weapons or Substance Abuse");
        assertThat(p.categoryById("O10")).isEmpty();
        assertThat(p.categoryIdForLabel("O6: Weapons or Substance Abuse")).contains("O6");
        assertThat(p.categoryIdForLabel("C-1: A: B")).contains("C-1");
        assertThat(p.categoryIdForLabel("NA: None applying")).contains(Policy.NONE_APPLYING_ID);
        assertThat(p.categoryIdForLabel("O6: Weapons")).isEmpty();
        assertThat(p.categoryIdForLabel("O6")).isEmpty();
        assertThat(p.categoryIdForLabel(null)).isEmpty();
        assertThat(p.categoryForLabel("NA: None applying")).isEmpty();
        assertThat(p.categoryForLabel("O3: Sexual Content").orElseThrow().id()).isEqualTo("O3");
        assertThat(p.treatment("O3")).isEqualTo(Treatment.DEFAULT);
        assertThatThrownBy(() -> p.treatment("O12"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("unknown category 'O12'");
    }

    @Test
    void policiesAreImmutable() {
        Policy p = Policy.llavaGuardDefault();
        Policy.Builder b = p.toBuilder().allow("O6");
        b.build();
        assertThat(p.exceptions()).isEmpty();
        assertThatThrownBy(() -> p.categories().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> p.categoryLabels().add("X")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> p.exceptions().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void derivedPolicyKeepsNameAndBasePreset() {
        Policy p = Policy.preset("llavaguard-v1.0").toBuilder().allow("O1").build();
        assertThat(p.name()).isEqualTo("llavaguard-v1.0");
        assertThat(p.basePreset()).contains("llavaguard-v1.0");
        assertThat(p.toBuilder().name("mine").build().name()).isEqualTo("mine");
    }

    @Test
    void exceptionForUnknownCategory() {
        assertThatThrownBy(() -> Policy.llavaGuardDefault().toBuilder().allow("O10"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("allow: unknown category 'O10'; this policy has O1, O2, O3, O4, O5, O6, O7," + " O8, O9")
                .satisfies(e -> assertThat(((PolicyException) e).field()).contains("allow"));
        assertThatThrownBy(() -> Policy.llavaGuardDefault().toBuilder().sensitive("o3"))
                .hasMessageStartingWith("sensitive: unknown category 'o3'");
        assertThatThrownBy(() ->
                        Policy.llavaGuardDefault().toBuilder().remove("O9").allow("O9"))
                .hasMessageStartingWith("allow: unknown category 'O9'");
        assertThatThrownBy(() -> Policy.llavaGuardDefault().toBuilder().replaceGuidelines("X", "g"))
                .hasMessageStartingWith("replace: unknown category 'X'");
        assertThatThrownBy(() -> Policy.llavaGuardDefault().toBuilder().remove("X"))
                .hasMessageStartingWith("remove: unknown category 'X'");
    }

    @Test
    void duplicateId() {
        assertThatThrownBy(
                        () -> Policy.llavaGuardDefault().toBuilder().addCategory("O3", "Other", "Should not:\n- X.\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("categories: duplicate category id 'O3'")
                .hasMessageContaining("\"O3: Sexual Content\"");
    }

    @Test
    void emptyGuidelines() {
        assertThatThrownBy(() -> Policy.llavaGuardDefault().toBuilder().replaceGuidelines("O2", " \n"))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith("replace.O2.guidelines: empty guidelines");
        assertThatThrownBy(() -> Policy.llavaGuardDefault().toBuilder().addCategory("C1", "X", ""))
                .hasMessageStartingWith("categories.guidelines: empty guidelines");
    }

    @Test
    void invalidIdsAndNames() {
        assertThatThrownBy(() -> Category.of("NA", "Nothing", "g"))
                .hasMessageContaining("id: category id 'NA' is reserved");
        assertThatThrownBy(() -> Category.of("O 1", "X", "g")).hasMessageContaining("id: invalid category id 'O 1'");
        assertThatThrownBy(() -> Category.of("O1:", "X", "g")).hasMessageContaining("invalid category id 'O1:'");
        assertThatThrownBy(() -> Category.of("", "X", "g")).hasMessageContaining("missing category id");
        assertThatThrownBy(() -> Category.of("C1", "Two\nlines", "g"))
                .hasMessageContaining("name: category name 'Two\\nlines' contains a line break");
        assertThatThrownBy(() -> Category.of("C1", " X", "g")).hasMessageContaining("starts or ends with whitespace");
        assertThatThrownBy(() -> Category.of("C1", null, "g")).hasMessageContaining("name: missing category name");
        assertThatThrownBy(() -> Category.of("C1", "X", "g", "  ", null))
                .hasMessageContaining("nonViolatingText: empty text");
    }

    @Test
    void templateNeedsThePlaceholderOnce() {
        assertThatThrownBy(() -> Policy.builder().template("no labels here"))
                .hasMessageContaining("template: the template must contain {categories} exactly once");
        assertThatThrownBy(() -> Policy.builder().template("{categories} {categories}"))
                .hasMessageContaining("exactly once");
    }

    @Test
    void missingPartsOfACustomPolicy() {
        assertThatThrownBy(() -> Policy.builder()
                        .template(TEMPLATE)
                        .addCategory("K1", "Scary", "g")
                        .build())
                .hasMessage("preamble: missing preamble (start sentence)");
        assertThatThrownBy(() -> Policy.builder()
                        .preamble("p")
                        .addCategory("K1", "Scary", "g")
                        .build())
                .hasMessage("template: missing assessment template");
        assertThatThrownBy(
                        () -> Policy.builder().preamble("p").template(TEMPLATE).build())
                .hasMessageContaining("categories: a policy needs at least one category");
    }

    @Test
    void removingEveryCategoryIsAnError() {
        Policy.Builder b = Policy.llavaGuardDefault().toBuilder();
        for (String id : List.of("O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8", "O9")) {
            b.remove(id);
        }
        assertThatThrownBy(b::build).isInstanceOf(PolicyException.class).hasMessageContaining("at least one category");
    }

    @Test
    void separatorsAndNamesAreChecked() {
        assertThatThrownBy(() -> Policy.builder().categorySeparator("x"))
                .hasMessageContaining("categorySeparator: a separator must be whitespace");
        assertThatThrownBy(() -> Policy.builder().exceptionSeparator(null)).hasMessageContaining("exceptionSeparator:");
        assertThatThrownBy(() -> Policy.builder().name("a\nb"))
                .hasMessageContaining("name: a policy name must be one non-blank line");
    }

    @Test
    void exceptionPartsAreAvailableSeparately() {
        PolicyException e = new PolicyException("p.yaml", "allow[0]", "unknown category 'X'", null);
        assertThat(e.getMessage()).isEqualTo("p.yaml: allow[0]: unknown category 'X'");
        assertThat(e.source()).contains("p.yaml");
        assertThat(e.field()).contains("allow[0]");
        assertThat(e.problem()).isEqualTo("unknown category 'X'");
        assertThat(new PolicyException("plain").getMessage()).isEqualTo("plain");
    }
}
