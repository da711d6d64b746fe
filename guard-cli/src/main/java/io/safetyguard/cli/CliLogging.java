package io.safetyguard.cli;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import picocli.CommandLine.ParseResult;

/**
 * The library's log messages (java.util.logging, which {@link System.Logger} and llama.cpp's own
 * log reach) as one short line each on stderr, {@code guard: warning: ...}, instead of
 * java.util.logging's two-line default with a timestamp and a lambda's name.
 */
final class CliLogging {

    /** How much of the log the user asked for. */
    enum Verbosity {
        /** {@code -q}: errors only. */
        QUIET(Level.SEVERE),
        /** Warnings and errors. */
        NORMAL(Level.WARNING),
        /** {@code -v}: also what the library does (model loading, timings). */
        VERBOSE(Level.INFO);

        final Level level;

        Verbosity(Level level) {
            this.level = level;
        }
    }

    /** The verbosity of the run in progress; a CLI process runs one command at a time. */
    private static volatile Verbosity current = Verbosity.NORMAL;

    private CliLogging() {}

    /**
     * Prints one of the CLI's own warnings or notes ({@code guard: note: ...}) unless {@code -q}
     * asked for errors only.
     */
    static void note(java.io.PrintStream err, String line) {
        if (current != Verbosity.QUIET) {
            err.println(line);
        }
    }

    /** The verbosity {@code -v}/{@code -q} select wherever they appear on the command line (the last one wins). */
    static Verbosity verbosity(ParseResult parsed) {
        Verbosity v = Verbosity.NORMAL;
        for (ParseResult level = parsed; level != null; level = level.subcommand()) {
            for (var option : level.matchedOptions()) {
                if (option.longestName().equals("--verbose")) {
                    v = Verbosity.VERBOSE;
                } else if (option.longestName().equals("--quiet")) {
                    v = Verbosity.QUIET;
                }
            }
        }
        return v;
    }

    /** Replaces the root logger's handlers with one that prints {@link #format one line} per message. */
    static void install(Verbosity verbosity) {
        current = verbosity;
        LogManager.getLogManager().reset(); // drops the default ConsoleHandler and its two-line format
        Logger root = Logger.getLogger("");
        root.setLevel(verbosity.level);
        root.addHandler(new OneLineHandler(verbosity.level));
    }

    /** {@code guard: warning: message[: cause]} with line breaks folded, so every message is one line. */
    static String format(LogRecord r) {
        String message = new Formatter() {
            @Override
            public String format(LogRecord record) {
                return formatMessage(record);
            }
        }.format(r);
        if (message == null || message.isBlank()) {
            message = "(no message)";
        }
        if (r.getThrown() != null) {
            Throwable t = r.getThrown();
            message += ": " + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
        }
        return "guard: " + label(r.getLevel()) + ": " + message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static String label(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (v >= Level.WARNING.intValue()) {
            return "warning";
        }
        return v >= Level.INFO.intValue() ? "info" : "debug";
    }

    /** Writes to the current {@code System.err} at each message, so a redirected stream (tests) gets it. */
    private static final class OneLineHandler extends Handler {
        OneLineHandler(Level level) {
            setLevel(level);
        }

        @Override
        public void publish(LogRecord record) {
            if (isLoggable(record)) {
                System.err.println(format(record));
                System.err.flush();
            }
        }

        @Override
        public void flush() {
            System.err.flush();
        }

        @Override
        public void close() {
            // System.err is not ours to close
        }
    }
}
