package io.safetyguard.cli.audit;

import io.safetyguard.cli.report.UnitHistogram;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The score figures of an audit report, from the lines of {@code verdicts.jsonl}: a histogram of
 * P(Unsafe) (the part rated Unsafe marked), one of P(category) per category where lines carry
 * {@code category_probabilities} (the part where the model chose that category marked), and the
 * unsafe threshold to draw.
 *
 * <p>The threshold drawn is the one that decided the last line with a P(Unsafe), i.e. the latest
 * run's {@code --unsafe-threshold}. When that line was rated by the model's own choice it is {@link
 * #MODEL_CHOICE_BOUNDARY}: the model writes the likelier rating, which matches P(Unsafe) &gt;= 0.5
 * except where a rating's probability is split over several first tokens (see {@code
 * SafetyGuard.Builder#unsafeThreshold}), so the line there is where the model's choice flips, not
 * a setting. A log whose lines were judged under different thresholds is reported as mixed.
 */
public final class ScoreSummary {
    /** Bins of width 0.05: fine enough to see the shape, coarse enough to label each bar. */
    public static final int BINS = 20;
    /** The line drawn when no {@code --unsafe-threshold} decided: where the model's choice flips. */
    public static final double MODEL_CHOICE_BOUNDARY = 0.5;

    private final UnitHistogram pUnsafe;
    private final long judgedWithoutP;
    private final long withCategoryProbabilities;
    private final Map<String, UnitHistogram> categories;
    private final double threshold;
    private final boolean thresholdFromOption;
    private final Set<String> thresholdsSeen;

    private ScoreSummary(Builder b) {
        this.pUnsafe = b.pUnsafe;
        this.judgedWithoutP = b.judgedWithoutP;
        this.withCategoryProbabilities = b.withCategoryProbabilities;
        this.categories = Collections.unmodifiableMap(new LinkedHashMap<>(b.categories));
        this.thresholdFromOption = b.lastThreshold != null;
        this.threshold = thresholdFromOption ? b.lastThreshold : MODEL_CHOICE_BOUNDARY;
        this.thresholdsSeen = Collections.unmodifiableSet(new LinkedHashSet<>(b.thresholdsSeen));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** P(Unsafe) of every judged line that has one; marked: rated Unsafe. */
    public UnitHistogram pUnsafe() {
        return pUnsafe;
    }

    /** Judged lines (not errors) without a usable P(Unsafe): a backend that does not compute it. */
    public long judgedWithoutP() {
        return judgedWithoutP;
    }

    /** Judged lines that carry {@code category_probabilities}. */
    public long withCategoryProbabilities() {
        return withCategoryProbabilities;
    }

    /**
     * P(category) by category id, over the lines that carry {@code category_probabilities}, in the
     * order first seen; marked: the model chose that category. Empty when no line carries them.
     */
    public Map<String, UnitHistogram> categories() {
        return categories;
    }

    /** The unsafe threshold the report draws (see the class comment). */
    public double threshold() {
        return threshold;
    }

    /** True when {@link #threshold()} is an {@code --unsafe-threshold}, false when it is the model's choice. */
    public boolean thresholdFromOption() {
        return thresholdFromOption;
    }

    /**
     * How the lines with a P(Unsafe) were rated, in order first seen: the thresholds as numbers and
     * "model's choice"; more than one means the log mixes runs with different settings.
     */
    public Set<String> thresholdsSeen() {
        return thresholdsSeen;
    }

    static String describeThreshold(Double threshold) {
        return threshold == null ? "model's choice" : "--unsafe-threshold " + threshold;
    }

    /** True when {@code r} is a verdict with a P(Unsafe) a histogram can count. */
    static boolean hasPUnsafe(VerdictRecord r) {
        return !r.isError() && r.pUnsafe() != null && UnitHistogram.isProbability(r.pUnsafe());
    }

    /** Accumulates records one at a time; feed it with {@link VerdictLog#read}. */
    public static final class Builder implements Consumer<VerdictRecord> {
        private final UnitHistogram pUnsafe = new UnitHistogram(BINS);
        private final Map<String, UnitHistogram> categories = new LinkedHashMap<>();
        private final Set<String> thresholdsSeen = new LinkedHashSet<>();
        private long judgedWithoutP;
        private long withCategoryProbabilities;
        private Double lastThreshold;

        private Builder() {}

        /** Orders the category charts as {@code ids} lists them (others follow as first seen). */
        public Builder categoryOrder(Iterable<String> ids) {
            ids.forEach(id -> categories.putIfAbsent(id, new UnitHistogram(BINS)));
            return this;
        }

        @Override
        public void accept(VerdictRecord r) {
            if (r.isError()) {
                return;
            }
            if (hasPUnsafe(r)) {
                pUnsafe.add(r.pUnsafe(), r.isUnsafe());
                lastThreshold = r.unsafeThreshold();
                thresholdsSeen.add(describeThreshold(r.unsafeThreshold()));
            } else {
                judgedWithoutP++;
            }
            if (!r.categoryProbabilities().isEmpty()) {
                withCategoryProbabilities++;
                String chosen = r.categoryId();
                r.categoryProbabilities().forEach((id, p) -> {
                    if (UnitHistogram.isProbability(p)) {
                        categories
                                .computeIfAbsent(id, k -> new UnitHistogram(BINS))
                                .add(p, id.equals(chosen));
                    }
                });
            }
        }

        public ScoreSummary build() {
            // categories ordered in advance but never seen in a line have nothing to chart
            categories.values().removeIf(h -> h.total() == 0);
            return new ScoreSummary(this);
        }
    }
}
