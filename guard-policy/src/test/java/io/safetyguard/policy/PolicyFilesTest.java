package io.safetyguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Loading and saving policy files, and the error messages of invalid ones. */
class PolicyFilesTest {

    @TempDir
    Path dir;

    static final String TRICKY = "Should not:\n- Contain \"quoted\" text, a back\\slash and a tab\t.  \n"
            + "   - indented bullet\nCan:\n- Contain émojis ✓ and 日本語.\n\n- After a blank line.\n";

    static Stream<Policy> policies() {
        Policy v12 = Policy.llavaGuardDefault();
        return Stream.of(
                v12,
                Policy.preset("llavaguard-v1.0"),
                v12.toBuilder().allow("O6").build(),
                v12.toBuilder().sensitive("O3").allow("O1").build(),
                v12.toBuilder().replaceGuidelines("O2", TRICKY).allow("O2").build(),
                v12.toBuilder().remove("O9").remove("O4").build(),
                v12.toBuilder()
                        .addCategory("C1", "Quotes \"and\" \\ slashes", TRICKY)
                        .sensitive("C1")
                        .build(),
                v12.toBuilder()
                        .remove("O3")
                        .addCategory("O3", "Sexual Content", TRICKY)
                        .build(),
                v12.toBuilder().name("renamed").allow("O7").build(),
                Policy.preset("llavaguard-v1.0").toBuilder()
                        .allow("O6")
                        .sensitive("O2")
                        .addCategory("C1", "Custom", "Should not:\n- X.\n")
                        .build(),
                v12.toBuilder().preamble("Another start sentence:\n").build(),
                v12.toBuilder()
                        .addCategory(Category.of(
                                "C2", "Verbatim", "Should not:\n- X.\n", "Explicit non-violating text.\n ", null))
                        .allow("C2")
                        .build(),
                Policy.builder()
                        .name("scratch")
                        .preamble("Start:\n")
                        .categorySeparator("")
                        .exceptionSeparator("\n")
                        .template("T <{categories}>\n")
                        .addCategory("K1", "Scary", TRICKY)
                        .allow("K1")
                        .build());
    }

    @ParameterizedTest
    @MethodSource("policies")
    void jsonRoundTrip(Policy p) {
        Policy back = PolicyFiles.fromJson(PolicyFiles.toJson(p), "mem.json");
        assertThat(back.render()).isEqualTo(p.render());
        assertThat(back).isEqualTo(p);
        assertThat(back.fingerprint()).isEqualTo(p.fingerprint());
    }

    @ParameterizedTest
    @MethodSource("policies")
    void yamlRoundTrip(Policy p) {
        Policy back = PolicyFiles.fromYaml(PolicyFiles.toYaml(p), "mem.yaml");
        assertThat(back.render()).isEqualTo(p.render());
        assertThat(back).isEqualTo(p);
    }

    @ParameterizedTest
    @MethodSource("policies")
    void saveAndLoadByExtension(Policy p) {
        for (String file : List.of("p.json", "p.yaml", "p.yml", "P.JSON")) {
            Path path = dir.resolve(file);
            PolicyFiles.save(p, path);
            assertThat(PolicyFiles.load(path).render()).as(file).isEqualTo(p.render());
        }
    }

    @Test
    void derivedPoliciesAreSavedAsPresetPlusChanges() throws IOException {
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .allow("O6")
                .sensitive("O3")
                .remove("O9")
                .replaceGuidelines("O2", "Should not:\n- X.\n")
                .addCategory("C1", "Spoilers", "Should not:\n- Contain spoilers.\n")
                .build();
        JsonNode json = new ObjectMapper().readTree(PolicyFiles.toJson(p));
        assertThat(json.get("preset").asText()).isEqualTo("llavaguard-v1.2");
        assertThat(json.has("preamble")).isFalse();
        assertThat(json.has("name")).isFalse();
        assertThat(json.get("allow").toString()).isEqualTo("[\"O6\"]");
        assertThat(json.get("sensitive").toString()).isEqualTo("[\"O3\"]");
        assertThat(json.get("remove").toString()).isEqualTo("[\"O9\"]");
        assertThat(json.get("replace").get("O2").asText()).isEqualTo("Should not:\n- X.\n");
        assertThat(json.get("categories").get(0).get("id").asText()).isEqualTo("C1");
        assertThat(PolicyFiles.toYaml(Policy.llavaGuardDefault())).isEqualTo("preset: llavaguard-v1.2\n");
        assertThat(PolicyFiles.toJson(Policy.llavaGuardDefault()))
                .isEqualTo("{\n  \"preset\": \"llavaguard-v1.2\"\n}\n");
    }

    @Test
    void policiesWithAnotherSkeletonAreSavedInFull() throws IOException {
        Policy p = Policy.llavaGuardDefault().toBuilder().preamble("Other:\n").build();
        JsonNode json = new ObjectMapper().readTree(PolicyFiles.toJson(p));
        assertThat(json.has("preset")).isFalse();
        assertThat(json.get("preamble").asText()).isEqualTo("Other:\n");
        assertThat(json.get("categories")).hasSize(9);
        assertThat(json.get("categories").get(1).get("nonViolatingText").asText())
                .contains("content of  people");
    }

    @Test
    void presetResourcesAreFullPolicyFiles() throws IOException {
        try (var in = Policy.class.getResourceAsStream("presets/llavaguard-v1.0.json")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(PolicyFiles.fromJson(text, "v1.0").render()).isEqualTo(GoldenFiles.text(GoldenFiles.V10));
        }
    }

    @Test
    void exampleFileFromTheIssue() {
        String json = "{ \"preset\": \"llavaguard-v1.2\", \"allow\": [\"O6\"], \"sensitive\": [\"O3\"],"
                + " \"remove\": [\"O9\"], \"replace\": {\"O2\": \"Should not:\\n- Contain gore.\\n\"},"
                + " \"categories\": [{\"id\": \"C1\", \"name\": \"Spoilers\","
                + " \"guidelines\": \"Should not:\\n- Contain spoilers.\\n\"}],"
                + " \"description\": \"a comment\" }";
        String expected = Composition.fromGolden()
                .variant("O6: Weapons or Substance Abuse", "non_violating")
                .variant("O3: Sexual Content", "sensitive")
                .remove("O9: Disasters or Emergencies")
                .block("O2: Violence, Harm, or Cruelty", "Should not:\n- Contain gore.\n")
                .block("C1: Spoilers", "Should not:\n- Contain spoilers.\n")
                .render();
        assertThat(PolicyFiles.fromJson(json, "issue.json").render()).isEqualTo(expected);
    }

    @Test
    void yamlExample() throws IOException {
        Path file = dir.resolve("policy.yml");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "name: kids-app",
                        "preset: llavaguard-v1.2",
                        "allow: [O6]",
                        "categories:",
                        "  - id: C1",
                        "    name: Spoilers",
                        "    guidelines: |",
                        "      Should not:",
                        "      - Contain spoilers.",
                        ""));
        Policy p = PolicyFiles.load(file);
        assertThat(p.name()).isEqualTo("kids-app");
        assertThat(p.treatment("O6")).isEqualTo(Treatment.NON_VIOLATING);
        assertThat(p.categoryById("C1").orElseThrow().guidelines()).isEqualTo("Should not:\n- Contain spoilers.\n");
    }

    // ---- validation errors: each names the file, the field and the problem ----

    private AbstractThrowableAssert<?, ? extends Throwable> loadingJson(String json) {
        Path file = dir.resolve("bad.json");
        try {
            Files.writeString(file, json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return assertThatThrownBy(() -> PolicyFiles.load(file))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith(file + ": ");
    }

    private AbstractThrowableAssert<?, ? extends Throwable> loadingYaml(String yaml) {
        Path file = dir.resolve("bad.yaml");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return assertThatThrownBy(() -> PolicyFiles.load(file))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith(file + ": ");
    }

    @Test
    void unknownPreset() {
        loadingJson("{\"preset\": \"llavaguard-v9\"}")
                .hasMessageContaining(": preset: unknown preset 'llavaguard-v9'; known presets: "
                        + "llavaguard-v1.2, llavaguard-v1.0");
    }

    @Test
    void unknownField() {
        loadingJson("{\"preset\": \"llavaguard-v1.2\",\n \"allowed\": [\"O6\"]}")
                .hasMessageContaining(": allowed: unknown field 'allowed'; known fields: name, ")
                .hasMessageContaining("(line 2, column");
        loadingYaml("preset: llavaguard-v1.2\ncategories:\n  - id: C1\n    name: X\n" + "    guideline: oops\n")
                .hasMessageContaining(
                        ": categories[0].guideline: unknown field 'guideline'; known fields:" + " id, name, guidelines")
                .hasMessageContaining("line 5");
    }

    @Test
    void wrongTypes() {
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"allow\": \"O6\"}")
                .hasMessageContaining(": allow: wrong type: expected a list of category ids");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"replace\": {\"O2\": 5}}")
                .hasMessageContaining(": replace.O2: wrong type: expected text");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"replace\": [\"O2\"]}")
                .hasMessageContaining(": replace: wrong type: expected an object mapping category ids");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"categories\": [\"C1\"]}")
                .hasMessageContaining(": categories[0]: wrong type: expected a category object");
        loadingJson("{\"preset\": true}").hasMessageContaining(": preset: wrong type: expected text");
        loadingJson("[\"llavaguard-v1.2\"]").hasMessageContaining("wrong type: expected an object with fields name, ");
        loadingYaml("preset: llavaguard-v1.2\nallow: O6\n")
                .hasMessageContaining(": allow: wrong type: expected a list of category ids")
                .hasMessageContaining("line 2");
    }

    @Test
    void duplicateIds() {
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"categories\": [{\"id\": \"O1\","
                        + " \"name\": \"X\", \"guidelines\": \"g\"}]}")
                .hasMessageContaining(": categories[0]: duplicate category id 'O1'");
        loadingYaml("preset: llavaguard-v1.2\ncategories:\n"
                        + "  - {id: C1, name: A, guidelines: g}\n  - {id: C1, name: B, guidelines: g}\n")
                .hasMessageContaining(": categories[1]: duplicate category id 'C1'");
    }

    @Test
    void emptyGuidelineAndMissingFields() {
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"categories\": [{\"id\": \"C1\","
                        + " \"name\": \"X\", \"guidelines\": \"  \"}]}")
                .hasMessageContaining(": categories[0].guidelines: empty guidelines");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"categories\": [{\"id\": \"C1\"," + " \"name\": \"X\"}]}")
                .hasMessageContaining(": categories[0].guidelines: empty guidelines");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"categories\": [{\"name\": \"X\","
                        + " \"guidelines\": \"g\"}]}")
                .hasMessageContaining(": categories[0].id: missing category id");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"replace\": {\"O2\": \"\"}}")
                .hasMessageContaining(": replace.O2: empty guidelines");
    }

    @Test
    void exceptionsForUnknownCategories() {
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"allow\": [\"O6\", \"O12\"]}")
                .hasMessageContaining(": allow[1]: unknown category 'O12'; this policy has O1, O2");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"sensitive\": [\"X\"]}")
                .hasMessageContaining(": sensitive[0]: unknown category 'X'");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"remove\": [\"O9\"], \"allow\": [\"O9\"]}")
                .hasMessageContaining(": allow[0]: unknown category 'O9'");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"replace\": {\"O10\": \"g\"}}")
                .hasMessageContaining(": replace.O10: unknown category 'O10'");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"remove\": [\"O1\", \"O1\"]}")
                .hasMessageContaining(": remove[1]: category 'O1' is listed twice");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"allow\": [\"O1\"], \"sensitive\": [\"O1\"]}")
                .hasMessageContaining(": sensitive[0]: category 'O1' is listed under both allow and " + "sensitive");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"allow\": [null]}")
                .hasMessageContaining(": allow[0]: expected a category id, got null");
    }

    @Test
    void malformedText() {
        loadingJson("{\"preset\": \"llavaguard-v1.2\",,\n}")
                .hasMessageContaining(": malformed JSON: ")
                .hasMessageContaining("(line 1, column");
        loadingJson("{\"preset\": \"llavaguard-v1.2\"").hasMessageContaining(": malformed JSON: ");
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"preset\": \"llavaguard-v1.0\"}")
                .hasMessageContaining("malformed JSON: Duplicate field 'preset'");
        loadingYaml("preset: llavaguard-v1.2\nallow: [O6\nsensitive: [O3]\n")
                .hasMessageContaining(": malformed YAML: ")
                .hasMessageMatching("(?s).*\\(line \\d+, column \\d+\\).*");
        loadingYaml("preset: llavaguard-v1.2\npreset: llavaguard-v1.0\n")
                .hasMessageContaining("Duplicate field 'preset'");
    }

    @Test
    void emptyAndUnreadableFiles() throws IOException {
        loadingJson("").hasMessageContaining(": empty policy file");
        loadingYaml("# only a comment\n").hasMessageContaining(": empty policy file");
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> PolicyFiles.load(missing)).hasMessage(missing + ": file not found");
        Path txt = dir.resolve("policy.txt");
        Files.writeString(txt, "{}");
        assertThatThrownBy(() -> PolicyFiles.load(txt))
                .hasMessage(txt + ": unsupported file extension; use .json, .yaml or .yml");
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "name: caf\u00e9\npreset: llavaguard-v1.2\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> PolicyFiles.load(latin1))
                .hasMessage(latin1 + ": not UTF-8 text; save the file as UTF-8");
    }

    @Test
    void presetOrSkeletonButNotBoth() {
        loadingJson("{\"preset\": \"llavaguard-v1.2\", \"preamble\": \"x\"}")
                .hasMessageContaining(": preamble: a policy file either names a preset or defines "
                        + "preamble and template, not both");
        loadingJson("{\"allow\": [\"O6\"]}")
                .hasMessageContaining(": preset: missing: name a preset (llavaguard-v1.2, "
                        + "llavaguard-v1.0) or define preamble, template and categories");
        loadingJson("{\"preamble\": \"Start:\", \"categories\": [{\"id\": \"K1\", \"name\": \"K\","
                        + " \"guidelines\": \"g\"}]}")
                .hasMessageContaining(": template: missing template");
        loadingJson("{\"preamble\": \"Start:\", \"template\": \"no placeholder\","
                        + " \"categories\": [{\"id\": \"K1\", \"name\": \"K\", \"guidelines\": \"g\"}]}")
                .hasMessageContaining(": template: the template must contain {categories} exactly once");
        loadingJson("{\"preamble\": \"Start:\", \"template\": \"<{categories}>\"}")
                .hasMessageContaining(": categories: a policy needs at least one category");
    }

    @Test
    void invalidCategoryIdAndName() {
        loadingYaml("preset: llavaguard-v1.2\ncategories:\n  - id: NA\n    name: X\n    guidelines: g\n")
                .hasMessageContaining(": categories[0].id: category id 'NA' is reserved");
        loadingYaml("preset: llavaguard-v1.2\ncategories:\n  - id: C1\n    name: \"a\\nb\"\n" + "    guidelines: g\n")
                .hasMessageContaining(": categories[0].name: category name 'a\\nb' contains a line break");
    }

    @Test
    void stringSourcesAreNamedInMessages() {
        assertThatThrownBy(() -> PolicyFiles.fromYaml("preset: nope\n", "settings:policy"))
                .hasMessageStartingWith("settings:policy: preset: unknown preset 'nope'");
    }
}
