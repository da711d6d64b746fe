package io.safetyguard.cli.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The verdicts whose P(Unsafe) lies within {@link #RADIUS} of the unsafe threshold, inclusive: the
 * ones a small change of threshold (or of the image) would flip, worth a human look. The count is
 * exact; the list keeps the closest ones, closest first (ties in log order).
 */
public final class NearThreshold {
    /** How close to the threshold counts as near. */
    public static final double RADIUS = 0.1;
    /** Decimal edges such as 0.4 against 0.5 must count as inside: absorb the rounding of p - t. */
    private static final double SLACK = 1e-9;

    private final double threshold;
    private final long count;
    private final List<VerdictRecord> closest;
    private final long ratedAgainstLine;

    private NearThreshold(double threshold, long count, List<VerdictRecord> closest, long ratedAgainstLine) {
        this.threshold = threshold;
        this.count = count;
        this.closest = List.copyOf(closest);
        this.ratedAgainstLine = ratedAgainstLine;
    }

    /** Reads {@code log} (a second pass, once the threshold is known) and collects up to {@code limit}. */
    public static NearThreshold collect(Path log, double threshold, int limit) throws IOException {
        Collector c = new Collector(threshold, limit);
        VerdictLog.read(log, c);
        return c.build();
    }

    /** True when {@code p} is within {@link #RADIUS} of {@code threshold}. */
    public static boolean isNear(double p, double threshold) {
        return Math.abs(p - threshold) <= RADIUS + SLACK;
    }

    public double threshold() {
        return threshold;
    }

    /** Every verdict near the threshold. */
    public long count() {
        return count;
    }

    /** The closest of them, closest first; {@link #count()} says how many there are in all. */
    public List<VerdictRecord> closest() {
        return closest;
    }

    /**
     * Verdicts rated on the other side of the line from their P(Unsafe) (Unsafe below it, or Safe
     * at or above it). Zero when a threshold decided every line; with the model's own choice these
     * are the verdicts where it differs from P(Unsafe) &gt;= 0.5.
     */
    public long ratedAgainstLine() {
        return ratedAgainstLine;
    }

    /** Collects from records fed one at a time. */
    static final class Collector implements Consumer<VerdictRecord> {
        private record Entry(VerdictRecord record, double distance, long order) {}

        private static final Comparator<Entry> CLOSEST_FIRST =
                Comparator.comparingDouble(Entry::distance).thenComparingLong(Entry::order);

        private final double threshold;
        private final int limit;
        // the worst kept entry on top, so it is the one dropped when a closer one comes
        private final PriorityQueue<Entry> kept = new PriorityQueue<>(CLOSEST_FIRST.reversed());
        private long count;
        private long order;
        private long againstLine;

        Collector(double threshold, int limit) {
            this.threshold = threshold;
            this.limit = Math.max(0, limit);
        }

        @Override
        public void accept(VerdictRecord r) {
            if (!ScoreSummary.hasPUnsafe(r)) {
                return;
            }
            double p = r.pUnsafe();
            if (r.isUnsafe() != (p >= threshold)) {
                againstLine++;
            }
            if (!isNear(p, threshold)) {
                return;
            }
            count++;
            Entry e = new Entry(r, Math.abs(p - threshold), order++);
            if (kept.size() < limit) {
                kept.add(e);
            } else if (limit > 0 && CLOSEST_FIRST.compare(e, kept.peek()) < 0) {
                kept.poll();
                kept.add(e);
            }
        }

        NearThreshold build() {
            List<Entry> entries = new ArrayList<>(kept);
            entries.sort(CLOSEST_FIRST);
            return new NearThreshold(
                    threshold, count, entries.stream().map(Entry::record).toList(), againstLine);
        }
    }
}
