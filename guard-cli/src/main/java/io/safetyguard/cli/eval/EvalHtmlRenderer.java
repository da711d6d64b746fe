package io.safetyguard.cli.eval;

import io.safetyguard.cli.report.HtmlPage;
import io.safetyguard.cli.report.HtmlTable;
import io.safetyguard.cli.report.SvgBarChart;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Renders {@code eval.html} in the audit report's style (shared {@link HtmlPage}, {@link HtmlTable},
 * {@link SvgBarChart}). Elements tests and scripts can rely on: {@code #summary-samples},
 * {@code #summary-invalid}; {@code tr[data-metric]} rows of the metrics table (cells: name, default
 * policy, all samples); {@code tr[data-category]}; {@code tr.result-row}; {@code tr.invalid-row}.
 */
public final class EvalHtmlRenderer {
    /** Per-sample rows shown; eval.json has all. */
    static final int RESULT_ROWS = 2000;

    private EvalHtmlRenderer() {}

    public static String render(EvalResults r, EvalRunInfo run) {
        HtmlPage page = new HtmlPage("SafetyGuard evaluation");
        page.subtitle(
                r.results().size() + " samples from " + run.labels() + " · model " + run.modelName() + " · policy "
                        + run.policyName() + " · finished " + run.finished().truncatedTo(ChronoUnit.SECONDS));
        if (run.tinyModel()) {
            page.note("The model is a tiny RANDOM-WEIGHT test model: these figures are meaningless.");
        }
        summary(page, r);
        metrics(page, r);
        categories(page, r);
        thresholds(page, r.thresholdSweep());
        categoryThresholds(page, r.categorySweep());
        invalid(page, r);
        results(page, r);
        page.section("policy", "Policy");
        page.keyValues("policy-", Map.of("Fingerprint", run.policyFingerprint()));
        page.details(
                "Policy text as the model read it (exception samples: the same with their category non-violating)",
                run.policyText());
        page.section("model", "Model and settings");
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Model file", run.modelFile());
        rows.put("Projector file", run.mmprojFile());
        rows.put("Name", run.modelName());
        rows.putAll(new TreeMap<>(run.modelMetadata())); // sorted: ModelInfo keeps no order
        rows.put("Started", run.started().truncatedTo(ChronoUnit.SECONDS).toString());
        rows.putAll(run.settings());
        page.keyValues(null, rows);
        return page.render();
    }

    private static void summary(HtmlPage page, EvalResults r) {
        page.section("summary", "Summary");
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Samples", Integer.toString(r.results().size()));
        rows.put("Exception samples", Long.toString(r.exceptionSamples()));
        rows.put("Valid", Integer.toString(r.results().size() - r.invalid().size()));
        rows.put("Invalid", Integer.toString(r.invalid().size()));
        rows.put("Invalid rate", EvalMetrics.percent(r.invalidRate()));
        rows.put("Category accuracy", r.categoryAccuracy().toString());
        rows.put("PER", r.per().toString());
        page.keyValues("summary-", rows);
        page.paragraph("Unsafe is the positive class. Invalid samples (no verdict) are left out of every metric. "
                + "Category accuracy: predicted category id equals the expected id. PER (policy exception rate): "
                + "share of exception samples, whose category the policy declares non-violating, rated Safe. "
                + "n/a: undefined (no sample in the denominator).");
    }

    private static void metrics(HtmlPage page, EvalResults r) {
        page.section("metrics", "Metrics");
        EvalMetrics d = EvalMetrics.of(r.defaultPolicy());
        EvalMetrics a = EvalMetrics.of(r.allSamples());
        HtmlTable t = new HtmlTable(
                "metrics",
                "Metric",
                "Default policy (" + r.defaultPolicy().total() + ")",
                "All samples (" + r.allSamples().total() + ")");
        metricRow(t, "balanced_accuracy", "Balanced accuracy", EvalMetrics::balancedAccuracy, d, a);
        metricRow(t, "recall", "Recall", EvalMetrics::recall, d, a);
        metricRow(t, "specificity", "Specificity", EvalMetrics::specificity, d, a);
        metricRow(t, "precision", "Precision", EvalMetrics::precision, d, a);
        metricRow(t, "f1", "F1", EvalMetrics::f1, d, a);
        metricRow(t, "accuracy", "Accuracy", EvalMetrics::accuracy, d, a);
        page.raw(t.toHtml());
        HtmlTable c = new HtmlTable("confusion", "Confusion", "Default policy", "All samples");
        c.rowWithAttributes(
                List.of("data-cell", "tp"),
                "TP (Unsafe as Unsafe)",
                n(r.defaultPolicy().tp()),
                n(r.allSamples().tp()));
        c.rowWithAttributes(
                List.of("data-cell", "fp"),
                "FP (Safe as Unsafe)",
                n(r.defaultPolicy().fp()),
                n(r.allSamples().fp()));
        c.rowWithAttributes(
                List.of("data-cell", "tn"),
                "TN (Safe as Safe)",
                n(r.defaultPolicy().tn()),
                n(r.allSamples().tn()));
        c.rowWithAttributes(
                List.of("data-cell", "fn"),
                "FN (Unsafe as Safe)",
                n(r.defaultPolicy().fn()),
                n(r.allSamples().fn()));
        page.raw(c.toHtml());
    }

    private static void metricRow(
            HtmlTable t, String key, String name, ToDoubleFunction<EvalMetrics> f, EvalMetrics d, EvalMetrics a) {
        t.rowWithAttributes(
                List.of("data-metric", key),
                name,
                EvalMetrics.percent(f.applyAsDouble(d)),
                EvalMetrics.percent(f.applyAsDouble(a)));
    }

    private static void categories(HtmlPage page, EvalResults r) {
        page.section("categories", "Per category (default policy)");
        SvgBarChart chart = new SvgBarChart(
                        "Recall and balanced accuracy per expected category",
                        List.of("recall %", "balanced accuracy %"),
                        List.of("#c0392b", "#2e6fba"))
                .valueSuffix("%")
                .maxValue(100);
        HtmlTable t = new HtmlTable(
                "categories", "Category", "Samples", "Unsafe samples", "Recall", "Balanced accuracy", "Accuracy");
        for (CategoryStats c : r.perCategory()) {
            if (!"NA".equals(c.id())) {
                chart.row(c.label(), c.recall() * 100, c.balancedAccuracy() * 100);
            }
            t.rowWithAttributes(
                    List.of(
                            "data-category",
                            c.id(),
                            "data-samples",
                            n(c.matrix().total())),
                    c.label(),
                    n(c.matrix().total()),
                    n(c.matrix().positives()),
                    EvalMetrics.percent(c.recall()),
                    EvalMetrics.percent(c.balancedAccuracy()),
                    EvalMetrics.percent(c.accuracy()));
        }
        page.raw(chart.toSvg());
        page.raw(t.toHtml());
    }

    private static void thresholds(HtmlPage page, ThresholdSweep s) {
        page.section("thresholds", "Unsafe threshold sweep (default policy)");
        if (s.n() == 0) {
            page.paragraph("No sample has a P(Unsafe): the backend does not compute it.");
            return;
        }
        page.paragraph("Unsafe iff P(Unsafe) >= t, over the " + s.n() + " valid default-policy samples with a "
                + "P(Unsafe)"
                + (s.withoutProbability() > 0 ? " (" + s.withoutProbability() + " without one left out)" : "")
                + ". ROC-AUC: "
                + (Double.isNaN(s.rocAuc()) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f", s.rocAuc()))
                + ". Pass the chosen t as --unsafe-threshold.");
        HtmlTable t = new HtmlTable("thresholds", "t", "Recall", "Precision", "Specificity", "Balanced accuracy", "F1");
        for (ThresholdSweep.Point p : s.points()) {
            EvalMetrics e = p.metrics();
            t.rowWithAttributes(
                    List.of("data-threshold", String.valueOf(p.threshold())),
                    String.valueOf(p.threshold()),
                    EvalMetrics.percent(e.recall()),
                    EvalMetrics.percent(e.precision()),
                    EvalMetrics.percent(e.specificity()),
                    EvalMetrics.percent(e.balancedAccuracy()),
                    EvalMetrics.percent(e.f1()));
        }
        page.raw(t.toHtml());
    }

    private static void categoryThresholds(HtmlPage page, CategorySweep s) {
        page.section("category-thresholds", "Per-category thresholds (default policy)");
        page.paragraph("Score of category c: P(Unsafe) * P(c | Unsafe), the joint probability a category threshold "
                + "is compared with (0 where the model wrote Safe). Positives: samples labelled Unsafe with c. "
                + "Suggested t: the lowest with precision >= " + EvalMetrics.percent(s.targetPrecision())
                + ", the highest with recall >= " + EvalMetrics.percent(s.targetRecall())
                + ". Pass one as --category-threshold ID=t or under thresholds: in the policy file.");
        HtmlTable t = new HtmlTable(
                "category-thresholds",
                "Category",
                "Positives",
                "Negatives",
                "ROC-AUC",
                "t for precision",
                "t for recall");
        for (CategorySweep.Entry e : s.categories()) {
            t.rowWithAttributes(
                    List.of("data-category-threshold", e.id()),
                    e.id(),
                    String.valueOf(e.positives()),
                    String.valueOf(e.negatives()),
                    Double.isNaN(e.rocAuc()) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f", e.rocAuc()),
                    EvalText.describe(e.forPrecision()),
                    EvalText.describe(e.forRecall()));
        }
        page.raw(t.toHtml());
    }

    private static void invalid(HtmlPage page, EvalResults r) {
        page.section("invalid", "Invalid samples (" + r.invalid().size() + ")");
        if (r.invalid().isEmpty()) {
            page.paragraph("Every sample got a verdict.");
            return;
        }
        HtmlTable t = new HtmlTable("invalid", "Line", "Image", "Error");
        for (SampleResult s : r.invalid()) {
            t.rowWithAttributes(
                    List.of("class", "invalid-row"),
                    n(s.sample().line()),
                    s.sample().image().toString(),
                    s.error());
        }
        page.raw(t.toHtml());
    }

    private static void results(HtmlPage page, EvalResults r) {
        page.section("results", "Samples");
        HtmlTable t = new HtmlTable(
                "results", "Line", "Image", "Expected", "Exception", "Rating", "Category", "Correct", "ms");
        int shown = 0;
        for (SampleResult s : r.results()) {
            if (shown++ == RESULT_ROWS) {
                break;
            }
            LabeledSample l = s.sample();
            String expected = l.expected().label() + (l.expectedCategory() == null ? "" : " / " + l.expectedCategory());
            t.rowWithAttributes(
                    List.of("class", "result-row"),
                    n(l.line()),
                    l.image().toString(),
                    expected,
                    l.exception() == null ? "" : l.exception(),
                    s.isValid() ? s.predicted().label() : "invalid",
                    s.category() == null ? "" : s.category(),
                    s.isValid() ? (s.ratingCorrect() ? "yes" : "no") : "",
                    String.valueOf(s.ms()));
        }
        page.raw(t.toHtml());
        if (r.results().size() > RESULT_ROWS) {
            page.paragraph("Showing the first " + RESULT_ROWS + " of "
                    + r.results().size() + " samples; eval.json lists all.");
        }
    }

    private static String n(long v) {
        return Long.toString(v);
    }
}
