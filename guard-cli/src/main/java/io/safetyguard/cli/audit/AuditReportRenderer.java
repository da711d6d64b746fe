package io.safetyguard.cli.audit;

import io.safetyguard.cli.report.Html;
import io.safetyguard.cli.report.HtmlPage;
import io.safetyguard.cli.report.HtmlTable;
import io.safetyguard.cli.report.SvgBarChart;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Renders {@code report.html} from an {@link AuditSummary} and the {@link AuditRunInfo}. The page is
 * self-contained (see {@link HtmlPage}); previews are data URIs, blurred until clicked (a hidden
 * checkbox per image, plus one that reveals all: CSS only, no script). Every string that came from
 * a file, the model or the policy is escaped.
 *
 * <p>Elements tests and scripts can rely on: {@code #total-images}, {@code #total-safe},
 * {@code #total-unsafe}, {@code #total-errors}, {@code #total-skipped-not-images}; category rows
 * {@code tr[data-category]} with {@code data-detections} and {@code data-unsafe}; {@code
 * figure.flagged[data-path]} (with {@code id="flagged-N"}); {@code tr.error-row[data-path]}; {@code tr.slow-row};
 * the scores section's elements are listed on {@link ScoreSection}.
 */
final class AuditReportRenderer {
    private static final String GREY = "#8a94a6";
    private static final String RED = "#c0392b";

    /** The note a report of a tiny random-weight model starts with; the desktop example's banner uses the same words. */
    static final String TINY_MODEL_NOTE =
            "The model is a tiny RANDOM-WEIGHT test model: these verdicts are meaningless. "
                    + "The report only shows that the pipeline runs end to end.";

    private final Function<VerdictRecord, Thumbnails.Thumbnail> thumbnails;

    /** @param thumbnails makes the preview for a flagged record (tests pass a stub that reads nothing) */
    AuditReportRenderer(Function<VerdictRecord, Thumbnails.Thumbnail> thumbnails) {
        this.thumbnails = thumbnails;
    }

    /** The page without the scores section (tests of the other sections). */
    String render(AuditSummary s, AuditRunInfo run) {
        return render(s, run, null, null);
    }

    /** The page; the scores section is left out when {@code scores} is null. */
    String render(AuditSummary s, AuditRunInfo run, ScoreSummary scores, NearThreshold near) {
        HtmlPage page = new HtmlPage("SafetyGuard audit report");
        page.subtitle(s.images() + " images · policy " + run.policyName() + " (" + shortFp(run.policyFingerprint())
                + ") · model " + run.modelName() + " · finished "
                + run.finished().truncatedTo(ChronoUnit.SECONDS));
        if (run.tinyModel()) {
            page.note(TINY_MODEL_NOTE);
        }
        if (s.policies().size() > 1) {
            page.note("verdicts.jsonl holds lines judged under " + s.policies().size() + " different policies ("
                    + String.join(", ", s.policies()) + "): its counts mix them.");
        }
        totals(page, s, run);
        categories(page, s);
        if (scores != null) {
            new ScoreSection(thumbnails).render(page, scores, near, categoryLabels(s), galleryAnchors(s));
        }
        gallery(page, s);
        FlaggedFramesSection.render(page, s);
        slowest(page, s);
        errors(page, s);
        policy(page, run);
        model(page, run);
        settings(page, run);
        return page.render();
    }

    private static void totals(HtmlPage page, AuditSummary s, AuditRunInfo run) {
        page.section("totals", "Totals");
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Images", Long.toString(s.images()));
        rows.put("Safe", Long.toString(s.safe()));
        rows.put("Unsafe", Long.toString(s.unsafe()));
        rows.put("Errors", Long.toString(s.errors()));
        rows.put("Unsafe share", percent(s.unsafeShare()) + " of " + (s.safe() + s.unsafe()) + " judged images");
        rows.put("Skipped (not images)", Integer.toString(run.skipped()));
        page.keyValues("total-", rows);
        page.paragraph(
                "Errors are images with no verdict (unreadable, corrupt, timed out); they are left out of "
                        + "the unsafe share. Skipped files were not images (by name and content) and are counted for this run only.");
    }

    private static void categories(HtmlPage page, AuditSummary s) {
        page.section("categories", "Categories");
        SvgBarChart chart = new SvgBarChart(
                "Verdicts per category: all detections and those rated Unsafe",
                List.of("detections", "unsafe"),
                List.of(GREY, RED));
        HtmlTable table = new HtmlTable("categories", "Category", "Detections", "Unsafe");
        long none = 0;
        for (CategoryCount c : s.categories()) {
            table.rowWithAttributes(
                    List.of(
                            "data-category",
                            c.id(),
                            "data-detections",
                            Long.toString(c.detections()),
                            "data-unsafe",
                            Long.toString(c.unsafe())),
                    c.label(),
                    Long.toString(c.detections()),
                    Long.toString(c.unsafe()));
            if ("NA".equals(c.id())) {
                none = c.detections();
            } else {
                chart.row(c.label(), c.detections(), c.unsafe());
            }
        }
        page.raw(chart.toSvg());
        page.paragraph("A detection is a verdict naming the category, whatever its rating: a Safe verdict can name "
                + "a category the policy permits. \"NA: None applying\" (not charted): " + none + ".");
        page.raw(table.toHtml());
    }

    private void gallery(HtmlPage page, AuditSummary s) {
        page.section("flagged", "Flagged images (" + s.unsafe() + ")");
        if (s.unsafe() == 0) {
            page.paragraph("No image was rated Unsafe.");
            return;
        }
        if (s.flagged().size() < s.unsafe()) {
            page.paragraph("Showing the first " + s.flagged().size() + " of " + s.unsafe()
                    + " (raise --gallery-limit to show more; verdicts.jsonl lists all).");
        }
        StringBuilder html = new StringBuilder();
        // The reveal-all checkbox must precede the gallery as a sibling for the CSS rule to reach it.
        html.append("<input type=\"checkbox\" id=\"reveal-all\"><label for=\"reveal-all\"> Reveal all previews</label>"
                + " (they are blurred; click one to reveal just it)\n<div class=\"gallery\">\n");
        int index = 0;
        for (VerdictRecord r : s.flagged()) {
            Thumbnails.Thumbnail t = thumbnails.apply(r);
            html.append("<figure class=\"flagged\" id=\"")
                    .append(galleryAnchor(index++))
                    .append("\" data-path=\"")
                    .append(Html.escape(r.path()))
                    .append("\">");
            if (t.dataUri() != null) {
                html.append("<label><input type=\"checkbox\"><img src=\"")
                        .append(t.dataUri())
                        .append("\" alt=\"")
                        .append(Html.escape(fileName(r.path())))
                        .append("\"></label>");
            } else {
                html.append("<label>").append(Html.escape(t.problem())).append("</label>");
            }
            html.append("<figcaption><b>")
                    .append(Html.escape(fileName(r.path())))
                    .append("</b><br>")
                    .append(Html.escape(r.category()))
                    .append(r.pUnsafe() == null ? "" : String.format(Locale.ROOT, " · p=%.2f", r.pUnsafe()))
                    .append("<br><span title=\"")
                    .append(Html.escape(r.rationale()))
                    .append("\">")
                    .append(Html.escape(abbreviate(r.rationale(), 140)))
                    .append("</span></figcaption></figure>\n");
        }
        page.raw(html.append("</div>\n").toString());
    }

    private static String galleryAnchor(int index) {
        return "flagged-" + index;
    }

    /** Image path to the id of its figure in the gallery (the first, should a path repeat). */
    private static Map<String, String> galleryAnchors(AuditSummary s) {
        Map<String, String> anchors = new LinkedHashMap<>();
        for (int i = 0; i < s.flagged().size(); i++) {
            anchors.putIfAbsent(s.flagged().get(i).path(), galleryAnchor(i));
        }
        return anchors;
    }

    private static Map<String, String> categoryLabels(AuditSummary s) {
        Map<String, String> labels = new LinkedHashMap<>();
        s.categories().forEach(c -> labels.putIfAbsent(c.id(), c.label()));
        return labels;
    }

    private static void slowest(HtmlPage page, AuditSummary s) {
        page.section("slowest", "Slowest images");
        HtmlTable table = new HtmlTable("slowest", "Image", "ms", "Rating");
        for (VerdictRecord r : s.slowest()) {
            table.rowWithAttributes(
                    List.of("class", "slow-row"), r.path(), format(r.ms()), r.isError() ? "error" : r.rating());
        }
        page.raw(table.toHtml());
        page.paragraph(String.format(
                Locale.ROOT,
                "Mean time per image: %s ms.",
                s.images() == 0 ? "n/a" : format(s.totalMillis() / s.images())));
    }

    private static void errors(HtmlPage page, AuditSummary s) {
        page.section("errors", "Errors (" + s.errors() + ")");
        if (s.errors() == 0) {
            page.paragraph("Every image got a verdict.");
            return;
        }
        HtmlTable table = new HtmlTable("errors", "Image", "Error");
        for (VerdictRecord r : s.errorSamples()) {
            table.rowWithAttributes(List.of("class", "error-row", "data-path", r.path()), r.path(), r.error());
        }
        page.raw(table.toHtml());
        if (s.errorSamples().size() < s.errors()) {
            page.paragraph("Showing the first " + s.errorSamples().size() + "; verdicts.jsonl lists all.");
        }
    }

    private static void policy(HtmlPage page, AuditRunInfo run) {
        page.section("policy", "Policy");
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Name", run.policyName());
        rows.put("Fingerprint", run.policyFingerprint());
        page.keyValues("policy-", rows);
        page.details("Policy text as the model read it", run.policyText());
    }

    private static void model(HtmlPage page, AuditRunInfo run) {
        page.section("model", "Model");
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Model file", run.modelFile());
        rows.put("Projector file", run.mmprojFile());
        rows.put("Name", run.modelName());
        rows.putAll(new TreeMap<>(run.modelMetadata())); // sorted: ModelInfo keeps no order
        page.keyValues(null, rows);
    }

    private static void settings(HtmlPage page, AuditRunInfo run) {
        page.section("run", "Run settings");
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Sources", String.join(", ", run.sources()));
        rows.put("Started", run.started().truncatedTo(ChronoUnit.SECONDS).toString());
        rows.put("Finished", run.finished().truncatedTo(ChronoUnit.SECONDS).toString());
        rows.put("Images found", Integer.toString(run.found()));
        rows.put("Already in verdicts.jsonl", Long.toString(run.alreadyDone()));
        rows.put("Assessed in this run", Long.toString(run.assessed()));
        rows.put("Images/s in this run", format(run.imagesPerSecond()));
        rows.putAll(run.settings());
        page.keyValues("run-", rows);
        if (!run.warnings().isEmpty()) {
            page.paragraph("Warnings:");
            HtmlTable table = new HtmlTable("warnings", "Warning");
            run.warnings().forEach(table::row);
            page.raw(table.toHtml());
        }
    }

    static String percent(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", share * 100);
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String shortFp(String fingerprint) {
        return fingerprint.substring(0, Math.min(12, fingerprint.length()));
    }

    private static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    private static String abbreviate(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
