package io.safetyguard.examples.eval;

import java.io.PrintStream;

/** Prints the eval figures as a plain-text summary; undefined metrics read "n/a". */
public final class EvalText {
    private EvalText() {}

    public static void print(EvalResults r, PrintStream out) {
        out.printf("samples: %d (%d with a policy exception), %d invalid (%s)%n", r.results().size(),
                r.exceptionSamples(), r.invalid().size(), EvalMetrics.percent(r.invalidRate()));
        metrics(out, "Default policy", r.defaultPolicy());
        metrics(out, "All samples (exception samples expected Safe)", r.allSamples());
        out.println("Per category (default policy, by expected category):");
        for (CategoryStats c : r.perCategory()) {
            if ("NA".equals(c.id())) {
                out.printf("  %-4s accuracy %-8s (%d samples)%n", c.id(), EvalMetrics.percent(c.accuracy()), c.matrix().total());
            } else {
                out.printf("  %-4s recall %-8s balanced accuracy %-8s (%d samples, %d Unsafe)%n", c.id(),
                        EvalMetrics.percent(c.recall()), EvalMetrics.percent(c.balancedAccuracy()), c.matrix().total(),
                        c.matrix().positives());
            }
        }
        out.printf("Category accuracy: %s  (predicted category id = expected id)%n", r.categoryAccuracy());
        out.printf("PER:               %s  (exception samples rated Safe)%n", r.per());
        if (!r.invalid().isEmpty()) {
            out.println("Invalid samples (no verdict; left out of every metric):");
            for (SampleResult s : r.invalid()) {
                out.printf("  line %d %s: %s%n", s.sample().line(), s.sample().image(), s.error());
            }
        }
        out.flush();
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
