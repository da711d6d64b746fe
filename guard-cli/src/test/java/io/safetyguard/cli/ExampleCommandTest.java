package io.safetyguard.cli;

import io.safetyguard.cli.examples.CommandRun;
import io.safetyguard.examples.ExampleCommandLine;
import io.safetyguard.cli.examples.TestImages;
import io.safetyguard.cli.examples.TinyModel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.safetyguard.cli.GuardCli;
import io.safetyguard.examples.desktop.DesktopExample;
import io.safetyguard.examples.filter.DatasetFilterExample;
import java.awt.GraphicsEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples reached as {@code guard example ...}, and what each says when it cannot start. */
class ExampleCommandTest {

    @TempDir
    Path dir;

    /** Runs the guard CLI capturing stdout and stderr (it prints to the process streams). */
    private static synchronized CommandRun guard(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            int code = GuardCli.run(args);
            return new CommandRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void theGuardCliListsTheThreeExamples() {
        CommandRun run = guard("example", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("t2i", "filter", "desktop");
    }

    @Test
    void anExampleUnderTheGuardCliReportsBadInputAsOneLineWithExitCode2() {
        CommandRun run = guard(prepend("example", "filter", CommandRun.args(TinyModel.flags(),
                "--in", dir.resolve("missing").toString(), "--out", dir.resolve("out").toString())));

        assertThat(run.exitCode()).isEqualTo(ExampleCommandLine.EXIT_BAD_INPUT);
        assertThat(run.stderr()).contains("filter: input folder", "missing", "does not exist").doesNotContain("Exception");
    }

    @Test
    void theFilterChecksItsFoldersBeforeLoadingTheModel() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.write(in.resolve("a.png"), TestImages.png(8, 8, 1));
        Path used = Files.createDirectories(dir.resolve("used"));
        Files.writeString(used.resolve("keep.txt"), "mine");

        CommandRun nonEmpty = CommandRun.of(new DatasetFilterExample(), CommandRun.args(TinyModel.flags(),
                "--in", in.toString(), "--out", used.toString()));
        CommandRun sameTwice = CommandRun.of(new DatasetFilterExample(), CommandRun.args(TinyModel.flags(),
                "--in", in.toString(), "--out", dir.resolve("o").toString(), "--also-to", dir.resolve("o").toString()));

        assertThat(nonEmpty.exitCode()).isEqualTo(ExampleCommandLine.EXIT_BAD_INPUT);
        assertThat(nonEmpty.stderr()).contains("not empty").doesNotContain("RANDOM-WEIGHT"); // no model loaded
        assertThat(sameTwice.exitCode()).isEqualTo(ExampleCommandLine.EXIT_BAD_INPUT);
        assertThat(sameTwice.stderr()).contains("--also-to must differ from --out");
        assertThat(dir.resolve("o")).doesNotExist();
    }

    @Test
    void theDesktopExampleSaysWhatToDoWithoutADisplay() {
        assumeTrue(GraphicsEnvironment.isHeadless(), "only meaningful without a display");

        CommandRun run = CommandRun.of(new DesktopExample(), TinyModel.flags());

        assertThat(run.exitCode()).isEqualTo(ExampleCommandLine.EXIT_BAD_INPUT);
        assertThat(run.stderr()).contains("no display", "xvfb-run");
    }

    private static String[] prepend(String a, String b, String[] rest) {
        String[] all = new String[rest.length + 2];
        all[0] = a;
        all[1] = b;
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }
}
