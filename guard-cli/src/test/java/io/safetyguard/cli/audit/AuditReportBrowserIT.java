package io.safetyguard.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.cli.report.HeadlessChromium;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.policy.Policy;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html as a real browser draws it (headless Chromium): the score charts have their bars,
 * the screenshot is not blank, and clicking a blurred preview reveals it. No model involved: the
 * log is written by hand, with real images for the previews.
 */
class AuditReportBrowserIT {
    private static final int WIDTH = 1200;
    private static final int HEIGHT = 900;
    private static final Policy POLICY = Policy.llavaGuardDefault();
    /** Room for every image near the threshold, so the list holds the one with a preview. */
    private static final int GALLERY_LIMIT = 200;

    @TempDir
    static Path dir;

    private static Path html;
    private static int expectedBars;
    /** One browser for all tests (starting one is the slow part); only the reveal test changes the page. */
    private static HeadlessChromium browser;

    @BeforeAll
    static void writeReportAndOpenIt() throws Exception {
        Optional<Path> binary = HeadlessChromium.find();
        if (binary.isEmpty()) {
            return; // each test is skipped, with the reason
        }
        Path log = dir.resolve(VerdictLog.FILE_NAME);
        Set<Integer> bins = new HashSet<>();
        Random random = new Random(7);
        try (VerdictLogWriter w = VerdictLogWriter.truncate(log)) {
            // images with previews: two flagged (gallery), one Safe just under the line (own preview)
            w.append(withImage("unsafe-1.png", Color.RED, "Unsafe", 0.93, bins));
            w.append(withImage("unsafe-2.png", Color.MAGENTA, "Unsafe", 0.57, bins));
            w.append(withImage("borderline.png", Color.BLUE, "Safe", 0.46, bins));
            // many more verdicts without files: mostly confident, some in between
            for (int i = 0; i < 2000; i++) {
                double p = i % 10 == 0 ? random.nextDouble() : Math.pow(random.nextDouble(), 8) * 0.3;
                bins.add(Math.min(19, (int) Math.floor(p * 20)));
                Map<String, Double> categories = null;
                if (i % 4 == 0) {
                    double o3 = random.nextDouble();
                    categories = new LinkedHashMap<>(Map.of("O3", o3, "NA", 1 - o3));
                }
                w.append(new VerdictRecord(
                        "/gone/img-" + i + ".png",
                        "d" + i,
                        p >= 0.5 ? "Unsafe" : "Safe",
                        "NA: None applying",
                        "r",
                        p,
                        5,
                        null,
                        "p",
                        p >= 0.5 ? "Unsafe" : "Safe",
                        null,
                        20,
                        categories));
            }
        }
        expectedBars = bins.size();
        html = dir.resolve(AuditReport.FILE_NAME);
        Instant t = Instant.now();
        AuditReport.write(
                log,
                html,
                POLICY,
                new AuditRunInfo(
                        t,
                        t.plusSeconds(5),
                        List.of(dir.toString()),
                        POLICY.name(),
                        POLICY.fingerprint(),
                        POLICY.render(),
                        "m.gguf",
                        "p.gguf",
                        "m",
                        Map.of(),
                        false,
                        Map.of(),
                        2003,
                        0,
                        0,
                        2003,
                        List.of()),
                GALLERY_LIMIT);
        browser = HeadlessChromium.open(
                binary.get(), Files.createDirectories(dir.resolve("browser")), html.toUri(), WIDTH, HEIGHT);
    }

    @BeforeEach
    void needsChromium() {
        assumeTrue(
                browser != null,
                "chromium not found on the PATH (Debian: apt-get install chromium; .ci/run installs it), " + "or set "
                        + HeadlessChromium.BINARY_ENV + " to a Chromium binary");
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private static VerdictRecord withImage(String name, Color color, String rating, double p, Set<Integer> bins)
            throws Exception {
        Path file = TestImages.write(dir.resolve(name), "png", 200, color);
        String digest = ImageInput.ofPath(file).decode(ImageLimits.DEFAULT).sha256();
        bins.add(Math.min(19, (int) Math.floor(p * 20)));
        return new VerdictRecord(
                file.toString(), digest, rating, "O2: Violence, Harm, or Cruelty", "r", p, 9, null, "p");
    }

    @Test
    void theScoreChartsDrawOneVisibleBarPerBinWithData() throws Exception {
        HeadlessChromium b = browser;
        JsonNode bars = b.evaluate(boxes("svg.p-unsafe rect.bin"));
        assertThat(bars).hasSize(expectedBars);
        bars.forEach(box -> {
            assertThat(box.get("w").asDouble()).isPositive();
            assertThat(box.get("h").asDouble()).isPositive();
        });
        JsonNode line = b.evaluate(boxes("svg.p-unsafe line.marker"));
        assertThat(line).hasSize(1);
        assertThat(line.get(0).get("h").asDouble()).isGreaterThan(50);
        JsonNode chart = b.evaluate(boxes("svg.p-unsafe")).get(0);
        // the line sits at 0.5 of the plot (52 px margin left, 16 right, in a 720 px chart)
        double lineX = line.get(0).get("x").asDouble() - chart.get("x").asDouble();
        assertThat(lineX).isCloseTo(52 + 0.5 * 652, org.assertj.core.data.Offset.offset(2.0));
        assertThat(b.evaluate("[...document.querySelectorAll('figure.category-chart')]"
                                + ".map(f => f.dataset.category)")
                        .toString())
                .isEqualTo("[\"O3\",\"NA\"]");
        assertThat(b.evaluate(boxes("figure.category-chart svg rect.bin")))
                .isNotEmpty()
                .allSatisfy(box -> assertThat(box.get("h").asDouble()).isPositive());
        // nothing was fetched: the page is self-contained
        assertThat(b.evaluate("performance.getEntriesByType('resource').length").asInt())
                .isZero();
    }

    @Test
    void theScreenshotShowsTheHistogram() throws Exception {
        HeadlessChromium b = browser;
        b.evaluate("document.getElementById('scores').scrollIntoView(); true");
        JsonNode chart = b.evaluate(boxes("svg.p-unsafe")).get(0);
        byte[] png = b.screenshot();
        Path saved = Files.createDirectories(Path.of("target", "browser")).resolve("audit-report-scores.png");
        Files.write(saved, png);
        BufferedImage shot = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(shot.getWidth()).isEqualTo(WIDTH);
        assertThat(shot.getHeight()).isEqualTo(HEIGHT);
        assertThat(lumaVariance(shot)).as("pixel variance of %s", saved).isGreaterThan(100);
        // the Unsafe parts of the bars are drawn in the report's red, in the plot below the legend
        int legend = 46;
        int red = countNear(
                shot,
                new Color(0xc0392b),
                chart.get("x").asInt(),
                chart.get("y").asInt() + legend,
                chart.get("w").asInt(),
                chart.get("h").asInt() - legend);
        assertThat(red).as("red pixels in the chart of %s", saved).isGreaterThan(50);
    }

    @Test
    void clickingABlurredPreviewRevealsIt() throws Exception {
        HeadlessChromium b = browser;
        String gallery = "figure.flagged img";
        String near = "tr.near-row label.preview img";
        assertThat(b.evaluate(filters(gallery)).toString()).isEqualTo("[\"blur(14px)\",\"blur(14px)\"]");
        assertThat(b.evaluate(filters(near)).toString()).isEqualTo("[\"blur(8px)\"]");

        clickOn(b, gallery);
        assertThat(b.evaluate(filters(gallery)).toString()).isEqualTo("[\"none\",\"blur(14px)\"]");
        clickOn(b, gallery);
        assertThat(b.evaluate(filters(gallery)).toString()).isEqualTo("[\"blur(14px)\",\"blur(14px)\"]");

        clickOn(b, near);
        assertThat(b.evaluate(filters(near)).toString()).isEqualTo("[\"none\"]");

        clickOn(b, "label[for=reveal-all]");
        assertThat(b.evaluate(filters(gallery)).toString()).isEqualTo("[\"none\",\"none\"]");
    }

    /** Scrolls the first match into view and clicks its middle. */
    private static void clickOn(HeadlessChromium b, String selector) {
        JsonNode box = b.evaluate("(() => { const e = document.querySelector('" + selector + "');"
                + " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                + " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()");
        b.click(box.get("x").asDouble(), box.get("y").asDouble());
    }

    private static String filters(String selector) {
        return "[...document.querySelectorAll('" + selector + "')].map(e => getComputedStyle(e).filter)";
    }

    private static String boxes(String selector) {
        return "[...document.querySelectorAll('" + selector + "')].map(e => { const r = e.getBoundingClientRect();"
                + " return {x: r.x, y: r.y, w: r.width, h: r.height}; })";
    }

    private static double lumaVariance(BufferedImage img) {
        double sum = 0;
        double sumSq = 0;
        long n = (long) img.getWidth() * img.getHeight();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                double luma = 0.299 * (rgb >> 16 & 0xff) + 0.587 * (rgb >> 8 & 0xff) + 0.114 * (rgb & 0xff);
                sum += luma;
                sumSq += luma * luma;
            }
        }
        double mean = sum / n;
        return sumSq / n - mean * mean;
    }

    private static int countNear(BufferedImage img, Color color, int x0, int y0, int w, int h) {
        int count = 0;
        for (int y = Math.max(0, y0); y < Math.min(img.getHeight(), y0 + h); y++) {
            for (int x = Math.max(0, x0); x < Math.min(img.getWidth(), x0 + w); x++) {
                Color c = new Color(img.getRGB(x, y));
                if (Math.abs(c.getRed() - color.getRed()) < 12
                        && Math.abs(c.getGreen() - color.getGreen()) < 12
                        && Math.abs(c.getBlue() - color.getBlue()) < 12) {
                    count++;
                }
            }
        }
        return count;
    }
}
