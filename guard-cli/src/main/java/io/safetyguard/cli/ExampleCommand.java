package io.safetyguard.cli;

import picocli.CommandLine.Command;

/**
 * {@code guard example t2i|filter|desktop}: the integration examples of the guard-examples module,
 * run with the same model, policy and decoding flags as {@code guard check}.
 */
@Command(
        name = "example",
        mixinStandardHelpOptions = true,
        description =
                "Runnable integration examples: a guarded text-to-image generator, a dataset filter, a desktop tool.",
        subcommands = {ExampleT2iCommand.class, ExampleFilterCommand.class, ExampleDesktopCommand.class})
final class ExampleCommand {}
