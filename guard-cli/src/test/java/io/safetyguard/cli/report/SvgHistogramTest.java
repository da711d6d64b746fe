package io.safetyguard.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

class SvgHistogramTest {
    @Test
    void binsAreHalfOpenAndTheLastHoldsOne() {
        UnitHistogram h = new UnitHistogram(20);
        assertThat(h.binOf(0)).isZero();
        assertThat(h.binOf(0.0499)).isZero();
        assertThat(h.binOf(0.05)).isEqualTo(1);
        assertThat(h.binOf(0.15)).isEqualTo(3); // 0.15 * 20 = 3.0000000000000004
        assertThat(h.binOf(0.95)).isEqualTo(19);
        assertThat(h.binOf(1.0)).isEqualTo(19);
        assertThat(h.from(3)).isEqualTo(0.15);
        assertThat(h.to(19)).isEqualTo(1.0);
    }

    @Test
    void countsAndMarks() {
        UnitHistogram h = new UnitHistogram(10);
        h.add(0.01, false);
        h.add(0.02, true);
        h.add(1.0, true);
        assertThat(h.total()).isEqualTo(3);
        assertThat(h.count(0)).isEqualTo(2);
        assertThat(h.marked(0)).isEqualTo(1);
        assertThat(h.count(9)).isEqualTo(1);
        assertThat(h.binsWithData()).isEqualTo(2);
        assertThat(h.largestCount()).isEqualTo(2);
    }

    @Test
    void rejectsWhatIsNotAProbability() {
        UnitHistogram h = new UnitHistogram(10);
        assertThatThrownBy(() -> h.add(Double.NaN, false)).hasMessageContaining("not a probability: NaN");
        assertThatThrownBy(() -> h.add(1.01, false)).hasMessageContaining("1.01");
        assertThatThrownBy(() -> h.add(-0.1, false)).hasMessageContaining("-0.1");
        assertThatThrownBy(() -> new UnitHistogram(0)).hasMessageContaining("at least one bin");
    }

    @Test
    void drawsOneBarPerBinWithDataEvenWhenItIsTiny() {
        UnitHistogram h = new UnitHistogram(20);
        for (int i = 0; i < 10_000; i++) {
            h.add(0.001, false);
        }
        h.add(0.52, true); // one in 10,001: still a visible bar
        h.add(0.97, true);
        Document doc = Jsoup.parse(new SvgHistogram("t", h, "safe", "unsafe", "#888", "#c00")
                .marker(0.5, "threshold 0.5")
                .band(0.4, 0.6, "near")
                .toSvg());
        assertThat(doc.select("rect.bin")).hasSize(3);
        assertThat(doc.selectFirst("svg").attr("data-bins-with-data")).isEqualTo("3");
        // log scale: the full bar spans the plot (260 - 46 - 40 = 174 px), one value of 10,001 still
        // gets log(2) / log(10001) of it, about 13 px
        assertThat(height(doc.selectFirst("rect.bin[data-from=0.00]"))).isEqualTo(174);
        assertThat(height(doc.selectFirst("rect.bin[data-from=0.50]")))
                .isCloseTo(174 * Math.log(2) / Math.log(10_001), org.assertj.core.data.Offset.offset(0.01));
        Element mid = doc.selectFirst("rect.bin[data-from=0.50]");
        assertThat(mid.attr("data-count")).isEqualTo("1");
        assertThat(mid.attr("data-marked")).isEqualTo("1");
        assertThat(mid.selectFirst("title").text()).isEqualTo("0.50–0.55: 1 (unsafe: 1)");
        // a fully marked bar is fully covered
        assertThat(doc.select("rect.bin-marked")).hasSize(2);
        assertThat(doc.select("rect.bin-marked").first().attr("height"))
                .isEqualTo(doc.selectFirst("rect.bin[data-from=0.50]").attr("height"));
        Element marker = doc.selectFirst("line.marker");
        assertThat(marker.attr("data-value")).isEqualTo("0.5");
        // the plot spans x 52 .. 704 in a 720 wide chart: 0.5 is in the middle
        assertThat(Double.parseDouble(marker.attr("x1"))).isEqualTo(52 + 0.5 * (720 - 52 - 16));
        assertThat(doc.select("rect.band")).hasSize(1);
    }

    @Test
    void theMarkedPartIsTheMarkedShareOfTheBar() {
        UnitHistogram h = new UnitHistogram(4);
        for (int i = 0; i < 8; i++) {
            h.add(0.1, i < 2);
        }
        Document doc = Jsoup.parse(new SvgHistogram("t", h, "a", "b", "#888", "#c00").toSvg());
        assertThat(height(doc.selectFirst("rect.bin-marked"))).isEqualTo(height(doc.selectFirst("rect.bin")) / 4);
    }

    private static double height(Element rect) {
        return Double.parseDouble(rect.attr("height"));
    }

    @Test
    void theBandIsClippedToTheAxisAndAnEmptyChartSaysSo() {
        Document doc = Jsoup.parse(new SvgHistogram("t", new UnitHistogram(20), "a", "b", "#888", "#c00")
                .marker(0.05, "t")
                .band(-0.05, 0.15, "near")
                .toSvg());
        Element band = doc.selectFirst("rect.band");
        assertThat(Double.parseDouble(band.attr("x"))).isEqualTo(52);
        assertThat(Double.parseDouble(band.attr("width")))
                .isCloseTo(0.15 * 652, org.assertj.core.data.Offset.offset(0.01));
        assertThat(doc.select("rect.bin")).isEmpty();
        assertThat(doc.text()).contains("no data");
    }

    @Test
    void labelsAreEscaped() {
        UnitHistogram h = new UnitHistogram(5);
        h.add(0.3, false);
        String svg = new SvgHistogram("<b>", h, "<i>", "x", "#888", "#c00")
                .axisLabel("<script>")
                .toSvg();
        assertThat(svg).doesNotContain("<script>", "<b>", "<i>");
    }
}
