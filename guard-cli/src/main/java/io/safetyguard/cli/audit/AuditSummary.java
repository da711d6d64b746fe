package io.safetyguard.cli.audit;

import io.safetyguard.policy.Policy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The figures of an audit report, computed from the lines of {@code verdicts.jsonl} (so a resumed
 * audit's report covers every line, not just the last run). Counts are exact; the lists shown in
 * the report (slowest, errors, flagged) keep only their first entries, up to the limits given.
 */
public final class AuditSummary {
    private final long images;
    private final long safe;
    private final long unsafe;
    private final long errors;
    private final double totalMillis;
    private final List<CategoryCount> categories;
    private final List<VerdictRecord> slowest;
    private final List<VerdictRecord> errorSamples;
    private final List<VerdictRecord> flagged;
    private final Set<String> policies;

    private AuditSummary(Builder b) {
        this.images = b.images;
        this.safe = b.safe;
        this.unsafe = b.unsafe;
        this.errors = b.errors;
        this.totalMillis = b.totalMillis;
        List<CategoryCount> cats = new ArrayList<>();
        b.detections.forEach((label, n) ->
                cats.add(new CategoryCount(label, idOf(label), n, b.unsafeByCategory.getOrDefault(label, 0L))));
        this.categories = List.copyOf(cats);
        List<VerdictRecord> slow = new ArrayList<>(b.slowest);
        slow.sort(Comparator.comparingDouble(VerdictRecord::ms).reversed());
        this.slowest = List.copyOf(slow);
        this.errorSamples = List.copyOf(b.errorSamples);
        this.flagged = List.copyOf(b.flagged);
        this.policies = Set.copyOf(b.policies);
    }

    /** A builder that orders categories as {@code policy} lists them (then any others, as first seen). */
    public static Builder builder(Policy policy, int slowestLimit, int errorLimit, int flaggedLimit) {
        return new Builder(policy.categoryLabels(), slowestLimit, errorLimit, flaggedLimit);
    }

    /** Lines in the log: one per image. */
    public long images() {
        return images;
    }

    public long safe() {
        return safe;
    }

    public long unsafe() {
        return unsafe;
    }

    /** Images with no verdict (unreadable, timed out, ...). */
    public long errors() {
        return errors;
    }

    /** Unsafe / (Safe + Unsafe): errors are left out, they say nothing about content. NaN when nothing was judged. */
    public double unsafeShare() {
        long judged = safe + unsafe;
        return judged == 0 ? Double.NaN : (double) unsafe / judged;
    }

    /** Sum of the per-image times. */
    public double totalMillis() {
        return totalMillis;
    }

    /** Every category of the policy (zero counts included), then any others found in the log. */
    public List<CategoryCount> categories() {
        return categories;
    }

    /** The slowest images, slowest first. */
    public List<VerdictRecord> slowest() {
        return slowest;
    }

    /** The first error lines, in log order. */
    public List<VerdictRecord> errorSamples() {
        return errorSamples;
    }

    /** The first Unsafe lines, in log order; {@link #unsafe()} says how many there are in all. */
    public List<VerdictRecord> flagged() {
        return flagged;
    }

    /** The policy fingerprint prefixes found in the log; more than one means mixed policies. */
    public Set<String> policies() {
        return policies;
    }

    static String idOf(String label) {
        int colon = label.indexOf(':');
        return colon < 0 ? label : label.substring(0, colon);
    }

    /** Accumulates records one at a time; feed it with {@link VerdictLog#read}. */
    public static final class Builder implements Consumer<VerdictRecord> {
        private final int slowestLimit;
        private final int errorLimit;
        private final int flaggedLimit;
        private final Map<String, Long> detections = new LinkedHashMap<>();
        private final Map<String, Long> unsafeByCategory = new LinkedHashMap<>();
        private final PriorityQueue<VerdictRecord> slowest =
                new PriorityQueue<>(Comparator.comparingDouble(VerdictRecord::ms));
        private final List<VerdictRecord> errorSamples = new ArrayList<>();
        private final List<VerdictRecord> flagged = new ArrayList<>();
        private final Set<String> policies = new LinkedHashSet<>();
        private long images;
        private long safe;
        private long unsafe;
        private long errors;
        private double totalMillis;

        private Builder(List<String> labels, int slowestLimit, int errorLimit, int flaggedLimit) {
            labels.forEach(l -> detections.put(l, 0L));
            this.slowestLimit = slowestLimit;
            this.errorLimit = errorLimit;
            this.flaggedLimit = flaggedLimit;
        }

        @Override
        public void accept(VerdictRecord r) {
            images++;
            totalMillis += r.ms();
            if (r.policy() != null) {
                policies.add(r.policy());
            }
            if (r.isError()) {
                errors++;
                if (errorSamples.size() < errorLimit) {
                    errorSamples.add(r);
                }
            } else if (r.isUnsafe()) {
                unsafe++;
                if (flagged.size() < flaggedLimit) {
                    flagged.add(r);
                }
            } else {
                safe++;
            }
            if (r.category() != null) {
                detections.merge(r.category(), 1L, Long::sum);
                if (r.isUnsafe()) {
                    unsafeByCategory.merge(r.category(), 1L, Long::sum);
                }
            }
            if (slowestLimit > 0) {
                slowest.add(r);
                if (slowest.size() > slowestLimit) {
                    slowest.poll();
                }
            }
        }

        public AuditSummary build() {
            return new AuditSummary(this);
        }
    }
}
