package io.safetyguard.cli;

import io.safetyguard.examples.ExampleException;
import io.safetyguard.examples.filter.DatasetFilter;
import io.safetyguard.examples.filter.FilterReport;
import io.safetyguard.examples.filter.ImageFolder;
import io.safetyguard.examples.filter.PlacementMode;
import io.safetyguard.policy.Policy;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code guard example filter}: {@link DatasetFilter} over a folder. With {@code --also-to DIR} it
 * filters the same folder a second time into another output with the same guard, to show that the
 * second pass is served from the verdict cache (as a long-running service filtering overlapping
 * uploads would be).
 */
@Command(
        name = "filter",
        mixinStandardHelpOptions = true,
        description = {
            "Split a folder of images into safe/, unsafe/ and errors/ (copies or symlinks) with a manifest.json.",
            "Duplicates and repeated runs are served from the verdict cache (see the cache line of the summary)."
        })
final class ExampleFilterCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    PolicyOptions policyOptions = new PolicyOptions();

    @Mixin
    DecodingOptions decoding = new DecodingOptions();

    @Spec
    CommandSpec spec;

    @Option(
            names = "--in",
            required = true,
            paramLabel = "DIR",
            description = "The folder of images (subfolders included).")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "A new or empty folder for the result.")
    Path output;

    @Option(
            names = "--mode",
            paramLabel = "copy|symlink",
            defaultValue = "copy",
            converter = ModeConverter.class,
            description = "copy: independent copies; symlink: links to the input files. Default: ${DEFAULT-VALUE}.")
    PlacementMode mode;

    @Option(
            names = "--also-to",
            paramLabel = "DIR",
            description =
                    "Filter the folder a second time into DIR with the same guard: its verdicts come from the cache.")
    Path secondOutput;

    @Override
    public Integer call() {
        // Fail on bad folders before loading the model, which can take a while for a real one.
        ImageFolder.scan(input);
        DatasetFilter.checkFolders(input, output);
        if (secondOutput != null) {
            if (secondOutput
                    .toAbsolutePath()
                    .normalize()
                    .equals(output.toAbsolutePath().normalize())) {
                throw ExampleException.badInput(
                        "--also-to must differ from --out: the second pass needs its own empty folder");
            }
            DatasetFilter.checkFolders(input, secondOutput);
        }
        Policy policy = policyOptions.resolve();
        try (GuardSession session = GuardSession.open(modelOptions, decoding, policy, System.err)) {
            DatasetFilter filter = new DatasetFilter(session.guard(), mode);
            pass(filter, output);
            if (secondOutput != null) {
                pass(filter, secondOutput);
            }
        }
        return ExitCodes.OK;
    }

    private void pass(DatasetFilter filter, Path out) {
        boolean progress = !GuardCli.quiet(spec);
        FilterReport report = filter.run(input, out, (done, total) -> {
            if (progress) {
                System.err.printf(Locale.ROOT, "\r%d/%d images", done, total);
                System.err.flush();
            }
        });
        if (progress) {
            System.err.println();
        }
        System.out.println(out + ": " + report.summary());
        System.out.println("manifest: " + out.resolve(DatasetFilter.MANIFEST_FILE));
        System.out.flush();
    }

    /** Accepts copy and symlink in lower case, as the help shows them. */
    static final class ModeConverter implements CommandLine.ITypeConverter<PlacementMode> {
        @Override
        public PlacementMode convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "copy" -> PlacementMode.COPY;
                case "symlink" -> PlacementMode.SYMLINK;
                default -> throw new CommandLine.TypeConversionException("'" + value + "': use copy or symlink");
            };
        }
    }
}
