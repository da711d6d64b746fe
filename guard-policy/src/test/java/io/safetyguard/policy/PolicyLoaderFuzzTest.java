package io.safetyguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the policy loader ({@link PolicyFiles#fromJson} and {@link
 * PolicyFiles#fromYaml}) with Jazzer. Any text must load into a usable {@link Policy} or be
 * rejected with a {@link PolicyException}; any other exception, a {@link StackOverflowError}, an
 * {@link OutOfMemoryError} or an input slower than the timeout is a finding. A policy that loads
 * must also render, fingerprint, give a grammar and schema, and survive a save/load round trip
 * with the same prompt (what {@link PolicyFiles} promises).
 *
 * <p>The input bytes are read as UTF-8; the seeds are plain policy files under {@code
 * src/test/resources/io/safetyguard/policy/PolicyLoaderFuzzTestInputs/<method>/}. A plain {@code
 * mvn test} runs only those seeds; to fuzz, see docs/reliability.md.
 */
class PolicyLoaderFuzzTest {

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void json(byte[] data) {
        Policy policy;
        try {
            policy = PolicyFiles.fromJson(new String(data, StandardCharsets.UTF_8), "fuzz.json");
        } catch (PolicyException e) {
            assertThat(e.getMessage()).startsWith("fuzz.json: ");
            return;
        }
        checkUsable(policy);
    }

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void yaml(byte[] data) {
        Policy policy;
        try {
            policy = PolicyFiles.fromYaml(new String(data, StandardCharsets.UTF_8), "fuzz.yaml");
        } catch (PolicyException e) {
            assertThat(e.getMessage()).startsWith("fuzz.yaml: ");
            return;
        }
        checkUsable(policy);
    }

    private static void checkUsable(Policy policy) {
        String prompt = policy.render();
        assertThat(prompt).isNotEmpty();
        assertThat(policy.fingerprint()).isNotEmpty();
        assertThat(policy.categoryLabels()).isNotEmpty();
        assertThat(VerdictGrammar.gbnf(policy, false)).isNotEmpty();
        assertThat(VerdictGrammar.jsonSchema(policy)).isNotEmpty();
        assertThat(PolicyFiles.fromJson(PolicyFiles.toJson(policy), "saved.json")
                        .render())
                .isEqualTo(prompt);
        assertThat(PolicyFiles.fromYaml(PolicyFiles.toYaml(policy), "saved.yaml")
                        .render())
                .isEqualTo(prompt);
    }
}
