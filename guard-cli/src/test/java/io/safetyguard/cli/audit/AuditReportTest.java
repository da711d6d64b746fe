package io.safetyguard.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.ImageInput;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.policy.Policy;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AuditReport#write} from a log on disk, with real images for the previews. No model involved. */
class AuditReportTest {
    @TempDir
    Path dir;

    @Test
    void writesTheReportFromTheLogWithRealPreviews() throws Exception {
        Path big = TestImages.write(dir.resolve("big.png"), "png", 400, Color.ORANGE);
        String digest = ImageInput.ofPath(big).decode(ImageLimits.DEFAULT).sha256();
        Path log = dir.resolve(VerdictLog.FILE_NAME);
        try (VerdictLogWriter w = VerdictLogWriter.truncate(log)) {
            w.append(new VerdictRecord(
                    big.toString(), digest, "Unsafe", "O2: Violence, Harm, or Cruelty", "r", 0.9, 12, null, "p"));
            w.append(new VerdictRecord(
                    dir.resolve("gone.png").toString(),
                    "x",
                    "Unsafe",
                    "O2: Violence, Harm, or Cruelty",
                    "r",
                    0.9,
                    3,
                    null,
                    "p"));
            w.append(new VerdictRecord(
                    dir.resolve("c.png").toString(), "y", "Safe", "NA: None applying", "r", 0.1, 5, null, "p"));
        }
        Policy policy = Policy.llavaGuardDefault();
        Instant t = Instant.now();
        AuditRunInfo run = new AuditRunInfo(
                t,
                t.plusSeconds(2),
                List.of(dir.toString()),
                policy.name(),
                policy.fingerprint(),
                policy.render(),
                "m.gguf",
                "p.gguf",
                "m",
                Map.of(),
                false,
                Map.of(),
                3,
                0,
                0,
                3,
                List.of());
        Path html = dir.resolve(AuditReport.FILE_NAME);

        AuditSummary summary = AuditReport.write(log, html, policy, run, 10);

        assertThat(summary.images()).isEqualTo(3);
        assertThat(dir.resolve(AuditReport.FILE_NAME + ".tmp")).doesNotExist();
        Document doc = Jsoup.parse(html.toFile(), "UTF-8");
        assertThat(doc.getElementById("total-unsafe").text()).isEqualTo("2");
        assertThat(doc.select("figure.flagged")).hasSize(2);
        String src = doc.selectFirst("figure.flagged img").attr("src");
        BufferedImage preview =
                ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1))));
        assertThat(preview.getWidth()).isEqualTo(160);
        assertThat(preview.getHeight()).isEqualTo(160);
        assertThat(doc.select("figure.flagged").get(1).text()).contains("no preview");
        assertThat(doc.getElementById("run-images-s-in-this-run").text()).isEqualTo("1.5");
    }
}
