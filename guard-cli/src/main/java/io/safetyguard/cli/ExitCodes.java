package io.safetyguard.cli;

import io.safetyguard.policy.PolicyException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Maps failures to the CLI's exit codes and prints one clear message instead of a stack trace. */
final class ExitCodes {
    private ExitCodes() {}

    /** Exceptions whose message is meant for the user: their input was wrong, not our code. */
    static boolean isBadInput(Throwable e) {
        return e instanceof BadInputException
                || e instanceof PolicyException
                || e instanceof NoSuchFileException
                || e instanceof IllegalArgumentException
                || e instanceof java.io.FileNotFoundException
                || (e.getClass().getName().startsWith("io.safetyguard.") && e.getClass().getSimpleName().endsWith("FormatException"));
    }

    static int forException(Throwable e) {
        return isBadInput(e) ? GuardCli.EXIT_BAD_INPUT : GuardCli.EXIT_INTERNAL;
    }

    static int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (isBadInput(e)) {
            err.println("guard: " + message(e));
            err.flush();
            return GuardCli.EXIT_BAD_INPUT;
        }
        err.println("guard: internal error: " + message(e));
        e.printStackTrace(err);
        err.flush();
        return GuardCli.EXIT_INTERNAL;
    }

    static int handleParameterException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("guard: " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        }
        err.flush();
        return GuardCli.EXIT_BAD_INPUT;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (e instanceof NoSuchFileException) {
            return "no such file: " + m;
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
