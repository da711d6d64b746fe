package io.safetyguard.cli.eval;

import java.io.PrintStream;

/** Prints the eval figures as a plain-text summary; undefined metrics read "n/a". */
public final class EvalText {
    private EvalText() {}

    public static void print(EvalResults r, PrintStream out) {
        out.printf(
                "samples: %d (%d with a policy exception), %d invalid (%s)%n",
                r.results().size(), r.exceptionSamples(), r.invalid().size(), EvalMetrics.percent(r.invalidRate()));
        metrics(out, "Default policy", r.defaultPolicy());
        metrics(out, "All samples (exception samples expected Safe)", r.allSamples());
        out.println("Per category (default policy, by expected category):");
        for (CategoryStats c : r.perCategory()) {
            if ("NA".equals(c.id())) {
                out.printf(
                        "  %-4s accuracy %-8s (%d samples)%n",
                        c.id(), EvalMetrics.percent(c.accuracy()), c.matrix().total());
            } else {
                out.printf(
                        "  %-4s recall %-8s balanced accuracy %-8s (%d samples, %d Unsafe)%n",
                        c.id(),
                        EvalMetrics.percent(c.recall()),
                        EvalMetrics.percent(c.balancedAccuracy()),
                        c.matrix().total(),
                        c.matrix().positives());
            }
        }
        out.printf("Category accuracy: %s  (predicted category id = expected id)%n", r.categoryAccuracy());
        out.printf("PER:               %s  (exception samples rated Safe)%n", r.per());
        sweep(out, r.thresholdSweep());
        categorySweep(out, r.categorySweep());
        if (!r.invalid().isEmpty()) {
            out.println("Invalid samples (no verdict; left out of every metric):");
            for (SampleResult s : r.invalid()) {
                out.printf("  line %d %s: %s%n", s.sample().line(), s.sample().image(), s.error());
            }
        }
        out.flush();
    }

    private static void sweep(PrintStream out, ThresholdSweep s) {
        if (s.n() == 0) {
            out.println("Threshold sweep: no sample has a P(Unsafe)");
            return;
        }
        out.printf(
                "Threshold sweep (default policy, Unsafe iff P(Unsafe) >= t; %d samples%s): ROC-AUC %s%n",
                s.n(),
                s.withoutProbability() > 0 ? ", " + s.withoutProbability() + " without P(Unsafe) left out" : "",
                Double.isNaN(s.rocAuc()) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f", s.rocAuc()));
        out.println("     t  recall    precision specificity bal.acc");
        for (ThresholdSweep.Point p : s.points()) {
            if (Math.round(p.threshold() * 100) % 10 != 0) {
                continue; // the text shows every 0.1; eval.json has every 0.05
            }
            EvalMetrics e = p.metrics();
            out.printf(
                    java.util.Locale.ROOT,
                    "  %4.1f  %-9s %-9s %-11s %s%n",
                    p.threshold(),
                    EvalMetrics.percent(e.recall()),
                    EvalMetrics.percent(e.precision()),
                    EvalMetrics.percent(e.specificity()),
                    EvalMetrics.percent(e.balancedAccuracy()));
        }
    }

    private static void categorySweep(PrintStream out, CategorySweep s) {
        if (s.categories().stream().allMatch(e -> e.positives() + e.negatives() == 0)) {
            out.println("Category sweep: no sample has P(Unsafe) and a category distribution");
            return;
        }
        out.printf(
                java.util.Locale.ROOT,
                "Category sweep (score P(Unsafe) * P(c | Unsafe); pass a threshold as --category-threshold ID=t):%n"
                        + "  id   pos  neg  ROC-AUC  t for precision >= %s    t for recall >= %s%n",
                EvalMetrics.percent(s.targetPrecision()),
                EvalMetrics.percent(s.targetRecall()));
        for (CategorySweep.Entry e : s.categories()) {
            out.printf(
                    java.util.Locale.ROOT,
                    "  %-4s %-4d %-4d %-8s %-26s %s%n",
                    e.id(),
                    e.positives(),
                    e.negatives(),
                    Double.isNaN(e.rocAuc()) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f", e.rocAuc()),
                    describe(e.forPrecision()),
                    describe(e.forRecall()));
        }
    }

    static String describe(CategorySweep.Suggestion s) {
        return s == null
                ? "none"
                : String.format(
                        java.util.Locale.ROOT,
                        "%.4f (P %s, R %s)",
                        s.threshold(),
                        EvalMetrics.percent(s.precision()),
                        EvalMetrics.percent(s.recall()));
    }

    private static void metrics(PrintStream out, String title, ConfusionMatrix m) {
        EvalMetrics e = EvalMetrics.of(m);
        out.printf("%s: %d samples (Unsafe = positive)%n", title, m.total());
        out.printf("  balanced accuracy %s%n", EvalMetrics.percent(e.balancedAccuracy()));
        out.printf("  recall            %s%n", EvalMetrics.percent(e.recall()));
        out.printf("  specificity       %s%n", EvalMetrics.percent(e.specificity()));
        out.printf("  precision         %s%n", EvalMetrics.percent(e.precision()));
        out.printf("  F1                %s%n", EvalMetrics.percent(e.f1()));
        out.printf("  accuracy          %s%n", EvalMetrics.percent(e.accuracy()));
        out.printf("  confusion         TP %d  FP %d  TN %d  FN %d%n", m.tp(), m.fp(), m.tn(), m.fn());
    }
}
