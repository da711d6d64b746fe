package io.safetyguard.cli;

import io.safetyguard.core.Verdict;
import io.safetyguard.core.metadata.UnsupportedImageFormatException;
import io.safetyguard.core.metadata.VerdictMetadata;
import io.safetyguard.core.metadata.VerdictMetadataException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --write-metadata}: writes each verdict into a copy of its image under an output folder,
 * or into the image itself with {@code --in-place}. A copy keeps the input's path below the
 * folder (a relative path as given, an absolute one without its root), so two inputs never
 * share a copy. Images that cannot carry a stamp are skipped with the reason.
 */
final class MetadataStamper {

    /** What happened to one image: the file written, or why none was. */
    record Outcome(Path written, String skipped, boolean error) {
        static Outcome written(Path path) {
            return new Outcome(path, null, false);
        }

        static Outcome skipped(String reason, boolean error) {
            return new Outcome(null, reason, error);
        }
    }

    private final Path folder;

    private MetadataStamper(Path folder) {
        this.folder = folder;
    }

    static MetadataStamper toFolder(Path folder) {
        return new MetadataStamper(folder);
    }

    static MetadataStamper inPlace() {
        return new MetadataStamper(null);
    }

    /** Where the stamped copy of {@code image} goes (the image itself in place). */
    Path targetFor(Path image) {
        if (folder == null) {
            return image;
        }
        Path p = image.normalize();
        if (p.isAbsolute() || (p.getNameCount() > 0 && p.getName(0).toString().equals(".."))) {
            p = image.toAbsolutePath().normalize();
            p = p.getRoot().relativize(p);
        }
        return folder.resolve(p);
    }

    /**
     * Refuses, before any model runs, targets that would overwrite an input without
     * {@code --in-place}, and two inputs that would write one copy.
     */
    void checkTargets(List<Path> images) {
        if (folder == null) {
            return;
        }
        Map<Path, Path> seen = new HashMap<>();
        for (Path image : images) {
            Path target = targetFor(image).toAbsolutePath().normalize();
            if (target.equals(image.toAbsolutePath().normalize())) {
                throw new BadInputException("the stamped copy of " + image + " would overwrite it; choose another "
                        + "output folder, or pass --in-place to stamp the input files themselves");
            }
            Path other = seen.putIfAbsent(target, image);
            if (other != null
                    && !other.toAbsolutePath()
                            .normalize()
                            .equals(image.toAbsolutePath().normalize())) {
                throw new BadInputException(image + " and " + other + " would both be copied to " + target);
            }
        }
    }

    /** Stamps {@code verdict} into the copy (or the file); never throws for one bad image. */
    Outcome stamp(Path image, Verdict verdict) {
        if (verdict.isFailure()) {
            return Outcome.skipped(
                    "no verdict to stamp: " + verdict.failureReason().orElse("assessment failed"), false);
        }
        Path target = targetFor(image);
        try {
            VerdictMetadata.write(image, target, verdict);
            return Outcome.written(target);
        } catch (UnsupportedImageFormatException e) {
            return Outcome.skipped(e.getMessage(), false);
        } catch (VerdictMetadataException e) {
            return Outcome.skipped(e.getMessage(), true);
        } catch (IOException e) {
            return Outcome.skipped("cannot write " + target + ": " + e, true);
        }
    }
}
