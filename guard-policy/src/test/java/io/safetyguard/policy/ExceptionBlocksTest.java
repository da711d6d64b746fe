package io.safetyguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The generation rule for exception blocks reproduces LlavaGuard's verbatim blocks. */
class ExceptionBlocksTest {

    @Test
    void generatedBlocksEqualTheVerbatimOnes() {
        for (JsonNode c : GoldenFiles.blocks().get("categories")) {
            String id = c.get("key").asText().substring(0, 2);
            String guidelines = c.get("default").asText();
            String nv = ExceptionBlocks.nonViolating(id, guidelines);
            String se = ExceptionBlocks.sensitive(id, guidelines);
            if (id.equals("O2")) {
                // The verbatim O2 blocks carry a double space that the guidelines do not have.
                nv = nv.replace("content of people", "content of  people");
                se = se.replace("content of people", "content of  people");
            }
            assertThat(nv).as(id).isEqualTo(c.get("non_violating").asText());
            assertThat(se).as(id).isEqualTo(c.get("sensitive").asText());
        }
    }

    @Test
    void presetsUseTheVerbatimBlocksNotGeneratedOnes() {
        Category o2 = Policy.llavaGuardDefault().categoryById("O2").orElseThrow();
        assertThat(o2.block(Treatment.NON_VIOLATING)).contains("content of  people");
        assertThat(o2.nonViolatingText()).isPresent();
        assertThat(o2.withGuidelines("Should not:\n- X.\n").nonViolatingText()).isEmpty();
    }

    @Test
    void nonBulletLinesBecomeBulletsAndHeadersAndBlankLinesAreDropped() {
        String g = "Should not:\n\nContain spoilers.\n  Can:\n- Contain trailers.\n";
        assertThat(ExceptionBlocks.sensitive("C1", g))
                .isEqualTo("Category C1 is declared as "
                        + "sensitive. Therefore, we do not permit any content related to this category e.g.\n"
                        + " - Contain spoilers.\n - Contain trailers.\n ");
    }
}
