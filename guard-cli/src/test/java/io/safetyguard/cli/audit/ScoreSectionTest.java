package io.safetyguard.cli.audit;

import static io.safetyguard.cli.audit.ScoreSummaryTest.scored;
import static io.safetyguard.cli.audit.ScoreSummaryTest.withCategories;
import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.policy.Policy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The report's scores section, rendered from hand-made records; previews are stubs. */
class ScoreSectionTest {
    private static final Policy POLICY = Policy.llavaGuardDefault();
    private static final String EVIL = "<script>alert('x')</script>";
    private static final String PIXEL = "data:image/jpeg;base64,AAAA";

    static AuditRunInfo run() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new AuditRunInfo(
                t,
                t.plusSeconds(4),
                List.of("/data"),
                POLICY.name(),
                POLICY.fingerprint(),
                POLICY.render(),
                "/m/model.gguf",
                "/m/mmproj.gguf",
                "model",
                Map.of(),
                false,
                Map.of(),
                6,
                0,
                0,
                6,
                List.of());
    }

    /** The page as {@link AuditReport#write} renders it, from records instead of a log file. */
    static String render(List<VerdictRecord> records, int galleryLimit) {
        AuditSummary.Builder summary = AuditSummary.builder(POLICY, 2, 10, galleryLimit);
        ScoreSummary.Builder scores = ScoreSummary.builder()
                .categoryOrder(
                        POLICY.categoryLabels().stream().map(AuditSummary::idOf).toList());
        records.forEach(summary.andThen(scores));
        ScoreSummary s = scores.build();
        NearThreshold.Collector near = new NearThreshold.Collector(s.threshold(), galleryLimit);
        records.forEach(near);
        return new AuditReportRenderer(r -> new Thumbnails.Thumbnail(PIXEL, null))
                .render(summary.build(), run(), s, near.build());
    }

    private final List<VerdictRecord> records = List.of(
            scored("/data/a.png", "Safe", 0.05, null),
            scored("/data/b.png", "Safe", 0.45, null),
            scored("/data/c.png", "Unsafe", 0.55, null),
            scored("/data/d.png", "Unsafe", 0.95, null),
            scored("/data/" + EVIL + ".png", "Safe", 0.58, null),
            new VerdictRecord("/data/e.png", null, null, null, null, null, 1, "corrupt", "p"));

    @Test
    void drawsTheHistogramWithTheModelsBoundaryWhenNoThresholdWasSet() {
        Document doc = Jsoup.parse(render(records, 10));
        Element chart = doc.selectFirst("#scores ~ svg.histogram.p-unsafe");
        // 0.05, 0.45, 0.55 and 0.58 (one bin), 0.95
        assertThat(chart.select("rect.bin")).hasSize(4);
        assertThat(chart.select("rect.bin[data-from=0.55]").attr("data-count")).isEqualTo("2");
        assertThat(chart.select("rect.bin[data-from=0.55]").attr("data-marked")).isEqualTo("1");
        assertThat(chart.selectFirst("line.marker").attr("data-value")).isEqualTo("0.5");
        assertThat(doc.getElementById("scores-threshold").text())
                .isEqualTo("0.5 (no --unsafe-threshold: where the model's own choice flips)");
        assertThat(doc.getElementById("scores-near").text()).isEqualTo("3 of 5 within ±0.1 of it");
        assertThat(doc.getElementById("scores-without-p-unsafe").text()).isEqualTo("0");
        assertThat(doc.getElementById("near-threshold").text()).startsWith("Worth a human look: 3 within");
        assertThat(doc.select("figure.category-chart")).isEmpty();
    }

    @Test
    void listsTheImagesNearTheThresholdClosestFirstWithPreviewsOrGalleryLinks() {
        Document doc = Jsoup.parse(render(records, 10));
        List<Element> rows = doc.select("tr.near-row");
        assertThat(rows)
                .extracting(r -> r.attr("data-path"))
                .containsExactly("/data/b.png", "/data/c.png", "/data/" + EVIL + ".png");
        assertThat(rows).extracting(r -> r.attr("data-p-unsafe")).containsExactly("0.45", "0.55", "0.58");
        // the Unsafe one has its preview in the gallery: a link there, not a second copy
        Element link = rows.get(1).selectFirst("a[href]");
        assertThat(link.attr("href")).isEqualTo("#flagged-0");
        assertThat(doc.getElementById("flagged-0").attr("data-path")).isEqualTo("/data/c.png");
        assertThat(rows.get(1).select("img")).isEmpty();
        // the Safe ones get their own blurred preview, revealed by a click like the gallery's
        for (Element row : List.of(rows.get(0), rows.get(2))) {
            assertThat(row.select("label.preview > input[type=checkbox] + img").attr("src"))
                    .isEqualTo(PIXEL);
        }
        assertThat(doc.select("style").html())
                .contains(".preview img{max-width:80px;max-height:80px;filter:blur(")
                .contains(".preview input:checked+img{filter:none}");
        assertThat(doc.select("script")).isEmpty();
    }

    @Test
    void theListStopsAtTheLimitAndSaysSo() {
        Document doc = Jsoup.parse(render(records, 1));
        assertThat(doc.select("tr.near-row"))
                .extracting(r -> r.attr("data-path"))
                .containsExactly("/data/b.png");
        assertThat(doc.text()).contains("Showing the 1 closest of 3");
    }

    @Test
    void drawsTheThresholdTheAuditUsed() {
        Document doc =
                Jsoup.parse(render(List.of(scored("/a", "Safe", 0.1, 0.3), scored("/b", "Unsafe", 0.31, 0.3)), 10));
        assertThat(doc.selectFirst("svg.p-unsafe line.marker").attr("data-value"))
                .isEqualTo("0.3");
        assertThat(doc.getElementById("scores-threshold").text()).isEqualTo("0.3 (--unsafe-threshold)");
        assertThat(doc.select("tr.near-row"))
                .extracting(r -> r.attr("data-path"))
                .containsExactly("/b");
        assertThat(doc.select("p.note").text()).doesNotContain("mixes");
    }

    @Test
    void aLogWithDifferentThresholdsSaysSo() {
        Document doc =
                Jsoup.parse(render(List.of(scored("/a", "Safe", 0.1, null), scored("/b", "Unsafe", 0.31, 0.3)), 10));
        assertThat(doc.select("p.note").text())
                .contains("mixes verdicts rated by model's choice, --unsafe-threshold 0.3")
                .contains("the line shows the latest");
    }

    @Test
    void withoutAnyProbabilityThereIsNoChart() {
        Document doc = Jsoup.parse(render(List.of(scored("/a", "Safe", null, null)), 10));
        assertThat(doc.select("svg.histogram")).isEmpty();
        assertThat(doc.getElementById("scores").nextElementSibling().text()).contains("No verdict carries a P(Unsafe)");
    }

    @Test
    void drawsOneChartPerCategoryInPolicyOrderWhenLinesCarryCategoryProbabilities() {
        List<VerdictRecord> withCats = new ArrayList<>(records);
        withCats.add(withCategories("/data/x.png", "O3: Sexual Content", Map.of("O3", 0.8, "O1", 0.05, "NA", 0.15)));
        withCats.add(withCategories("/data/y.png", "NA: None applying", Map.of("O3", 0.1, "O1", 0.1, "NA", 0.8)));
        Document doc = Jsoup.parse(render(withCats, 10));
        List<Element> charts = doc.select("figure.category-chart");
        assertThat(charts).extracting(c -> c.attr("data-category")).containsExactly("O1", "O3", "NA");
        Element o3 = charts.get(1);
        assertThat(o3.selectFirst("figcaption").text()).isEqualTo("O3: Sexual Content");
        assertThat(o3.select("svg.histogram.category rect.bin")).hasSize(2);
        assertThat(o3.select("rect.bin[data-from=0.80]").attr("data-marked")).isEqualTo("1");
        assertThat(doc.text()).contains("over the 2 verdicts that carry category probabilities");
    }

    @Test
    void everyLinkStaysInsideThePage() {
        String html = render(records, 10);
        Document doc = Jsoup.parse(html);
        assertThat(doc.select("[href]")).isNotEmpty().allSatisfy(a -> {
            String href = a.attr("href");
            assertThat(href).startsWith("#");
            assertThat(doc.getElementById(href.substring(1))).isNotNull();
        });
        assertThat(doc.select("[src]").eachAttr("src")).allMatch(s -> s.startsWith("data:"));
        assertThat(doc.select("link, script, iframe, object, embed")).isEmpty();
        assertThat(html)
                .doesNotContainIgnoringCase("http:")
                .doesNotContainIgnoringCase("https:")
                .doesNotContain("url(");
    }
}
