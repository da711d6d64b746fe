package io.safetyguard.cli;

import io.safetyguard.cli.audit.VerdictLogFormatException;
import io.safetyguard.cli.eval.LabelsFormatException;
import io.safetyguard.core.image.ImageDecodingException;
import io.safetyguard.examples.ExampleException;
import io.safetyguard.llamacpp.ModelFileException;
import io.safetyguard.llamacpp.internal.gguf.GgufFormatException;
import io.safetyguard.llamacpp.tools.convert.CheckpointException;
import io.safetyguard.policy.PolicyException;
import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The exit codes of every {@code guard} command, {@code guard example ...} included, and the
 * mapping of a failure to one of them by its type. A failure prints one line on stderr; only an
 * internal error (a bug) adds the stack trace.
 */
public final class ExitCodes {
    /** Done; with {@code --fail-on-unsafe}, no image was rated Unsafe. */
    public static final int OK = 0;
    /** The task failed: an internal error, or a service it needs (a server, the disk) failed. */
    public static final int FAILED = 1;
    /** Bad input or usage: a missing or unreadable file, a bad flag value. The reason is on stderr. */
    public static final int BAD_INPUT = 2;
    /** An image was rated Unsafe and {@code --fail-on-unsafe} was given, or {@code example t2i} blocked its image. */
    public static final int UNSAFE = 3;

    /** What kind of failure an exception is, decided by its type. */
    enum Failure {
        /** The user's input is wrong: exit 2, the message only. */
        BAD_INPUT(ExitCodes.BAD_INPUT),
        /** Something the task relies on failed (a server down, a disk full): exit 1, the message only. */
        TASK_FAILED(ExitCodes.FAILED),
        /** A bug: exit 1 with the stack trace for a report. */
        INTERNAL(ExitCodes.FAILED);

        final int exitCode;

        Failure(int exitCode) {
            this.exitCode = exitCode;
        }
    }

    private ExitCodes() {}

    static Failure classify(Throwable e) {
        if ((e instanceof CompletionException || e instanceof UncheckedIOException) && e.getCause() != null) {
            return classify(e.getCause()); // wrappers from async and stream code say nothing themselves
        }
        if (e instanceof ExampleException ex) {
            return ex.isBadInput() ? Failure.BAD_INPUT : Failure.TASK_FAILED;
        }
        if (e instanceof BadInputException
                || e instanceof ParameterException
                || e instanceof PolicyException
                || e instanceof VerdictLogFormatException
                || e instanceof LabelsFormatException
                || e instanceof GgufFormatException
                || e instanceof CheckpointException
                || e instanceof ModelFileException
                || e instanceof ImageDecodingException
                || e instanceof NoSuchFileException
                || e instanceof FileNotFoundException
                || e instanceof IllegalArgumentException) {
            return Failure.BAD_INPUT;
        }
        return Failure.INTERNAL;
    }

    static int forException(Throwable e) {
        return classify(e).exitCode;
    }

    static int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        Failure failure = classify(e);
        if (failure == Failure.INTERNAL) {
            err.println("guard: internal error: " + message(e));
            e.printStackTrace(err);
        } else {
            err.println("guard: " + message(e));
        }
        err.flush();
        return failure.exitCode;
    }

    static int handleParameterException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("guard: " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        }
        err.flush();
        return BAD_INPUT;
    }

    private static String message(Throwable e) {
        Throwable shown =
                (e instanceof CompletionException || e instanceof UncheckedIOException) && e.getCause() != null
                        ? e.getCause()
                        : e;
        String m = shown.getMessage();
        if (shown instanceof NoSuchFileException) {
            return "no such file: " + m;
        }
        return m == null ? shown.getClass().getSimpleName() : m;
    }
}
