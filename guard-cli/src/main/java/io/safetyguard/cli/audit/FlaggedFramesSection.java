package io.safetyguard.cli.audit;

import io.safetyguard.cli.report.HtmlPage;
import io.safetyguard.cli.report.HtmlTable;
import java.util.List;
import java.util.Locale;

/**
 * The report section for animated images judged frame by frame ({@code --frames}): for each
 * flagged animation, which of its sampled frames were Unsafe, when they appear, and why. Absent
 * when the audit judged no animation frame by frame.
 *
 * <p>Elements tests can rely on: {@code tr.flagged-frames-row[data-path]} with {@code
 * data-unsafe-frames} (the indices, comma-separated) and {@code data-judged-frames}.
 */
final class FlaggedFramesSection {

    private FlaggedFramesSection() {}

    static void render(HtmlPage page, AuditSummary s) {
        List<VerdictRecord> animated =
                s.flagged().stream().filter(r -> r.frames() != null).toList();
        if (animated.isEmpty()) {
            return;
        }
        page.section("flagged-frames", "Flagged frames of animated images (" + animated.size() + ")");
        page.paragraph("Each animation was judged on a sample of its frames (one model run per frame) and rated by "
                + "the frame rule. The frames listed were rated Unsafe; a frame that could not be judged is listed "
                + "as an error.");
        HtmlTable table = new HtmlTable("flagged-frames", "Image", "Rule", "Judged", "Unsafe frames");
        for (VerdictRecord r : animated) {
            FramesRecord f = r.frames();
            List<FramesRecord.Frame> unsafe = f.unsafe();
            StringBuilder frames = new StringBuilder();
            for (FramesRecord.Frame frame : f.judged()) {
                if (!frame.isUnsafe() && frame.error() == null) {
                    continue;
                }
                if (frames.length() > 0) {
                    frames.append("; ");
                }
                frames.append('#').append(frame.index());
                if (frame.timeMs() != null) {
                    frames.append(String.format(Locale.ROOT, " at %.2f s", frame.timeMs() / 1000.0));
                }
                if (frame.error() != null) {
                    frames.append(": error: ").append(frame.error());
                } else {
                    frames.append(": ").append(frame.category() == null ? "?" : frame.category());
                    if (frame.pUnsafe() != null) {
                        frames.append(String.format(Locale.ROOT, " (p=%.2f)", frame.pUnsafe()));
                    }
                }
            }
            table.rowWithAttributes(
                    List.of(
                            "class",
                            "flagged-frames-row",
                            "data-path",
                            r.path(),
                            "data-unsafe-frames",
                            String.join(
                                    ",",
                                    unsafe.stream()
                                            .map(u -> Integer.toString(u.index()))
                                            .toList()),
                            "data-judged-frames",
                            Integer.toString(f.judged().size())),
                    r.path(),
                    f.rule(),
                    f.judged().size() + " of " + f.frameCount(),
                    frames.toString());
        }
        page.raw(table.toHtml());
    }
}
