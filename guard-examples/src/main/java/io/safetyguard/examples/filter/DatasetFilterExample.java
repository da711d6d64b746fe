package io.safetyguard.examples.filter;

import io.safetyguard.examples.ExampleMain;
import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.examples.ExampleCommandLine;
import io.safetyguard.examples.ExampleException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Example 2: a dataset filter. Splits {@code --in} into {@code --out}/safe, unsafe and errors
 * (copies or symlinks) and writes {@code --out}/manifest.json.
 *
 * <p>With {@code --also-to DIR} it filters the same folder a second time into another output
 * with the same guard, to show that the second pass is served from the verdict cache (as a
 * long-running service filtering overlapping uploads would be).
 */
@Command(name = "filter",
        description = {"Split a folder of images into safe/, unsafe/ and errors/ (copies or symlinks) with a manifest.json.",
                "Duplicates and repeated runs are served from the verdict cache (see the cache line of the summary)."})
public final class DatasetFilterExample extends ExampleMain {

    @Option(names = "--in", required = true, paramLabel = "DIR", description = "The folder of images (subfolders included).")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "A new or empty folder for the result.")
    Path output;

    @Option(names = "--mode", paramLabel = "copy|symlink", defaultValue = "copy", converter = ModeConverter.class,
            description = "copy: independent copies; symlink: links to the input files. Default: ${DEFAULT-VALUE}.")
    PlacementMode mode;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
            description = "Images assessed at once. Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(names = "--also-to", paramLabel = "DIR",
            description = "Filter the folder a second time into DIR with the same guard: its verdicts come from the cache.")
    Path secondOutput;

    public static void main(String[] args) {
        System.exit(ExampleCommandLine.execute(new DatasetFilterExample(), args));
    }

    @Override
    protected int run(PrintWriter stdout, PrintWriter stderr) {
        if (parallel < 1) {
            throw ExampleException.badInput("--parallel must be >= 1, got " + parallel);
        }
        // Fail on bad folders before loading the model, which can take a while for a real one.
        ImageFolder.scan(input);
        DatasetFilter.checkFolders(input, output);
        if (secondOutput != null) {
            if (secondOutput.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
                throw ExampleException.badInput("--also-to must differ from --out: the second pass needs its own empty folder");
            }
            DatasetFilter.checkFolders(input, secondOutput);
        }
        try (SafetyGuard guard = guardFlags.openGuard(CacheConfig.defaults(), stderr, parallel)) {
            DatasetFilter filter = new DatasetFilter(guard, mode);
            pass(filter, output, stdout, stderr);
            if (secondOutput != null) {
                pass(filter, secondOutput, stdout, stderr);
            }
        }
        return ExampleCommandLine.EXIT_OK;
    }

    private void pass(DatasetFilter filter, Path out, PrintWriter stdout, PrintWriter stderr) {
        FilterReport report = filter.run(input, out, (done, total) -> {
            stderr.printf(Locale.ROOT, "\r%d/%d images", done, total);
            stderr.flush();
        });
        stderr.println();
        stdout.println(out + ": " + report.summary());
        stdout.println("manifest: " + out.resolve(ManifestWriter.FILE_NAME));
        stdout.flush();
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
