package io.safetyguard.cli.audit;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Expands audit SOURCE arguments into the image files to assess. A SOURCE is a folder (walked
 * recursively, symbolic links to folders not followed), a list of paths ({@code .txt}, {@code .lst},
 * {@code .list} or {@code .csv}, see {@link PathListReader}), or a single file. Which files count as
 * images is decided by {@link ImageFiles}. A file named twice is assessed once.
 */
public final class SourceScanner {
    private final Path excluded;

    /**
     * @param excludedFolder a folder never to descend into (the audit's output folder, so its
     *                       report and JSONL are not counted as skipped files); may be null
     */
    public SourceScanner(Path excludedFolder) {
        this.excluded =
                excludedFolder == null ? null : excludedFolder.toAbsolutePath().normalize();
    }

    /**
     * Scans the sources.
     *
     * @throws IllegalArgumentException when a SOURCE does not exist or a list file is malformed
     *                                  (the message names it)
     * @throws IOException              when a SOURCE itself cannot be read
     */
    public ScanResult scan(List<Path> sources) throws IOException {
        Accumulator acc = new Accumulator();
        for (Path source : sources) {
            Objects.requireNonNull(source, "source");
            Path abs = source.toAbsolutePath().normalize();
            if (Files.isDirectory(abs)) {
                walk(abs, acc);
            } else if (Files.isRegularFile(abs) && PathListReader.isListFile(abs)) {
                for (Path entry : PathListReader.read(abs)) {
                    if (Files.isDirectory(entry)) {
                        walk(entry, acc);
                    } else if (!Files.exists(entry) || ImageFiles.isCandidate(entry)) {
                        acc.images.add(entry); // a missing listed file becomes an error line, not a skip
                    } else {
                        acc.skipped++;
                    }
                }
            } else if (Files.isRegularFile(abs)) {
                acc.addIfImage(abs);
            } else {
                throw new IllegalArgumentException("SOURCE " + source + ": no such file or folder");
            }
        }
        return new ScanResult(new ArrayList<>(acc.images), acc.skipped, acc.warnings);
    }

    private void walk(Path folder, Accumulator acc) throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(excluded) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() || attrs.isSymbolicLink() && Files.isRegularFile(file)) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                acc.warnings.add(file + ": cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + "); skipped");
                return FileVisitResult.CONTINUE;
            }
        });
        // The file system's order is arbitrary; sorting makes the audit order (and the JSONL) reproducible.
        found.sort(null);
        for (Path file : found) {
            acc.addIfImage(file);
        }
    }

    private static final class Accumulator {
        final Set<Path> images = new LinkedHashSet<>();
        final List<String> warnings = new ArrayList<>();
        int skipped;

        void addIfImage(Path file) {
            if (images.contains(file)) {
                return;
            }
            if (ImageFiles.isCandidate(file)) {
                images.add(file);
            } else {
                skipped++;
            }
        }
    }
}
