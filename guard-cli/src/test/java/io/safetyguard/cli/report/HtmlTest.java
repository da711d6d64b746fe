package io.safetyguard.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

class HtmlTest {

    @Test
    void escapesEveryCharacterThatCouldOpenMarkupOrCloseAnAttribute() {
        assertThat(Html.escape("<script>alert('x')</script> & \"q\""))
                .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
        assertThat(Html.escape(null)).isEmpty();
        assertThat(Html.escape("plain ü")).isEqualTo("plain ü");
    }

    @Test
    void pageTextTablesAndAttributesCannotInjectElements() {
        String evil = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";
        HtmlTable table = new HtmlTable("t", "Head " + evil).rowWithAttributes(List.of("data-path", evil), evil);
        String html = new HtmlPage("Title " + evil)
                .subtitle(evil)
                .note(evil)
                .section("s", evil)
                .paragraph(evil)
                .keyValues("kv-", Map.of("key " + evil, evil))
                .details(evil, evil)
                .raw(table.toHtml())
                .render();
        Document doc = Jsoup.parse(html);
        assertThat(doc.select("script")).isEmpty();
        assertThat(doc.select("img")).isEmpty();
        assertThat(doc.title()).isEqualTo("Title " + evil);
        assertThat(doc.selectFirst("tr[data-path]").attr("data-path")).isEqualTo(evil);
        assertThat(doc.selectFirst("table.t td").text()).isEqualTo(evil);
        assertThat(doc.selectFirst("details pre").text()).isEqualTo(evil);
    }

    @Test
    void keyValueCellsGetIdsFromTheirKeys() {
        Document doc = Jsoup.parse(new HtmlPage("x")
                .keyValues("total-", Map.of("Skipped (not images)", "3"))
                .render());
        assertThat(doc.getElementById("total-skipped-not-images").text()).isEqualTo("3");
    }

    @Test
    void pageHasNoExternalReference() {
        String html = new HtmlPage("x")
                .raw(new SvgBarChart("c", List.of("a"), List.of("#000"))
                        .row("r", 1)
                        .toSvg())
                .render();
        assertThat(html).doesNotContain("http://", "https://", "@import", "url(");
    }

    @Test
    void barChartScalesBarsEscapesLabelsAndMarksUndefinedValues() {
        String svg = new SvgBarChart("Counts", List.of("all", "unsafe"), List.of("#888", "#c00"))
                .row("<O1>", 10, 5)
                .row("O2", 0, Double.NaN)
                .toSvg();
        Document doc = Jsoup.parse(svg);
        List<String> widths = doc.select("rect[height=12]").eachAttr("width");
        // legend squares are 12x12 too: skip them (first two), then the bars in row order
        assertThat(widths.subList(2, widths.size())).containsExactly("380", "190", "0", "0");
        assertThat(svg).contains("&lt;O1&gt;").doesNotContain("<O1>").contains(">n/a<");
        assertThat(svg).doesNotContain("xmlns");
    }

    @Test
    void barChartNeedsOneColourPerSeriesAndOneValuePerSeries() {
        assertThatThrownBy(() -> new SvgBarChart("c", List.of("a", "b"), List.of("#000")))
                .isInstanceOf(IllegalArgumentException.class);
        SvgBarChart chart = new SvgBarChart("c", List.of("a", "b"), List.of("#000", "#111"));
        assertThatThrownBy(() -> chart.row("r", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("r");
    }
}
