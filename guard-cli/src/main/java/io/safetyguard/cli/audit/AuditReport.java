package io.safetyguard.cli.audit;

import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes {@code report.html} from {@code verdicts.jsonl}. The report is computed from the log, not
 * from the run in memory, so after a resumed audit it covers every image of every run.
 */
public final class AuditReport {
    /** The file name inside the audit's output folder. */
    public static final String FILE_NAME = "report.html";
    /** How many of the slowest images the report lists. */
    static final int SLOWEST = 10;
    /** How many error lines the report lists (all are counted). */
    static final int ERRORS_SHOWN = 1000;

    private AuditReport() {}

    /**
     * Reads {@code log}, renders the report and writes it to {@code html} (through a temporary file,
     * so a reader never sees half a report).
     *
     * @param policy       orders the categories (every category is listed, zero counts included)
     * @param galleryLimit how many flagged images get a preview, and how many of the images near the
     *                     unsafe threshold are listed
     * @return the figures the report shows
     */
    public static AuditSummary write(Path log, Path html, Policy policy, AuditRunInfo run, int galleryLimit)
            throws IOException {
        AuditSummary.Builder builder = AuditSummary.builder(policy, SLOWEST, ERRORS_SHOWN, galleryLimit);
        ScoreSummary.Builder scoreBuilder = ScoreSummary.builder()
                .categoryOrder(
                        policy.categoryLabels().stream().map(AuditSummary::idOf).toList());
        VerdictLog.read(log, builder.andThen(scoreBuilder));
        AuditSummary summary = builder.build();
        ScoreSummary scores = scoreBuilder.build();
        // the images near the threshold need the threshold, known only after the first pass
        NearThreshold near = NearThreshold.collect(log, scores.threshold(), galleryLimit);
        String page = new AuditReportRenderer(Thumbnails::forRecord).render(summary, run, scores, near);
        Path tmp = html.resolveSibling(html.getFileName() + ".tmp");
        Files.writeString(tmp, page, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, html, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, html, StandardCopyOption.REPLACE_EXISTING);
        }
        return summary;
    }
}
