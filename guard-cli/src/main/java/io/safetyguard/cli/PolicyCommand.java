package io.safetyguard.cli;

import io.safetyguard.policy.Policy;
import io.safetyguard.policy.PolicyFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code guard policy show|validate}. */
@Command(
        name = "policy",
        description = "Show or validate safety policies.",
        mixinStandardHelpOptions = true,
        subcommands = {PolicyCommand.Show.class, PolicyCommand.Validate.class})
final class PolicyCommand {

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Print the rendered policy prompt exactly as the model reads it (no extra bytes).")
    static final class Show implements Callable<Integer> {
        @Mixin
        PolicyOptions policy = new PolicyOptions();

        @Override
        public Integer call() throws IOException {
            Policy resolved = policy.resolve();
            // Raw bytes, no trailing newline: the output is meant to be diffed against the golden files.
            OutputStream out = System.out;
            out.write(resolved.render().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = "Check a policy file. Exit 0 when valid, 2 with the problem on stderr otherwise.")
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The policy file (.json, .yaml or .yml).")
        Path file;

        @Override
        public Integer call() {
            Policy loaded = PolicyFiles.load(file);
            System.out.println(file + ": valid (" + loaded.categories().size() + " categories, fingerprint "
                    + loaded.fingerprint().substring(0, 12) + ")");
            return ExitCodes.OK;
        }
    }
}
