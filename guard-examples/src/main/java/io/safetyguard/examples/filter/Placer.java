package io.safetyguard.examples.filter;

import io.safetyguard.examples.ExampleException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Puts one input file into its bucket folder by copy or symlink, keeping its relative path. */
final class Placer {
    private final Path input;
    private final Path output;
    private final PlacementMode mode;

    Placer(Path input, Path output, PlacementMode mode) {
        this.input = input.toAbsolutePath().normalize();
        this.output = output;
        this.mode = mode;
    }

    /** Places {@code relative} (below the input folder) into {@code bucket}; returns where it went. */
    Path place(Path relative, Bucket bucket) {
        Path source = input.resolve(relative);
        Path target = output.resolve(bucket.folderName()).resolve(relative.toString());
        try {
            Files.createDirectories(target.getParent());
            if (mode == PlacementMode.COPY) {
                Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            } else {
                // Absolute, so the link stays valid wherever the output folder is moved to.
                Files.createSymbolicLink(target, source);
            }
            return target;
        } catch (UnsupportedOperationException e) {
            throw ExampleException.badInput(
                    "this file system cannot create symbolic links (" + target + "); use --mode copy", e);
        } catch (FileSystemException e) {
            String hint = mode == PlacementMode.SYMLINK ? " (if links are not permitted here, use --mode copy)" : "";
            throw new ExampleException(
                    "cannot " + (mode == PlacementMode.COPY ? "copy " : "link ") + source + " to " + target + ": "
                            + e.getMessage() + hint,
                    e);
        } catch (IOException e) {
            throw new ExampleException("cannot place " + source + " in " + target + ": " + e.getMessage(), e);
        }
    }
}
