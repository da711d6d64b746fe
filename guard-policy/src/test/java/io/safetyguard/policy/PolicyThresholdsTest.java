package io.safetyguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-category thresholds in policy files: parsed, checked, saved, and kept out of the prompt. */
class PolicyThresholdsTest {

    @TempDir
    Path dir;

    @Test
    void yamlThresholdsAreReadInCategoryOrderAndLeaveThePromptAlone() throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "preset: llavaguard-v1.2\nthresholds: {O6: 0.9, O3: 0.2}\n");
        Policy p = PolicyFiles.load(file);
        assertThat(p.thresholds()).containsExactly(Map.entry("O3", 0.2), Map.entry("O6", 0.9));
        assertThat(p.fingerprint()).isEqualTo(Policy.llavaGuardDefault().fingerprint());
        assertThat(p).isNotEqualTo(Policy.llavaGuardDefault());
    }

    @Test
    void thresholdsSurviveSavingAsYamlAndJson() {
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .allow("O6")
                .threshold("O3", 0.25)
                .build();
        assertThat(PolicyFiles.toYaml(p)).contains("thresholds:").contains("O3: 0.25");
        assertThat(PolicyFiles.fromYaml(PolicyFiles.toYaml(p), "saved.yaml")).isEqualTo(p);
        assertThat(PolicyFiles.fromJson(PolicyFiles.toJson(p), "saved.json").thresholds())
                .containsExactly(Map.entry("O3", 0.25));
    }

    @Test
    void removingACategoryDropsItsThreshold() {
        Policy p = Policy.llavaGuardDefault().toBuilder()
                .threshold("O3", 0.2)
                .remove("O3")
                .build();
        assertThat(p.thresholds()).isEmpty();
    }

    @Test
    void badThresholdsNameTheFieldAndWhatWasFound() throws Exception {
        Path unknown = dir.resolve("unknown.yaml");
        Files.writeString(unknown, "preset: llavaguard-v1.2\nthresholds: {O42: 0.5}\n");
        assertThatThrownBy(() -> PolicyFiles.load(unknown))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("thresholds.O42")
                .hasMessageContaining("unknown category 'O42'");
        Path range = dir.resolve("range.yaml");
        Files.writeString(range, "preset: llavaguard-v1.2\nthresholds: {O3: 1.2}\n");
        assertThatThrownBy(() -> PolicyFiles.load(range))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("thresholds.O3")
                .hasMessageContaining("[0, 1], got 1.2");
        Path text = dir.resolve("text.yaml");
        Files.writeString(text, "preset: llavaguard-v1.2\nthresholds: {O3: high}\n");
        assertThatThrownBy(() -> PolicyFiles.load(text))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining(text.toString());
    }
}
