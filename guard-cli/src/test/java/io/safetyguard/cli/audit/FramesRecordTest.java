package io.safetyguard.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.policy.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The per-frame part of verdict lines: JSONL round trip, still lines unchanged, the report section. */
class FramesRecordTest {

    private static final FramesRecord FRAMES = new FramesRecord(
            120,
            "k:2",
            List.of(
                    new FramesRecord.Frame(0, 0L, "Safe", "NA: None applying", 0.1, null),
                    new FramesRecord.Frame(60, 2000L, "Unsafe", "O2: Violence, Harm, or Cruelty", 0.9, null),
                    new FramesRecord.Frame(119, 3970L, null, null, null, "timed out after 5 s")));

    private static VerdictRecord animated(String path) {
        return new VerdictRecord(
                path,
                "d",
                "Unsafe",
                "O2: Violence, Harm, or Cruelty",
                "r",
                0.9,
                12,
                null,
                "fp",
                "Unsafe",
                null,
                null,
                null,
                FRAMES);
    }

    @Test
    void framesRoundTripThroughTheJsonLine() {
        VerdictRecord r = animated("/data/clip.gif");
        String line = r.toJsonLine();

        assertThat(line)
                .contains("\"frame_count\":120,\"frame_rule\":\"k:2\",\"frames\":[{\"index\":0,\"time_ms\":0,"
                        + "\"rating\":\"Safe\",\"category\":\"NA: None applying\",\"p_unsafe\":0.1,\"error\":null}");
        assertThat(VerdictRecord.parse(line)).isEqualTo(r);
        assertThat(r.frames().unsafe()).extracting(FramesRecord.Frame::index).containsExactly(60);
    }

    @Test
    void stillImageLinesHaveNoFramesKeys() {
        VerdictRecord still =
                new VerdictRecord("/data/a.png", "d", "Safe", "NA: None applying", "r", 0.1, 3, null, "fp");
        assertThat(still.toJsonLine()).doesNotContain("frame");
        assertThat(VerdictRecord.parse(still.toJsonLine()).frames()).isNull();
    }

    @Test
    void theReportListsTheFlaggedFramesOfAnimations() {
        Policy policy = Policy.llavaGuardDefault();
        AuditSummary.Builder b = AuditSummary.builder(policy, 2, 10, 10);
        b.accept(animated("/data/clip.gif"));
        b.accept(new VerdictRecord("/data/still.png", "d", "Unsafe", "O3: Sexual Content", "r", 0.8, 3, null, "fp"));
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        AuditRunInfo run = new AuditRunInfo(
                t,
                t.plusSeconds(1),
                List.of("/data"),
                policy.name(),
                policy.fingerprint(),
                policy.render(),
                "m",
                "p",
                "tiny",
                Map.of(),
                false,
                Map.of(),
                2,
                0,
                0,
                2,
                List.of());

        Document page =
                Jsoup.parse(new AuditReportRenderer(r -> new Thumbnails.Thumbnail("data:image/png;base64,AA", null))
                        .render(b.build(), run));

        List<Element> rows = page.select("tr.flagged-frames-row");
        assertThat(rows).hasSize(1);
        Element row = rows.get(0);
        assertThat(row.attr("data-path")).isEqualTo("/data/clip.gif");
        assertThat(row.attr("data-unsafe-frames")).isEqualTo("60");
        assertThat(row.attr("data-judged-frames")).isEqualTo("3");
        assertThat(row.text())
                .contains("k:2")
                .contains("3 of 120")
                .contains("#60 at 2.00 s: O2: Violence, Harm, or Cruelty (p=0.90)")
                .contains("#119 at 3.97 s: error: timed out after 5 s");
    }

    @Test
    void noSectionWithoutAnimations() {
        Policy policy = Policy.llavaGuardDefault();
        AuditSummary.Builder b = AuditSummary.builder(policy, 2, 10, 10);
        b.accept(new VerdictRecord("/data/still.png", "d", "Unsafe", "O3: Sexual Content", "r", 0.8, 3, null, "fp"));
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        AuditRunInfo run = new AuditRunInfo(
                t,
                t.plusSeconds(1),
                List.of("/data"),
                policy.name(),
                policy.fingerprint(),
                policy.render(),
                "m",
                "p",
                "tiny",
                Map.of(),
                false,
                Map.of(),
                1,
                0,
                0,
                1,
                List.of());
        Document page =
                Jsoup.parse(new AuditReportRenderer(r -> new Thumbnails.Thumbnail("data:image/png;base64,AA", null))
                        .render(b.build(), run));
        assertThat(page.select("#flagged-frames, tr.flagged-frames-row")).isEmpty();
    }
}
