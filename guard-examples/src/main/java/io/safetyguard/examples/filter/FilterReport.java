package io.safetyguard.examples.filter;

import io.safetyguard.core.VerdictSource;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one {@link DatasetFilter} run.
 *
 * @param input        the input folder
 * @param output       the output folder (holding safe/, unsafe/, errors/ and the manifest)
 * @param mode         copy or symlink
 * @param entries      every image, in path order
 * @param skipped      files that were not considered because their extension is not an image's
 * @param cacheHits    verdicts of this run served from the verdict cache
 * @param cacheMisses  verdicts of this run that ran the model (or failed trying)
 * @param millis       wall-clock time of the run
 */
public record FilterReport(
        Path input,
        Path output,
        PlacementMode mode,
        List<FilterEntry> entries,
        List<Path> skipped,
        long cacheHits,
        long cacheMisses,
        long millis) {

    public FilterReport {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(mode, "mode");
        entries = List.copyOf(entries);
        skipped = List.copyOf(skipped);
    }

    /** Images per bucket; every bucket is present, with 0 when empty. */
    public Map<Bucket, Integer> counts() {
        Map<Bucket, Integer> counts = new EnumMap<>(Bucket.class);
        for (Bucket b : Bucket.values()) {
            counts.put(b, 0);
        }
        entries.forEach(e -> counts.merge(e.bucket(), 1, Integer::sum));
        return counts;
    }

    /** Images whose verdict came from the cache rather than a model run. */
    public long servedFromCache() {
        return entries.stream()
                .filter(e -> e.verdict().source() == VerdictSource.CACHE)
                .count();
    }

    /** One line for a terminal: counts, cache use and time. */
    public String summary() {
        Map<Bucket, Integer> c = counts();
        return String.format(
                java.util.Locale.ROOT,
                "%d image(s): %d safe, %d unsafe, %d error(s); %d other file(s) skipped; cache: %d hit(s), %d miss(es); %.1f s",
                entries.size(),
                c.get(Bucket.SAFE),
                c.get(Bucket.UNSAFE),
                c.get(Bucket.ERRORS),
                skipped.size(),
                cacheHits,
                cacheMisses,
                millis / 1000.0);
    }
}
