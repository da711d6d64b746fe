package io.safetyguard.cli.report;

/**
 * Counts probabilities in equal bins over [0, 1]: bin {@code i} holds {@code [i/n, (i+1)/n)}, the
 * last one also 1. Each value can be marked (e.g. "rated Unsafe"), so a chart can show which part of
 * a bin it is. Memory does not grow with the number of values.
 */
public final class UnitHistogram {
    private final long[] counts;
    private final long[] marked;
    private long total;

    /** @param bins how many bins, at least 1 */
    public UnitHistogram(int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("a histogram needs at least one bin, got " + bins);
        }
        this.counts = new long[bins];
        this.marked = new long[bins];
    }

    /** True when {@code p} is a probability this histogram can count (in [0, 1], not NaN). */
    public static boolean isProbability(double p) {
        return p >= 0 && p <= 1;
    }

    /**
     * Counts {@code p}.
     *
     * @throws IllegalArgumentException when {@code p} is not in [0, 1]
     */
    public void add(double p, boolean mark) {
        if (!isProbability(p)) {
            throw new IllegalArgumentException("not a probability: " + p);
        }
        int bin = binOf(p);
        counts[bin]++;
        if (mark) {
            marked[bin]++;
        }
        total++;
    }

    public int bins() {
        return counts.length;
    }

    /** The bin {@code p} falls in. */
    public int binOf(double p) {
        return Math.min(counts.length - 1, (int) Math.floor(p * counts.length));
    }

    /** The bin's lower edge. */
    public double from(int bin) {
        return (double) bin / counts.length;
    }

    /** The bin's upper edge (inclusive for the last bin). */
    public double to(int bin) {
        return (double) (bin + 1) / counts.length;
    }

    public long count(int bin) {
        return counts[bin];
    }

    /** How many of the bin's values were marked. */
    public long marked(int bin) {
        return marked[bin];
    }

    /** All values counted. */
    public long total() {
        return total;
    }

    /** The number of bins holding at least one value: the bars a chart draws. */
    public int binsWithData() {
        int n = 0;
        for (long c : counts) {
            if (c > 0) {
                n++;
            }
        }
        return n;
    }

    /** The fullest bin's count (0 when empty). */
    public long largestCount() {
        long max = 0;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        return max;
    }
}
