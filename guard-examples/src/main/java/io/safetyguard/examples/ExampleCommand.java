package io.safetyguard.examples;

import io.safetyguard.examples.desktop.DesktopExample;
import io.safetyguard.examples.filter.DatasetFilterExample;
import io.safetyguard.examples.t2i.Txt2ImgExample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code guard example t2i|filter|desktop}: the three integration examples as subcommands of the
 * {@code guard} CLI. Each is also runnable on its own through its class's {@code main}.
 */
@Command(name = "example",
        description = "Runnable integration examples: a guarded text-to-image generator, a dataset filter, a desktop tool.",
        subcommands = {Txt2ImgExample.class, DatasetFilterExample.class, DesktopExample.class})
public final class ExampleCommand {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;
}
