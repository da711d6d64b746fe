package io.safetyguard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code guard} command line. Exit codes for every command are in {@link ExitCodes}: 0 ok,
 * 1 the task failed, 2 bad input or usage (reason on stderr), 3 an image was rated Unsafe and
 * {@code --fail-on-unsafe} was given.
 */
@Command(
        name = "guard",
        mixinStandardHelpOptions = true,
        versionProvider = GuardCli.Version.class,
        description = "Check images against a written safety policy with a LlavaGuard model.",
        subcommands = {
            CheckCommand.class,
            AuditCommand.class,
            EvalCommand.class,
            PolicyCommand.class,
            ModelCommand.class,
            BenchCommand.class,
            ExampleCommand.class,
            CommandLine.HelpCommand.class
        })
public final class GuardCli {

    // Inherited: accepted before or after any subcommand name. CliLogging reads them from the parse result.
    @Option(
            names = {"-v", "--verbose"},
            scope = ScopeType.INHERIT,
            description = "Also show what the library does (model loading, timings) on stderr.")
    boolean verbose;

    @Option(
            names = {"-q", "--quiet"},
            scope = ScopeType.INHERIT,
            description = "Only errors on stderr: no warnings and no progress bar.")
    boolean quiet;

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
        cli.setExecutionStrategy(parsed -> {
            CliLogging.install(CliLogging.verbosity(parsed));
            return new CommandLine.RunLast().execute(parsed);
        });
        return cli;
    }

    /** Whether {@code -q} was given for the command that {@code spec} runs (e.g. to hide a progress bar). */
    static boolean quiet(CommandLine.Model.CommandSpec spec) {
        CommandLine root = spec.root().commandLine();
        return root.getParseResult() != null
                && CliLogging.verbosity(root.getParseResult()) == CliLogging.Verbosity.QUIET;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GuardCli.class.getPackage().getImplementationVersion();
            return new String[] {"guard " + (v == null ? "development build" : v)};
        }
    }
}
