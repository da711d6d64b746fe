package io.safetyguard.examples.filter;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.examples.ExampleException;
import io.safetyguard.examples.ExampleGuards;
import java.nio.file.Path;

/**
 * Example 2: a dataset filter. Splits a folder into {@code OUT/safe}, {@code unsafe} and
 * {@code errors} (copies) and writes {@code OUT/manifest.json}, with {@link DatasetFilter}:
 *
 * <pre>{@code
 * try (SafetyGuard guard = ExampleGuards.open(model, mmproj, 2)) {
 *     FilterReport report = new DatasetFilter(guard, PlacementMode.COPY).run(in, out);
 *     System.out.println(report.summary());
 * }
 * }</pre>
 *
 * <p>Keep one guard for the life of a service: its verdict cache then serves repeated images and
 * repeated runs over the same folder. {@code guard example filter} adds symlinks, parallelism and
 * a second pass that shows the cache at work.
 */
public final class DatasetFilterExample {
    private DatasetFilterExample() {}

    /**
     * {@code DatasetFilterExample MODEL.gguf MMPROJ.gguf IN_DIR OUT_DIR}. Exits 0 when done,
     * 2 for bad input (a missing folder, a non-empty output), 1 when a file cannot be placed.
     */
    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: DatasetFilterExample MODEL.gguf MMPROJ.gguf IN_DIR OUT_DIR");
            System.exit(2);
        }
        Path in = Path.of(args[2]);
        Path out = Path.of(args[3]);
        try {
            // Fail on bad folders before loading the model, which takes a while for a real one.
            ImageFolder.scan(in);
            DatasetFilter.checkFolders(in, out);
            try (SafetyGuard guard = ExampleGuards.open(Path.of(args[0]), Path.of(args[1]), 1)) {
                FilterReport report = new DatasetFilter(guard, PlacementMode.COPY)
                        .run(in, out, (done, total) -> System.err.print("\r" + done + "/" + total + " images"));
                System.err.println();
                System.out.println(out + ": " + report.summary());
                System.out.println("manifest: " + out.resolve(DatasetFilter.MANIFEST_FILE));
            }
        } catch (ExampleException e) {
            ExampleGuards.exitWith("DatasetFilterExample", e);
        }
    }
}
