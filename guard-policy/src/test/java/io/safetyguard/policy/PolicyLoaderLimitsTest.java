package io.safetyguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy loader against hostile text: alias bombs, deep nesting and oversized files must fail
 * fast with a {@link PolicyException} that says what to do, never with a StackOverflowError, an
 * OutOfMemoryError or a long stall. See also {@code PolicyLoaderFuzzTest}.
 */
class PolicyLoaderLimitsTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(10)
    void billionLaughsIsRefusedWithoutExpanding() {
        StringBuilder lol = new StringBuilder("preset: llavaguard-v1.2\n");
        lol.append("description: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            lol.append("x").append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                lol.append(i > 0 ? ", " : "").append('*').append((char) (c - 1));
            }
            lol.append("]\n");
        }
        assertThatThrownBy(() -> PolicyFiles.fromYaml(lol.toString(), "lol.yaml"))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith("lol.yaml: ");
        String inFields = "preset: llavaguard-v1.2\nremove: &a [O1, O1, O1, O1, O1, O1, O1, O1, O1]\n"
                + "allow: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n";
        assertThatThrownBy(() -> PolicyFiles.fromYaml(inFields, "lol.yaml"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("lol.yaml: YAML aliases (*a) are not supported in policy files;"
                        + " write the value out in full (line 3, column 9)");
    }

    @Test
    void aliasesAreRefusedInsteadOfBecomingTheAnchorName() {
        // Jackson does not expand aliases: without the check, "name" would silently be "p".
        assertThatThrownBy(() -> PolicyFiles.fromYaml("preset: &p llavaguard-v1.2\nname: *p\n", "a.yaml"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("a.yaml: YAML aliases (*p) are not supported in policy files;"
                        + " write the value out in full (line 2, column 7)");
        assertThatThrownBy(() -> PolicyFiles.fromYaml("preset: llavaguard-v1.2\ndescription: &x [*x]\n", "r.yaml"))
                .isInstanceOf(PolicyException.class);
        // An anchor that nothing refers to is harmless.
        assertThat(PolicyFiles.fromYaml("preset: llavaguard-v1.2\nname: &n kids\n", "n.yaml")
                        .name())
                .isEqualTo("kids");
    }

    @Test
    @Timeout(10)
    void deepNestingFailsAtTheFirstBracket() {
        int depth = 200_000;
        String deepList = "[".repeat(depth) + "]".repeat(depth);
        String deepMap = "{\"a\": ".repeat(depth) + "1" + "}".repeat(depth);
        assertThatThrownBy(() -> PolicyFiles.fromJson("{\"description\": " + deepList + "}", "deep.json"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("deep.json: description: wrong type: expected text (a string) (line 1, column 17)");
        assertThatThrownBy(() -> PolicyFiles.fromJson("{\"replace\": " + deepMap + "}", "deep.json"))
                .isInstanceOf(PolicyException.class);
        assertThatThrownBy(() -> PolicyFiles.fromYaml("preset: llavaguard-v1.2\ndescription: " + deepList, "deep.yaml"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("description: wrong type");
        assertThatThrownBy(() -> PolicyFiles.fromYaml("categories: " + deepList, "deep.yaml"))
                .isInstanceOf(PolicyException.class);
        StringBuilder block = new StringBuilder("preset: llavaguard-v1.2\nreplace:\n");
        for (int i = 1; i <= 2_000; i++) {
            block.append(" ".repeat(i)).append("k").append(i).append(":\n");
        }
        assertThatThrownBy(() -> PolicyFiles.fromYaml(block.toString(), "block.yaml"))
                .isInstanceOf(PolicyException.class);
    }

    @Test
    @Timeout(10)
    void oversizedPolicyTextIsRefusedBeforeParsing() {
        String huge = "preset: llavaguard-v1.2\nname: " + "x".repeat(PolicyFiles.MAX_POLICY_CHARS) + "\n";
        assertThatThrownBy(() -> PolicyFiles.fromYaml(huge, "big.yaml"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("big.yaml: policy too long: " + huge.length() + " characters, the limit is 1048576"
                        + " characters; a policy is prompt text and must fit the model's context");
        String json =
                "{\"preset\": \"llavaguard-v1.2\", \"name\": \"" + "x".repeat(PolicyFiles.MAX_POLICY_CHARS) + "\"}";
        assertThatThrownBy(() -> PolicyFiles.fromJson(json, "big.json"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("policy too long");
    }

    @Test
    @Timeout(10)
    void oversizedPolicyFileIsRefusedWithoutReadingIt() throws IOException {
        Path file = dir.resolve("huge.yaml");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(1L << 31); // sparse: 2 GiB that would not fit in a String
        }
        assertThatThrownBy(() -> PolicyFiles.load(file))
                .isInstanceOf(PolicyException.class)
                .hasMessage(file + ": policy too long: 2147483648 bytes, the limit is 1048576 characters;"
                        + " a policy is prompt text and must fit the model's context");
        Files.delete(file);
    }

    @Test
    void aPolicyJustUnderTheLimitStillLoads() {
        String guidelines = "Should not:\\n- " + "y".repeat(PolicyFiles.MAX_POLICY_CHARS - 200) + "\\n";
        String json = "{\"preset\": \"llavaguard-v1.2\", \"replace\": {\"O1\": \"" + guidelines + "\"}}";
        assertThat(json.length()).isLessThanOrEqualTo(PolicyFiles.MAX_POLICY_CHARS);
        assertThat(PolicyFiles.fromJson(json, "edge.json")
                        .categoryById("O1")
                        .orElseThrow()
                        .guidelines())
                .hasSize(PolicyFiles.MAX_POLICY_CHARS - 200 + 15);
    }

    /** Found by PolicyLoaderFuzzTest: a saved policy rendered another prompt than the loaded one. */
    @Test
    void unpairedSurrogateEscapesAreRefused() {
        assertThatThrownBy(() -> PolicyFiles.fromJson(
                        "{\"preset\": \"llavaguard-v1.2\", \"replace\": {\"O1\": \"Should not:\\n- x \\ud801\\n\"}}",
                        "s.json"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("s.json: replace.O1: contains an unpaired surrogate (\\ud801); text must be valid"
                        + " Unicode, so \\u escapes of surrogates must come in high-low pairs");
        assertThatThrownBy(() -> PolicyFiles.fromYaml("preset: llavaguard-v1.2\nname: \"kids \\uDC00\"\n", "s.yaml"))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith("s.yaml: name: contains an unpaired surrogate (\\udc00)");
        Policy emoji =
                PolicyFiles.fromJson("{\"preset\": \"llavaguard-v1.2\", \"name\": \"kids \\ud83d\\ude00\"}", "e.json");
        assertThat(emoji.name()).isEqualTo("kids \ud83d\ude00");
        assertThat(PolicyFiles.fromJson(PolicyFiles.toJson(emoji), "e2.json").render())
                .isEqualTo(emoji.render());
    }

    /**
     * Found by PolicyLoaderFuzzTest: a NEL (U+0085) written into a YAML literal block reads back as
     * a line break, so the saved policy rendered another prompt. Such policies are saved quoted.
     */
    @Test
    void savedYamlKeepsNextLineCharacters() {
        Policy p = PolicyFiles.fromYaml(
                "preset: llavaguard-v1.2\nreplace:\n  O1: \"Should not:\\n- a\\Nb\\n\"\n", "nel.yaml");
        assertThat(p.categoryById("O1").orElseThrow().guidelines()).isEqualTo("Should not:\n- a\u0085b\n");
        String saved = PolicyFiles.toYaml(p);
        assertThat(saved).contains("\\N").doesNotContain("\u0085");
        assertThat(PolicyFiles.fromYaml(saved, "saved.yaml").render()).isEqualTo(p.render());
        assertThat(PolicyFiles.toYaml(
                        Policy.llavaGuardDefault().toBuilder().allow("O6").build()))
                .as("ordinary policies keep the readable form")
                .isEqualTo("preset: llavaguard-v1.2\nallow:\n- O6\n");
    }
}
