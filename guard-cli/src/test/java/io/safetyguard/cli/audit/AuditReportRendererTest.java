package io.safetyguard.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.examples.desktop.VerdictPresenter;
import io.safetyguard.policy.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The report page from hand-made records: figures, escaping, self-containment. No model involved. */
class AuditReportRendererTest {
    private static final Policy POLICY = Policy.llavaGuardDefault();
    private static final String EVIL = "<script>alert('x')</script>";
    private static final String PIXEL = "data:image/jpeg;base64,AAAA";

    private static VerdictRecord judged(String path, String rating, String category, double ms, String rationale) {
        return new VerdictRecord(path, "d", rating, category, rationale, 0.5, ms, null, "fp");
    }

    private static AuditSummary summary(List<VerdictRecord> records, int galleryLimit) {
        AuditSummary.Builder b = AuditSummary.builder(POLICY, 2, 10, galleryLimit);
        records.forEach(b);
        return b.build();
    }

    private static AuditRunInfo run() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new AuditRunInfo(
                t,
                t.plusSeconds(4),
                List.of("/data/" + EVIL),
                POLICY.name(),
                POLICY.fingerprint(),
                POLICY.render() + EVIL,
                "/m/model " + EVIL + ".gguf",
                "/m/mmproj.gguf",
                "tiny " + EVIL,
                Map.of("architecture", EVIL),
                true,
                Map.of("Parallel", "2"),
                6,
                3,
                2,
                4,
                List.of("warn " + EVIL));
    }

    private final List<VerdictRecord> records = List.of(
            judged("/data/a.png", "Safe", "NA: None applying", 5, "fine"),
            judged("/data/" + EVIL + ".png", "Unsafe", "O3: Sexual Content", 50, "because " + EVIL),
            judged("/data/c.png", "Safe", "O6: Weapons or Substance Abuse", 7, "allowed"),
            judged("/data/d.png", "Unsafe", "O6: Weapons or Substance Abuse", 30, "no"),
            new VerdictRecord(
                    "/data/" + EVIL + "-broken.png", null, null, null, null, null, 1, "corrupt " + EVIL, "fp"),
            judged("/data/f.png", "Safe", "NA: None applying", 6, "fine"));

    private Document render(int galleryLimit) {
        return Jsoup.parse(new AuditReportRenderer(r -> new Thumbnails.Thumbnail(PIXEL, null))
                .render(summary(records, galleryLimit), run()));
    }

    @Test
    void summaryCountsEveryLine() {
        AuditSummary s = summary(records, 10);
        assertThat(s.images()).isEqualTo(6);
        assertThat(s.safe()).isEqualTo(3);
        assertThat(s.unsafe()).isEqualTo(2);
        assertThat(s.errors()).isEqualTo(1);
        assertThat(s.unsafeShare()).isEqualTo(0.4);
        assertThat(s.slowest()).extracting(VerdictRecord::ms).containsExactly(50.0, 30.0);
        assertThat(s.categories()).hasSize(POLICY.categoryLabels().size());
        assertThat(s.categories())
                .filteredOn(c -> c.id().equals("O6"))
                .singleElement()
                .isEqualTo(new CategoryCount("O6: Weapons or Substance Abuse", "O6", 2, 1));
        assertThat(s.categories())
                .filteredOn(c -> c.id().equals("O1"))
                .singleElement()
                .extracting(CategoryCount::detections)
                .isEqualTo(0L);
    }

    @Test
    void unsafeShareIsUndefinedWhenNothingWasJudged() {
        assertThat(summary(List.of(), 1).unsafeShare()).isNaN();
    }

    @Test
    void reportShowsTheFigures() {
        Document doc = render(10);
        assertThat(doc.getElementById("total-images").text()).isEqualTo("6");
        assertThat(doc.getElementById("total-safe").text()).isEqualTo("3");
        assertThat(doc.getElementById("total-unsafe").text()).isEqualTo("2");
        assertThat(doc.getElementById("total-errors").text()).isEqualTo("1");
        assertThat(doc.getElementById("total-unsafe-share").text()).startsWith("40.00%");
        assertThat(doc.getElementById("total-skipped-not-images").text()).isEqualTo("3");
        Element o6 = doc.selectFirst("tr[data-category=O6]");
        assertThat(o6.attr("data-detections")).isEqualTo("2");
        assertThat(o6.attr("data-unsafe")).isEqualTo("1");
        assertThat(doc.select("svg.chart")).hasSize(1);
        assertThat(doc.select("figure.flagged")).hasSize(2);
        assertThat(doc.select("figure.flagged img").eachAttr("src")).containsOnly(PIXEL);
        assertThat(doc.select("tr.error-row")).hasSize(1);
        assertThat(doc.select("tr.slow-row")).hasSize(2);
        assertThat(doc.selectFirst("details pre").text()).contains("O1: Hate, Humiliation, Harassment");
        assertThat(doc.getElementById("policy-fingerprint").text()).isEqualTo(POLICY.fingerprint());
        assertThat(doc.text()).contains("RANDOM-WEIGHT");
    }

    @Test
    void theTinyModelNoteReadsLikeTheDesktopExamplesBanner() {
        // Both warn about the same thing (safetyguard.tiny) in one wording, so users recognise it.
        assertThat(AuditReportRenderer.TINY_MODEL_NOTE).startsWith(VerdictPresenter.TINY_MODEL_BANNER);
        assertThat(render(10).text()).contains(VerdictPresenter.TINY_MODEL_BANNER);
    }

    @Test
    void everythingFromFilesModelAndPolicyIsEscaped() {
        Document doc = render(10);
        assertThat(doc.select("script")).isEmpty();
        assertThat(doc.select("figure.flagged").eachAttr("data-path")).contains("/data/" + EVIL + ".png");
        assertThat(doc.select("tr.error-row td").eachText()).contains("corrupt " + EVIL);
        assertThat(doc.text()).contains("because " + EVIL, "architecture", "warn " + EVIL, "tiny " + EVIL);
    }

    @Test
    void flaggedImagesAreBlurredUntilRevealedWithoutScript() {
        String html =
                new AuditReportRenderer(r -> new Thumbnails.Thumbnail(PIXEL, null)).render(summary(records, 10), run());
        Document doc = Jsoup.parse(html);
        assertThat(doc.select("style").html())
                .contains(".gallery img{max-width:160px;max-height:160px;filter:blur(")
                .contains("input:checked+img")
                .contains("#reveal-all:checked~.gallery img{filter:none}");
        assertThat(doc.select("figure.flagged label > input[type=checkbox] + img"))
                .hasSize(2);
        assertThat(doc.getElementById("reveal-all")).isNotNull();
        assertThat(doc.getElementById("reveal-all").nextElementSiblings().select("div.gallery"))
                .hasSize(1);
    }

    @Test
    void theGalleryStopsAtItsLimitAndSaysSo() {
        Document doc = render(1);
        assertThat(doc.select("figure.flagged")).hasSize(1);
        assertThat(doc.text()).contains("Showing the first 1 of 2");
    }

    @Test
    void aMissingPreviewIsExplained() {
        Document doc = Jsoup.parse(new AuditReportRenderer(r -> new Thumbnails.Thumbnail(null, "no preview: gone"))
                .render(summary(records, 10), run()));
        assertThat(doc.select("figure.flagged img")).isEmpty();
        assertThat(doc.select("figure.flagged").first().text()).contains("no preview: gone");
    }

    @Test
    void theReportReferencesNothingOutsideItself() {
        String html =
                new AuditReportRenderer(r -> new Thumbnails.Thumbnail(PIXEL, null)).render(summary(records, 10), run());
        Document doc = Jsoup.parse(html);
        assertThat(doc.select("[src]").eachAttr("src")).allMatch(s -> s.startsWith("data:"));
        assertThat(doc.select("[href]")).isEmpty();
        assertThat(doc.select("link, script, iframe, object, embed")).isEmpty();
        assertThat(html)
                .doesNotContainIgnoringCase("http:")
                .doesNotContainIgnoringCase("https:")
                .doesNotContain("url(");
    }
}
