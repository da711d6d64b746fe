package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --frames}, {@code --frame-step} and {@code --frame-rule} of {@code guard check} and {@code guard audit} on
 * the tiny model and real llama.cpp: animations get per-frame verdicts, still images the usual line.
 */
class FramesCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static TinyModel tiny;
    static Path gif;

    @BeforeAll
    static void setUp() throws IOException {
        tiny = TinyModel.writeTo(dir.resolve("model"));
        gif = dir.resolve("clip.gif");
        writeAnimatedGif(gif, 6);
    }

    /** {@code frames} full-size frames of different gradients, written by the JDK's GIF writer. */
    static void writeAnimatedGif(Path file, int frames) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int f = 0; f < frames; f++) {
                BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        image.setRGB(x, y, ((x * 8 + f * 40) & 0xFF) << 16 | ((y * 8) & 0xFF) << 8 | (f * 30));
                    }
                }
                writer.writeToSequence(new IIOImage(image, null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }

    @Test
    void checkJudgesTheSampledFramesOfAnAnimationAndStillImagesAsBefore() throws IOException {
        List<String> args = tiny.args("check");
        args.addAll(List.of(
                "--frames",
                "3",
                "--frame-rule",
                "k:2",
                gif.toString(),
                ModelCommandTest.sample("landscape.png").toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.stderr()).isZero();

        String[] lines = run.stdoutText().split("\n");
        assertThat(lines).hasSize(2);
        JsonNode clip = JSON.readTree(lines[0]);
        assertThat(clip.get("frame_count").asInt()).isEqualTo(6);
        assertThat(clip.get("frame_rule").asText()).isEqualTo("k:2");
        JsonNode frames = clip.get("frames");
        assertThat(frames).hasSize(3);
        assertThat(frames.get(0).get("index").asInt()).isZero();
        assertThat(frames.get(2).get("index").asInt()).isEqualTo(5);
        int unsafe = 0;
        double maxP = 0;
        for (JsonNode f : frames) {
            assertThat(f.get("rating").asText()).isIn("Safe", "Unsafe");
            assertThat(f.get("p_unsafe").isNumber()).isTrue();
            assertThat(f.get("time_ms").isIntegralNumber()).isTrue();
            unsafe += f.get("rating").asText().equals("Unsafe") ? 1 : 0;
            maxP = Math.max(maxP, f.get("p_unsafe").asDouble());
        }
        assertThat(clip.get("rating").asText()).isEqualTo(unsafe >= 2 ? "Unsafe" : "Safe");
        assertThat(clip.get("p_unsafe").asDouble()).isEqualTo(maxP);
        assertThat(clip.get("rating_source").asText()).isEqualTo("FRAME_RULE");
        assertThat(clip.get("source").asText())
                .as("distinct frames, each a model run")
                .isEqualTo("MODEL");

        JsonNode still = JSON.readTree(lines[1]);
        assertThat(still.has("frames")).isFalse();
        assertThat(still.has("frame_count")).isFalse();
        assertThat(still.get("rating_source").asText()).isEqualTo("MODEL");
        assertThat(still.get("source").asText()).isEqualTo("MODEL");
    }

    @Test
    void auditRecordsTheFramesAndTheReportListsTheFlaggedOnes() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.copy(gif, data.resolve("clip.gif"));
        Files.copy(ModelCommandTest.sample("cup.jpg"), data.resolve("cup.jpg"));
        Path out = dir.resolve("out");
        List<String> args = tiny.args("audit");
        // threshold 0: every frame is Unsafe, so the animation is flagged whatever the random model says
        args.addAll(List.of("--frame-step", "2", "--unsafe-threshold", "0", "--out", out.toString(), data.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.stderr()).isZero();

        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("verdicts.jsonl"))) {
            lines.add(JSON.readTree(line));
        }
        JsonNode clip = lines.stream()
                .filter(l -> l.get("path").asText().endsWith("clip.gif"))
                .findFirst()
                .orElseThrow();
        assertThat(clip.get("frames")).hasSize(3); // frames 0, 2, 4
        assertThat(clip.get("rating").asText()).isEqualTo("Unsafe");
        JsonNode cup = lines.stream()
                .filter(l -> l.get("path").asText().endsWith("cup.jpg"))
                .findFirst()
                .orElseThrow();
        assertThat(cup.has("frames")).isFalse();

        Document report = Jsoup.parse(out.resolve("report.html").toFile());
        assertThat(report.select("tr.flagged-frames-row")).singleElement().satisfies(row -> {
            assertThat(row.attr("data-unsafe-frames")).isEqualTo("0,2,4");
            assertThat(row.attr("data-judged-frames")).isEqualTo("3");
        });
        assertThat(report.text()).contains("one frame in 2; rule any");
    }

    @Test
    void badFrameOptionsAreRefusedBeforeTheModelLoads() {
        List<String> args = tiny.args("check");
        args.addAll(List.of("--frames", "3", "--frame-rule", "most", gif.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("--frame-rule: unknown frame rule 'most': use any, k:N");

        List<String> noFrames = tiny.args("check");
        noFrames.addAll(List.of("--frame-rule", "any", gif.toString()));
        CliRun lonely = CliRun.of(noFrames.toArray(String[]::new));
        assertThat(lonely.exitCode()).isEqualTo(2);
        assertThat(lonely.stderr()).contains("--frame-rule needs --frames N or --frame-step K");
    }
}
