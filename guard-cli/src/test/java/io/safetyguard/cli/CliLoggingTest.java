package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** How library log messages reach the terminal, and how -v/-q select them. */
class CliLoggingTest {

    @Test
    void aMessageIsOneLineWithItsLevelItsParametersAndItsCause() {
        LogRecord r = new LogRecord(Level.WARNING, "tile count {0} exceeds\n  the limit {1}");
        r.setParameters(new Object[] {"12", "9"});
        r.setThrown(new IllegalStateException("context full"));

        assertThat(CliLogging.format(r)).isEqualTo("guard: warning: tile count 12 exceeds the limit 9: context full");
        assertThat(CliLogging.format(new LogRecord(Level.SEVERE, "x"))).isEqualTo("guard: error: x");
        assertThat(CliLogging.format(new LogRecord(Level.INFO, "x"))).isEqualTo("guard: info: x");
        assertThat(CliLogging.format(new LogRecord(Level.FINE, "x"))).isEqualTo("guard: debug: x");
    }

    @Test
    void verboseAndQuietAreAcceptedBeforeAndAfterTheSubcommand() {
        assertThat(verbosityOf("check", "a.png")).isEqualTo(CliLogging.Verbosity.NORMAL);
        assertThat(verbosityOf("-v", "check", "a.png")).isEqualTo(CliLogging.Verbosity.VERBOSE);
        assertThat(verbosityOf("check", "--verbose", "a.png")).isEqualTo(CliLogging.Verbosity.VERBOSE);
        assertThat(verbosityOf("check", "-q", "a.png")).isEqualTo(CliLogging.Verbosity.QUIET);
        assertThat(verbosityOf("example", "filter", "--quiet", "--in", "a", "--out", "b"))
                .isEqualTo(CliLogging.Verbosity.QUIET);
    }

    @Test
    void theInstalledHandlerPrintsAtTheChosenLevelOnly() {
        Logger log = Logger.getLogger("io.safetyguard.test");
        assertThat(capture(CliLogging.Verbosity.NORMAL, () -> {
                    log.info("loading");
                    log.warning("slow");
                }))
                .isEqualTo("guard: warning: slow\n");
        assertThat(capture(CliLogging.Verbosity.VERBOSE, () -> log.info("loading")))
                .isEqualTo("guard: info: loading\n");
        assertThat(capture(CliLogging.Verbosity.QUIET, () -> {
                    log.warning("slow");
                    log.severe("broken");
                }))
                .isEqualTo("guard: error: broken\n");
    }

    private static CliLogging.Verbosity verbosityOf(String... args) {
        return CliLogging.verbosity(GuardCli.newCommandLine().parseArgs(args));
    }

    private static synchronized String capture(CliLogging.Verbosity v, Runnable logging) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(e);
            CliLogging.install(v);
            logging.run();
        } finally {
            System.setErr(old);
        }
        return err.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
