package io.safetyguard.cli.examples;

import io.safetyguard.examples.ExampleCommandLine;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs an example command in-process as its {@code main} would, capturing exit code, stdout and stderr.
 * In its own package: io.safetyguard.examples belongs to the examples module.
 */
public record CommandRun(int exitCode, String stdout, String stderr) {

    public static CommandRun of(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ExampleCommandLine.execute(command, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CommandRun(code, out.toString(), err.toString());
    }

    /** Joins {@code flags} (e.g. {@link TinyModel#flags()}) and {@code more} into one argument array. */
    public static String[] args(String[] flags, String... more) {
        String[] all = new String[flags.length + more.length];
        System.arraycopy(flags, 0, all, 0, flags.length);
        System.arraycopy(more, 0, all, flags.length, more.length);
        return all;
    }
}
