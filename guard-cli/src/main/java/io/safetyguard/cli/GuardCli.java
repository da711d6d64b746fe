package io.safetyguard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code guard} command line.
 *
 * <p>Exit codes for every command: 0 ok, 1 internal error, 2 bad input or usage (message on
 * stderr), 3 an image was rated Unsafe and {@code --fail-on-unsafe} was given.
 */
@Command(
        name = "guard",
        mixinStandardHelpOptions = true,
        versionProvider = GuardCli.Version.class,
        description = "Check images against a written safety policy with a LlavaGuard model.",
        subcommands = {CheckCommand.class, AuditCommand.class, EvalCommand.class, PolicyCommand.class, ModelCommand.class, BenchCommand.class,
                io.safetyguard.examples.ExampleCommand.class, CommandLine.HelpCommand.class})
public final class GuardCli {

    public static final int EXIT_OK = 0;
    public static final int EXIT_INTERNAL = 1;
    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_UNSAFE = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new GuardCli());
        cli.setExitCodeExceptionMapper(ExitCodes::forException);
        cli.setExecutionExceptionHandler(ExitCodes::handleExecutionException);
        cli.setParameterExceptionHandler(ExitCodes::handleParameterException);
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GuardCli.class.getPackage().getImplementationVersion();
            return new String[] {"guard " + (v == null ? "development build" : v)};
        }
    }
}
