package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandTest {

    /**
     * The verbatim LlavaGuard policy texts, from this module's test resources ({@code golden/}; the same bytes as
     * guard-policy's golden copies, see docs/reference.md §3.2, §3.3).
     */
    static byte[] golden(String name) throws IOException {
        try (InputStream in = PolicyCommandTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in)
                    .as("golden policy file %s in src/test/resources/golden/", name)
                    .isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void showPrintsTheDefaultPolicyByteForByte() throws IOException {
        CliRun run = CliRun.of("policy", "show");
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo(golden("llavaguard-default-policy-v1.2.txt"));
    }

    @Test
    void showPrintsTheV10PresetByteForByte() throws IOException {
        CliRun run = CliRun.of("policy", "show", "--preset", "llavaguard-v1.0");
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo(golden("llavaguard-default-policy-v1.0.txt"));
    }

    @Test
    void allowAndSensitiveSwapInTheExceptionBlocks() {
        String text = CliRun.of("policy", "show", "--allow", "O6", "--sensitive", "O3")
                .stdoutText();
        assertThat(text).contains("Category O6 is declared as non-violating.");
        assertThat(text).contains("Category O3 is declared as sensitive.");
        assertThat(text).doesNotContain("Category O1 is declared");
    }

    @Test
    void unknownCategoryIsBadInput() {
        CliRun run = CliRun.of("policy", "show", "--allow", "O42");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("O42");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void unknownPresetIsBadInput() {
        CliRun run = CliRun.of("policy", "show", "--preset", "nope");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("nope").contains("llavaguard-v1.2");
    }

    @Test
    void presetAndPolicyFileAreMutuallyExclusive(@TempDir Path dir) {
        CliRun run = CliRun.of(
                "policy",
                "show",
                "--preset",
                "llavaguard-v1.2",
                "--policy",
                dir.resolve("p.json").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("mutually exclusive");
    }

    @Test
    void validateAcceptsAGoodFileAndShowUsesIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("platform.yaml");
        Files.writeString(file, "preset: llavaguard-v1.2\nallow: [O6]\n");
        CliRun valid = CliRun.of("policy", "validate", file.toString());
        assertThat(valid.exitCode()).as(valid.stderr()).isZero();
        assertThat(valid.stdoutText()).contains("valid");

        String shown = CliRun.of("policy", "show", "--policy", file.toString()).stdoutText();
        String viaFlag = CliRun.of("policy", "show", "--allow", "O6").stdoutText();
        assertThat(shown).isEqualTo(viaFlag);
    }

    @Test
    void validateRejectsABadFileWithFileFieldAndProblem(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"preset\": \"llavaguard-v1.2\", \"allow\": [\"O77\"]}");
        CliRun run = CliRun.of("policy", "validate", file.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("bad.json").contains("O77");
    }

    @Test
    void validateReportsAMissingFile(@TempDir Path dir) {
        CliRun run = CliRun.of("policy", "validate", dir.resolve("missing.yaml").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("missing.yaml");
    }

    @Test
    void unknownCommandIsUsageError() {
        CliRun run = CliRun.of("polcy");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("polcy");
    }
}
