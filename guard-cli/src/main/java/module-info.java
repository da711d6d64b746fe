/**
 * The {@code guard} command ({@code io.safetyguard.cli.GuardCli}). An application, not a library:
 * it exports nothing. Usually run from the shaded {@code guard.jar} on the class path, where this
 * descriptor is not used.
 */
module io.safetyguard.cli {
    requires io.safetyguard.llamacpp;
    requires io.safetyguard.llamacpp.tools;
    requires io.safetyguard.remote;
    requires io.safetyguard.examples;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires java.logging; // CliLogging: one short line per library log record
    requires jdk.management; // bench reports process CPU time and memory

    // picocli reads and sets the @Option/@Parameters fields of the commands.
    opens io.safetyguard.cli to
            info.picocli;
}
