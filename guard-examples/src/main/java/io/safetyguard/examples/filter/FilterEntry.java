package io.safetyguard.examples.filter;

import io.safetyguard.core.Verdict;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One image of a filter run: where it came from, where it went, and its verdict.
 *
 * @param relativePath the path below the input folder (kept below the bucket folder too)
 * @param bucket       where it landed
 * @param verdict      its verdict (a failure verdict for {@link Bucket#ERRORS})
 */
public record FilterEntry(Path relativePath, Bucket bucket, Verdict verdict) {
    public FilterEntry {
        Objects.requireNonNull(relativePath, "relativePath");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(verdict, "verdict");
    }
}
