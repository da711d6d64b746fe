package io.safetyguard.examples;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every runnable example shares: {@code --help}, the model/policy flags, and turning an
 * {@link ExampleException} into one line on stderr and its exit code.
 */
public abstract class ExampleMain implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    protected boolean help;

    @Spec
    protected CommandSpec spec;

    @Mixin
    protected GuardFlags guardFlags = new GuardFlags();

    @Override
    public final Integer call() throws InterruptedException {
        CommandLine cmd = spec.commandLine();
        try {
            return run(cmd.getOut(), cmd.getErr());
        } catch (ExampleException e) {
            return ExampleCommandLine.report(cmd, e);
        }
    }

    /** Runs the example; throws {@link ExampleException} for anything the user should be told. */
    protected abstract int run(PrintWriter stdout, PrintWriter stderr) throws InterruptedException;
}
