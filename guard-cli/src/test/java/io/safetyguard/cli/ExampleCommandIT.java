package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.cli.audit.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guard example filter} run for real on the tiny model pair in llama.cpp. */
class ExampleCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static TinyModel tiny;

    @BeforeAll
    static void writeTinyModel() {
        tiny = TinyModel.writeTo(dir.resolve("model"));
    }

    @Test
    void theFilterRunsTwiceWithOneGuardAndTheSecondPassComesFromTheCache() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        TestImages.png(in.resolve("a.png"), 1);
        TestImages.png(in.resolve("sub/b.png"), 2);
        Files.write(in.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Path out = dir.resolve("out1");
        Path again = dir.resolve("out2");

        CliRun run = CliRun.of(
                "example",
                "filter",
                "--model",
                tiny.model().toString(),
                "--mmproj",
                tiny.mmproj().toString(),
                "--threads",
                "1",
                "--greedy",
                "--verdict-only",
                "--max-new-tokens",
                "60",
                "--parallel",
                "2",
                "--in",
                in.toString(),
                "--out",
                out.toString(),
                "--also-to",
                again.toString(),
                "--mode",
                "symlink");

        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(ExitCodes.OK);
        assertThat(run.stderr()).contains("RANDOM-WEIGHT");
        assertThat(run.stdoutText())
                .contains(out + ": 3 image(s)", again + ": 3 image(s)", "1 error(s)", "cache: 2 hit(s), 1 miss(es)");
        assertThat(JSON.readTree(again.resolve("manifest.json").toFile())
                        .get("cache")
                        .get("hits")
                        .asInt())
                .isEqualTo(2);
        assertThat(Files.isSymbolicLink(out.resolve("errors").resolve("broken.png")))
                .isTrue();
        for (Path o : List.of(out, again)) {
            assertThat(o.resolve("manifest.json")).isRegularFile();
        }
    }
}
