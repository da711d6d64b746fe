package io.safetyguard.examples;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;

/**
 * Runs an example's picocli command on its own (from its {@code main}) with the exit codes every
 * example shares. Under {@code guard example ...} the same commands run inside the {@code guard}
 * CLI; they catch {@link ExampleException} themselves, so both paths print the same one-line message.
 */
public final class ExampleCommandLine {
    public static final int EXIT_OK = 0;
    /** The task failed; the message on stderr says why. */
    public static final int EXIT_FAILED = 1;
    /** Bad input or usage. */
    public static final int EXIT_BAD_INPUT = 2;
    /** The generated image was blocked (t2i). */
    public static final int EXIT_BLOCKED = 3;

    private ExampleCommandLine() {}

    /** Runs {@code command} with {@code args} on the process's stdout/stderr and returns the exit code. */
    public static int execute(Object command, String... args) {
        Charset cs = Charset.defaultCharset();
        return execute(command, new PrintWriter(System.out, true, cs), new PrintWriter(System.err, true, cs), args);
    }

    /** Runs {@code command} writing to the given streams (tests capture them). */
    public static int execute(Object command, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println(e.getCommandLine().getCommandName() + ": " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, w)) {
                w.println("Run with --help for usage.");
            }
            w.flush();
            return EXIT_BAD_INPUT;
        });
        return cli.execute(args);
    }

    /**
     * Prints {@code e} as one line prefixed with the command name and returns its exit code; the
     * commands call this from their {@code call()} so the message looks the same standalone and
     * under {@code guard example}.
     */
    public static int report(CommandLine cmd, ExampleException e) {
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandName() + ": " + e.getMessage());
        err.flush();
        return e.exitCode();
    }
}
