package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.safetyguard.cli.audit.TestImages;
import java.awt.GraphicsEnvironment;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guard example ...}: the CLI's flags and exit codes around the examples, and what each
 * refuses before a model is loaded (the model paths here do not even exist).
 */
class ExampleCommandTest {

    @TempDir
    Path dir;

    private List<String> args(String example, String... more) {
        List<String> all = new ArrayList<>(List.of(
                "example",
                example,
                "--model",
                dir.resolve("m.gguf").toString(),
                "--mmproj",
                dir.resolve("p.gguf").toString()));
        all.addAll(List.of(more));
        return all;
    }

    private static CliRun guard(List<String> args) {
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void theGuardCliListsTheThreeExamples() {
        CliRun run = CliRun.of("example", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdoutText()).contains("t2i", "filter", "desktop");
    }

    @Test
    void everyExampleTakesTheSameModelPolicyAndDecodingFlagsAsCheck() {
        for (String example : List.of("t2i", "filter", "desktop")) {
            String help = CliRun.of("example", example, "--help").stdoutText();
            assertThat(help)
                    .as(example)
                    .contains(
                            "--model",
                            "--mmproj",
                            "--endpoint",
                            "--threads",
                            "--gpu-layers",
                            "--parallel",
                            "--preset",
                            "--policy",
                            "--allow",
                            "--greedy",
                            "--max-new-tokens",
                            "--seed",
                            "-q, --quiet");
        }
        assertThat(CliRun.of("example", "t2i", "--help").stdoutText()).contains("--image-seed");
    }

    @Test
    void aMissingInputFolderIsBadInputOnOneLine() {
        CliRun run = guard(args(
                "filter",
                "--in",
                dir.resolve("missing").toString(),
                "--out",
                dir.resolve("out").toString()));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr())
                .startsWith("guard: input folder")
                .contains("missing", "does not exist")
                .doesNotContain("Exception");
    }

    @Test
    void theFilterChecksItsFoldersBeforeLoadingTheModel() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        TestImages.png(in.resolve("a.png"), 1);
        Path used = Files.createDirectories(dir.resolve("used"));
        Files.writeString(used.resolve("keep.txt"), "mine");

        CliRun nonEmpty = guard(args("filter", "--in", in.toString(), "--out", used.toString()));
        CliRun sameTwice = guard(args(
                "filter",
                "--in",
                in.toString(),
                "--out",
                dir.resolve("o").toString(),
                "--also-to",
                dir.resolve("o").toString()));

        assertThat(nonEmpty.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(nonEmpty.stderr()).contains("not empty").doesNotContain("m.gguf"); // no model load tried
        assertThat(sameTwice.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(sameTwice.stderr()).contains("--also-to must differ from --out");
        assertThat(dir.resolve("o")).doesNotExist();
    }

    @Test
    void t2iFlagErrorsAreBadInputAndAWebUiThatIsDownIsAFailedTask() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        CliRun badUrl = guard(args("t2i", "--url", "ftp://example.org", "--prompt", "x"));
        CliRun badStrategy = guard(args("t2i", "--prompt", "x", "--on-unsafe", "ignore"));
        CliRun down = guard(args(
                "t2i",
                "--url",
                url,
                "--prompt",
                "x",
                "--out",
                dir.resolve("x.png").toString()));

        assertThat(badUrl.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badUrl.stderr()).contains("ftp://example.org", "http://127.0.0.1:7860");
        assertThat(badStrategy.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badStrategy.stderr()).contains("block, reseed or amend");
        assertThat(down.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(down.stderr())
                .startsWith("guard: cannot connect to " + url)
                .contains("--api")
                .doesNotContain("Exception", "internal error");
        assertThat(dir.resolve("x.png")).doesNotExist();
    }

    @Test
    void theDesktopExampleSaysWhatToDoWithoutADisplay() {
        assumeTrue(GraphicsEnvironment.isHeadless(), "only meaningful without a display");

        CliRun run = guard(args("desktop"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("no display", "xvfb-run");
    }
}
