package io.safetyguard.examples.filter;

import io.safetyguard.core.CacheStats;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.examples.ExampleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Splits a folder of images into {@code safe/}, {@code unsafe/} and {@code errors/} below an
 * output folder (copies or symlinks, subfolders kept) and writes {@code manifest.json}.
 *
 * <p>Images are assessed in batches through {@link SafetyGuard#assessAll}, so the guard's
 * parallelism applies and one bad file never stops the run: it becomes a failure verdict and lands
 * in {@code errors/}. The guard's verdict cache serves repeated images: byte-identical duplicates
 * within a run, and every image of a second run over the same folder with the same guard, policy
 * and model. The report counts those hits.
 *
 * <p>The output folder must be new or empty: the filter never overwrites or deletes anything.
 */
public final class DatasetFilter {

    /** The manifest's file name in the output folder. */
    public static final String MANIFEST_FILE = "manifest.json";

    /** Images per {@code assessAll} call: large enough to keep the guard busy, small enough for steady progress. */
    static final int BATCH = 32;

    /** Told after every batch. */
    @FunctionalInterface
    public interface Progress {
        void update(int done, int total);
    }

    private final SafetyGuard guard;
    private final PlacementMode mode;

    public DatasetFilter(SafetyGuard guard, PlacementMode mode) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** {@link #run(Path, Path, Progress)} without progress reports. */
    public FilterReport run(Path input, Path output) {
        return run(input, output, (done, total) -> {});
    }

    /**
     * Filters every image below {@code input} into {@code output}.
     *
     * @throws ExampleException when the folders are unusable (bad input) or a file cannot be placed
     */
    public FilterReport run(Path input, Path output, Progress progress) {
        long start = System.nanoTime();
        checkFolders(input, output);
        ImageFolder folder = ImageFolder.scan(input);
        createOutput(output);
        Placer placer = new Placer(input, output, mode);
        CacheStats before = guard.cacheStats();

        List<FilterEntry> entries = new ArrayList<>(folder.images().size());
        List<Path> images = folder.images();
        for (int from = 0; from < images.size(); from += BATCH) {
            List<Path> batch = images.subList(from, Math.min(images.size(), from + BATCH));
            List<ImageInput> inputs =
                    batch.stream().map(p -> ImageInput.ofPath(input.resolve(p))).toList();
            List<Verdict> verdicts = guard.assessAll(inputs);
            for (int i = 0; i < batch.size(); i++) {
                Bucket bucket = Bucket.of(verdicts.get(i));
                placer.place(batch.get(i), bucket);
                entries.add(new FilterEntry(batch.get(i), bucket, verdicts.get(i)));
            }
            progress.update(entries.size(), images.size());
        }

        CacheStats after = guard.cacheStats();
        FilterReport report = new FilterReport(
                input,
                output,
                mode,
                entries,
                folder.others(),
                after.hitCount() - before.hitCount(),
                after.missCount() - before.missCount(),
                (System.nanoTime() - start) / 1_000_000);
        ManifestWriter.write(
                report, guard.defaultPolicy().fingerprint(), guard.modelInfo().id());
        return report;
    }

    /**
     * Checks, without writing anything, that {@code output} can take a run over {@code input}: the
     * folders do not overlap (the output would be filtered into itself) and the output is new or
     * empty. A host calls this before loading the model, so a wrong folder fails at once.
     *
     * @throws ExampleException (bad input) saying which folder to change
     */
    public static void checkFolders(Path input, Path output) {
        Path in = input.toAbsolutePath().normalize();
        Path out = output.toAbsolutePath().normalize();
        if (out.startsWith(in) || in.startsWith(out)) {
            throw ExampleException.badInput("the output folder " + output + " must not be inside the input folder "
                    + input + " or contain it; choose a folder next to it");
        }
        if (Files.isDirectory(output)) {
            try (Stream<Path> children = Files.list(output)) {
                if (children.findAny().isPresent()) {
                    throw ExampleException.badInput("the output folder " + output
                            + " is not empty; choose a new folder (the filter never overwrites files)");
                }
            } catch (IOException e) {
                throw ExampleException.badInput("cannot read the output folder " + output + ": " + e.getMessage(), e);
            }
        } else if (Files.exists(output)) {
            throw ExampleException.badInput("the output " + output + " exists and is not a folder");
        }
    }

    private static void createOutput(Path output) {
        try {
            Files.createDirectories(output);
            for (Bucket b : Bucket.values()) {
                Files.createDirectories(output.resolve(b.folderName())); // empty buckets exist too: easier for scripts
            }
        } catch (IOException e) {
            throw new ExampleException("cannot create the output folder " + output + ": " + e.getMessage(), e);
        }
    }
}
