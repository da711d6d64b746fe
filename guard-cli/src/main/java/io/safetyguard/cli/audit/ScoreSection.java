package io.safetyguard.cli.audit;

import io.safetyguard.cli.report.Html;
import io.safetyguard.cli.report.HtmlPage;
import io.safetyguard.cli.report.SvgHistogram;
import io.safetyguard.cli.report.UnitHistogram;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The report's "Scores" section: the P(Unsafe) histogram with the threshold drawn on it and the
 * band of {@link NearThreshold#RADIUS} around it, the images in that band (each with its own blurred
 * preview, or a link to its preview in the flagged gallery), and a histogram of P(category) per
 * category when the log carries category probabilities.
 *
 * <p>Elements tests rely on: {@code svg.histogram.p-unsafe} with {@code rect.bin} per bin holding
 * values and {@code line.marker[data-value]}; {@code #scores-threshold}, {@code #scores-near};
 * {@code tr.near-row[data-path][data-p-unsafe]}; {@code figure.category-chart[data-category] svg.histogram.category}.
 */
final class ScoreSection {
    private static final String GREY = "#8a94a6";
    private static final String RED = "#c0392b";
    private static final String BLUE = "#2e86c1";

    private final Function<VerdictRecord, Thumbnails.Thumbnail> thumbnails;

    ScoreSection(Function<VerdictRecord, Thumbnails.Thumbnail> thumbnails) {
        this.thumbnails = thumbnails;
    }

    /**
     * @param labels         category id to its label, for the per-category chart titles
     * @param galleryAnchors image path to the element id of its figure in the flagged gallery
     */
    void render(
            HtmlPage page,
            ScoreSummary scores,
            NearThreshold near,
            Map<String, String> labels,
            Map<String, String> galleryAnchors) {
        page.section("scores", "Scores");
        UnitHistogram h = scores.pUnsafe();
        if (h.total() == 0) {
            page.paragraph("No verdict carries a P(Unsafe) (the backend did not compute it), so there is no "
                    + "score to chart.");
            categoryCharts(page, scores, labels);
            return;
        }
        String threshold = thresholdText(scores);
        page.raw(new SvgHistogram(
                        "P(Unsafe) of " + h.total() + " verdicts, threshold " + fmt(scores.threshold()),
                        h,
                        "rated Safe",
                        "rated Unsafe",
                        GREY,
                        RED)
                .cssClass("p-unsafe")
                .axisLabel("P(Unsafe)")
                .marker(scores.threshold(), "threshold " + fmt(scores.threshold()))
                .band(
                        scores.threshold() - NearThreshold.RADIUS,
                        scores.threshold() + NearThreshold.RADIUS,
                        "within ±" + NearThreshold.RADIUS)
                .toSvg());
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Threshold", threshold);
        rows.put("Near", near.count() + " of " + h.total() + " within ±" + NearThreshold.RADIUS + " of it");
        rows.put("Rated against the line", Long.toString(near.ratedAgainstLine()));
        rows.put("Without P(Unsafe)", Long.toString(scores.judgedWithoutP()));
        page.keyValues("scores-", rows);
        page.paragraph("Bars count verdicts per 0.05 of P(Unsafe), on a log scale so that the few between the "
                + "piles at 0 and 1 stay visible; the red share of a bar was rated Unsafe. "
                + (scores.thresholdFromOption()
                        ? "The dashed line is the --unsafe-threshold that rated the latest verdicts: Unsafe iff "
                                + "P(Unsafe) ≥ it."
                        : "No --unsafe-threshold was set, so the model's own choice rated the verdicts; the dashed "
                                + "line at 0.5 is where that choice flips when the model writes the likelier rating. "
                                + "\"Rated against the line\" counts the verdicts where it did not."));
        if (scores.thresholdsSeen().size() > 1) {
            page.note("verdicts.jsonl mixes verdicts rated by " + String.join(", ", scores.thresholdsSeen())
                    + " (runs with different settings); the line shows the latest.");
        }
        nearList(page, near, galleryAnchors);
        categoryCharts(page, scores, labels);
    }

    private static void categoryCharts(HtmlPage page, ScoreSummary scores, Map<String, String> labels) {
        if (scores.categories().isEmpty()) {
            return;
        }
        page.raw("<h3 id=\"category-scores\">P(category)</h3>\n");
        page.paragraph("For each category, P(category) at the step where the model wrote it, over the "
                + scores.withCategoryProbabilities()
                + " verdicts that carry category probabilities (log scale); the blue share of a bar is where the model "
                + "chose that category.");
        StringBuilder html = new StringBuilder("<div class=\"chart-grid\">\n");
        scores.categories().forEach((id, h) -> {
            String label = labels.getOrDefault(id, id);
            String svg = new SvgHistogram(
                            "P(" + label + ") of " + h.total() + " verdicts", h, "other", "chosen", GREY, BLUE)
                    .cssClass("category")
                    .size(350, 210)
                    .axisLabel("P(" + label + ")")
                    .toSvg();
            html.append("<figure class=\"category-chart\" data-category=\"")
                    .append(Html.escape(id))
                    .append("\"><figcaption>")
                    .append(Html.escape(label))
                    .append("</figcaption>")
                    .append(svg)
                    .append("</figure>\n");
        });
        page.raw(html.append("</div>\n").toString());
    }

    private void nearList(HtmlPage page, NearThreshold near, Map<String, String> galleryAnchors) {
        page.raw("<h3 id=\"near-threshold\">Worth a human look: " + near.count() + " within ±" + NearThreshold.RADIUS
                + " of the threshold</h3>\n");
        if (near.count() == 0) {
            page.paragraph("No verdict lies that close to the threshold.");
            return;
        }
        if (near.closest().size() < near.count()) {
            page.paragraph("Showing the " + near.closest().size() + " closest of " + near.count()
                    + " (raise --gallery-limit to show more).");
        }
        page.paragraph("Closest first. Previews are blurred: click one to reveal it.");
        StringBuilder html = new StringBuilder(
                "<table class=\"near-threshold\"><thead><tr><th>Preview</th><th>Image</th><th class=\"num\">"
                        + "P(Unsafe)</th><th>Rating</th><th>Category</th></tr></thead><tbody>\n");
        int i = 0;
        for (VerdictRecord r : near.closest()) {
            html.append("<tr class=\"near-row\" id=\"near-")
                    .append(i++)
                    .append("\" data-path=\"")
                    .append(Html.escape(r.path()))
                    .append("\" data-p-unsafe=\"")
                    .append(r.pUnsafe())
                    .append("\"><td>")
                    .append(preview(r, galleryAnchors))
                    .append("</td><td>")
                    .append(Html.escape(r.path()))
                    .append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%.3f", r.pUnsafe()))
                    .append("</td><td class=\"")
                    .append(r.isUnsafe() ? "unsafe" : "safe")
                    .append("\">")
                    .append(Html.escape(r.rating()))
                    .append("</td><td>")
                    .append(Html.escape(r.category()))
                    .append("</td></tr>\n");
        }
        page.raw(html.append("</tbody></table>\n").toString());
    }

    /** A link to the gallery's preview when the image has one there, else its own blurred preview. */
    private String preview(VerdictRecord r, Map<String, String> galleryAnchors) {
        String anchor = galleryAnchors.get(r.path());
        if (anchor != null) {
            return "<a href=\"#" + Html.escape(anchor) + "\">in the gallery</a>";
        }
        Thumbnails.Thumbnail t = thumbnails.apply(r);
        if (t.dataUri() == null) {
            return Html.escape(t.problem());
        }
        return "<label class=\"preview\"><input type=\"checkbox\"><img src=\"" + t.dataUri() + "\" alt=\""
                + Html.escape(r.path()) + "\"></label>";
    }

    private static String thresholdText(ScoreSummary scores) {
        return scores.thresholdFromOption()
                ? fmt(scores.threshold()) + " (--unsafe-threshold)"
                : fmt(scores.threshold()) + " (no --unsafe-threshold: where the model's own choice flips)";
    }

    private static String fmt(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", ".0");
    }
}
