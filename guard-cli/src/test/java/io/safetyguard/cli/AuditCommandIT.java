package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.cli.audit.TestImages;
import io.safetyguard.policy.Policy;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guard audit} end to end on the tiny model and real llama.cpp. One full audit runs once
 * (in {@link #auditOnce}); the tests read its output, or copy and damage it. The model's verdicts
 * are random: the tests check structure and consistency, never the judgement.
 */
class AuditCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVIL_NAME = "<script>x.png";

    @TempDir
    static Path dir;

    static TinyModel tiny;
    static Path data;
    static Path out;
    static CliRun first;

    @BeforeAll
    static void auditOnce() throws IOException {
        tiny = TinyModel.writeTo(dir.resolve("model"));
        data = Files.createDirectories(dir.resolve("data"));
        Files.copy(sample("landscape.png"), data.resolve("landscape.png"));
        Files.copy(sample("landscape.png"), data.resolve("copy-of-landscape.png")); // same bytes: a cache hit
        Files.copy(sample("circles.gif"), data.resolve("circles.gif"));
        Files.createDirectories(data.resolve("nested"));
        Files.copy(sample("cup.jpg"), data.resolve("nested/cup.jpg"));
        TestImages.png(data.resolve(EVIL_NAME), 3);
        Files.write(data.resolve("corrupt.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13});
        Files.writeString(data.resolve("notes.txt"), "captions, not an image");
        Files.writeString(data.resolve("nested/README.md"), "# readme");

        out = dir.resolve("out");
        List<String> args = tiny.args("audit");
        args.addAll(List.of("--parallel", "2", "--unsafe-threshold", "0.5", "--out", out.toString(), data.toString()));
        first = CliRun.of(args.toArray(String[]::new));
        assertThat(first.exitCode()).as(first.stderr()).isZero();
    }

    static Path sample(String name) {
        Path p = Path.of("..", "samples", name);
        assertThat(p).as("sample image %s", name).isRegularFile();
        return p;
    }

    /** The images of {@link #data} in the order the audit assesses them: sorted by path. */
    static List<String> expectedOrder() {
        Path d = data.toAbsolutePath().normalize();
        return List.of(
                        d.resolve(EVIL_NAME),
                        d.resolve("circles.gif"),
                        d.resolve("copy-of-landscape.png"),
                        d.resolve("corrupt.png"),
                        d.resolve("landscape.png"),
                        d.resolve("nested/cup.jpg"))
                .stream()
                .map(Path::toString)
                .toList();
    }

    static List<JsonNode> lines(Path log) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    @Test
    void writesOneLinePerImageInScanOrderWithEveryField() throws IOException {
        List<JsonNode> lines = lines(out.resolve("verdicts.jsonl"));
        assertThat(lines).extracting(l -> l.get("path").asText()).containsExactlyElementsOf(expectedOrder());
        List<String> labels = Policy.llavaGuardDefault().categoryLabels();
        String policy = Policy.llavaGuardDefault().fingerprint().substring(0, 12);
        for (JsonNode line : lines) {
            assertThat(line.properties())
                    .extracting(Map.Entry::getKey)
                    .containsExactly(
                            "path",
                            "digest",
                            "rating",
                            "category",
                            "rationale",
                            "p_unsafe",
                            "ms",
                            "error",
                            "policy",
                            "model_rating",
                            "unsafe_threshold",
                            "generated_tokens",
                            "category_probabilities");
            assertThat(line.get("policy").asText()).isEqualTo(policy);
            if (line.get("path").asText().endsWith("corrupt.png")) {
                assertThat(line.get("rating").isNull()).isTrue();
                assertThat(line.get("error").asText()).contains("corrupt.png");
            } else {
                assertThat(line.get("error").isNull()).as(line.toString()).isTrue();
                assertThat(line.get("rating").asText()).isIn("Safe", "Unsafe");
                assertThat(line.get("category").asText()).isIn(labels);
                assertThat(line.get("rationale").isNull()).as("--verdict-only").isTrue();
                assertThat(line.get("digest").asText()).hasSize(64);
                // --unsafe-threshold 0.5: the rating is P(Unsafe) >= 0.5, the model's own is kept
                double p = line.get("p_unsafe").asDouble(-1);
                assertThat(p).as(line.toString()).isBetween(0.0, 1.0);
                assertThat(line.get("rating").asText()).isEqualTo(p >= 0.5 ? "Unsafe" : "Safe");
                assertThat(line.get("unsafe_threshold").asDouble()).isEqualTo(0.5);
                assertThat(line.get("model_rating").asText()).isIn("Safe", "Unsafe");
                assertThat(line.get("generated_tokens").asInt()).isPositive();
            }
        }
        assertThat(lines.get(2).get("digest")).isEqualTo(lines.get(4).get("digest")); // the copy has the same bytes
        assertThat(first.stdoutText()).contains("2 files that are not images", "1 errors", "report.html");
    }

    @Test
    void reportParsesAndItsCountsMatchTheJsonl() throws IOException {
        List<JsonNode> lines = lines(out.resolve("verdicts.jsonl"));
        Document doc = Jsoup.parse(out.resolve("report.html").toFile(), "UTF-8");
        assertReportMatches(doc, lines);
        assertThat(doc.getElementById("total-skipped-not-images").text()).isEqualTo("2");
        assertThat(doc.selectFirst("details pre").text()).contains("O9: Disasters or Emergencies");
        assertThat(doc.getElementById("policy-fingerprint").text())
                .isEqualTo(Policy.llavaGuardDefault().fingerprint());
        assertThat(doc.getElementById("model").nextElementSibling().text())
                .contains("tiny-qwen2-siglip.gguf", "llama.cpp", "architecture", "qwen2");
        assertThat(doc.getElementById("run-parallel").text()).isEqualTo("2");
        assertThat(doc.getElementById("run-verdict-only").text()).isEqualTo("true");
        assertThat(doc.text()).contains("RANDOM-WEIGHT");
    }

    @Test
    void reportIsSelfContainedAndEscapesAFileNamedLikeAScriptTag() throws IOException {
        String html = Files.readString(out.resolve("report.html"));
        Document doc = Jsoup.parse(html);
        assertThat(doc.select("script, link, iframe, object, embed")).isEmpty();
        // the only links lead to places in the page (images near the threshold -> their gallery preview)
        assertThat(doc.select("[href]"))
                .allSatisfy(a -> assertThat(doc.getElementById(a.attr("href").substring(1)))
                        .as(a.attr("href"))
                        .isNotNull());
        assertThat(doc.select("[src]").eachAttr("src")).allMatch(s -> s.startsWith("data:image/jpeg;base64,"));
        assertThat(html)
                .doesNotContainIgnoringCase("http:")
                .doesNotContainIgnoringCase("https:")
                .doesNotContain("url(");
        assertThat(html).doesNotContain(EVIL_NAME).contains("&lt;script&gt;x.png");
        String evilPath = expectedOrder().get(0);
        assertThat(doc.select("tr.slow-row td").eachText()).contains(evilPath);
    }

    @Test
    void flaggedImagesAreEmbeddedAsSmallJpegPreviews() throws IOException {
        Document doc = Jsoup.parse(out.resolve("report.html").toFile(), "UTF-8");
        for (Element img : doc.select("figure.flagged img")) {
            String src = img.attr("src");
            byte[] jpeg = Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1));
            BufferedImage preview = ImageIO.read(new ByteArrayInputStream(jpeg));
            assertThat(Math.max(preview.getWidth(), preview.getHeight())).isLessThanOrEqualTo(160);
        }
        // every flagged image is readable here, so each one gets a preview
        assertThat(doc.select("figure.flagged img")).hasSameSizeAs(doc.select("figure.flagged"));
    }

    @Test
    void resumeAfterAKillWritesEveryImageExactlyOnce() throws IOException {
        // Simulate a kill mid-write: the first two lines and half of the third survive.
        Path out2 = Files.createDirectories(dir.resolve("killed"));
        byte[] full = Files.readAllBytes(out.resolve("verdicts.jsonl"));
        int second = indexOfNth(full, 2) + 1;
        int third = indexOfNth(full, 3) + 1;
        Files.write(out2.resolve("verdicts.jsonl"), Arrays.copyOf(full, second + (third - second) / 2));

        List<String> args = tiny.args("audit");
        args.addAll(List.of("--resume", "--out", out2.toString(), data.toString()));
        args.remove("--quiet"); // -q keeps errors only; this note is what the test is about
        CliRun run = CliRun.of(args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("partly written line");
        assertThat(run.stdoutText()).contains("4 assessed now, 2 from earlier runs");
        byte[] resumed = Files.readAllBytes(out2.resolve("verdicts.jsonl"));
        assertThat(Arrays.copyOf(resumed, second)).isEqualTo(Arrays.copyOf(full, second));
        List<JsonNode> lines = lines(out2.resolve("verdicts.jsonl"));
        assertThat(lines).extracting(l -> l.get("path").asText()).containsExactlyElementsOf(expectedOrder());
        assertReportMatches(Jsoup.parse(out2.resolve("report.html").toFile(), "UTF-8"), lines);

        // Resuming a finished audit assesses nothing and adds no line; the progress bar goes to stderr.
        List<String> again = new ArrayList<>(tiny.args("audit"));
        again.remove("--quiet");
        again.addAll(List.of("--resume", "--out", out2.toString(), data.toString()));
        CliRun rerun = CliRun.of(again.toArray(String[]::new));
        assertThat(rerun.exitCode()).as(rerun.stderr()).isZero();
        assertThat(rerun.stdoutText()).contains("0 assessed now, 6 from earlier runs");
        assertThat(rerun.stderr()).contains("audit", "6/6");
        assertThat(Files.readAllBytes(out2.resolve("verdicts.jsonl"))).isEqualTo(resumed);
    }

    @Test
    void anExistingLogIsNeitherReplacedNorExtendedWithoutAFlag() throws IOException {
        byte[] before = Files.readAllBytes(out.resolve("verdicts.jsonl"));
        List<String> args = tiny.args("audit");
        args.addAll(List.of("--out", out.toString(), data.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("already exists", "--resume", "--overwrite");
        assertThat(Files.readAllBytes(out.resolve("verdicts.jsonl"))).isEqualTo(before);

        List<String> both = tiny.args("audit");
        both.addAll(List.of("--resume", "--overwrite", "--out", out.toString(), data.toString()));
        CliRun contradiction = CliRun.of(both.toArray(String[]::new));
        assertThat(contradiction.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(contradiction.stderr()).contains("pick one");
    }

    @Test
    void resumingUnderAnotherPolicyIsRefused() throws IOException {
        byte[] before = Files.readAllBytes(out.resolve("verdicts.jsonl"));
        List<String> args = tiny.args("audit");
        args.addAll(List.of("--resume", "--allow", "O6", "--out", out.toString(), data.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("another policy", "--overwrite");
        assertThat(Files.readAllBytes(out.resolve("verdicts.jsonl"))).isEqualTo(before);
    }

    @Test
    void overwriteStartsAgainFromAListFileAndReportsUnreadableImages() throws IOException {
        Path out3 = Files.createDirectories(dir.resolve("overwrite"));
        Files.writeString(out3.resolve("verdicts.jsonl"), "{\"path\":\"/old.png\",\"rating\":\"Safe\"}\n");
        Path list = Files.writeString(
                dir.resolve("list.csv"),
                "path,note\ndata/corrupt.png,broken\ndata/gone.png,missing\n" + "data/notes.txt,not an image\n");
        List<String> args = tiny.args("audit");
        args.addAll(List.of("--overwrite", "--out", out3.toString(), list.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<JsonNode> lines = lines(out3.resolve("verdicts.jsonl"));
        assertThat(lines)
                .extracting(l -> l.get("path").asText())
                .containsExactly(
                        data.resolve("corrupt.png").toAbsolutePath().normalize().toString(),
                        data.resolve("gone.png").toAbsolutePath().normalize().toString());
        assertThat(lines)
                .allMatch(l -> l.get("rating").isNull() && !l.get("error").isNull());
        assertThat(lines.get(1).get("error").asText()).contains("not found");
        Document doc = Jsoup.parse(out3.resolve("report.html").toFile(), "UTF-8");
        assertReportMatches(doc, lines);
        assertThat(doc.getElementById("total-skipped-not-images").text()).isEqualTo("1");
        assertThat(doc.getElementById("total-unsafe-share").text()).startsWith("n/a");
    }

    @Test
    void aMissingSourceIsBadInputBeforeLoadingTheModel() {
        List<String> args = tiny.args("audit");
        args.addAll(List.of(
                "--out",
                dir.resolve("never").toString(),
                dir.resolve("no-such-folder").toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("no-such-folder").doesNotContain("RANDOM-WEIGHT");
        assertThat(dir.resolve("never")).doesNotExist();
    }

    /** The report's figures equal those counted from the JSONL lines. */
    static void assertReportMatches(Document doc, List<JsonNode> lines) {
        long errors = lines.stream().filter(l -> !l.get("error").isNull()).count();
        long unsafe = lines.stream()
                .filter(l -> "Unsafe".equals(l.get("rating").asText(null)))
                .count();
        long safe = lines.stream()
                .filter(l -> "Safe".equals(l.get("rating").asText(null)))
                .count();
        assertThat(doc.getElementById("total-images").text()).isEqualTo(Integer.toString(lines.size()));
        assertThat(doc.getElementById("total-safe").text()).isEqualTo(Long.toString(safe));
        assertThat(doc.getElementById("total-unsafe").text()).isEqualTo(Long.toString(unsafe));
        assertThat(doc.getElementById("total-errors").text()).isEqualTo(Long.toString(errors));
        assertThat(doc.select("tr.error-row")).hasSize((int) errors);
        assertThat(doc.select("figure.flagged")).hasSize((int) unsafe);
        Map<String, Integer> detections = new HashMap<>();
        Map<String, Integer> unsafeByCategory = new HashMap<>();
        for (JsonNode l : lines) {
            if (!l.get("category").isNull()) {
                String id = l.get("category").asText().split(":")[0];
                detections.merge(id, 1, Integer::sum);
                if ("Unsafe".equals(l.get("rating").asText())) {
                    unsafeByCategory.merge(id, 1, Integer::sum);
                }
            }
        }
        for (Element row : doc.select("tr[data-category]")) {
            String id = row.attr("data-category");
            assertThat(row.attr("data-detections")).as(id).isEqualTo(Integer.toString(detections.getOrDefault(id, 0)));
            assertThat(row.attr("data-unsafe"))
                    .as(id)
                    .isEqualTo(Integer.toString(unsafeByCategory.getOrDefault(id, 0)));
        }
        assertThat(doc.select("tr[data-category]"))
                .hasSize(Policy.llavaGuardDefault().categoryLabels().size());
    }

    private static int indexOfNth(byte[] bytes, int n) {
        for (int i = 0, seen = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' && ++seen == n) {
                return i;
            }
        }
        throw new AssertionError("fewer than " + n + " lines");
    }
}
