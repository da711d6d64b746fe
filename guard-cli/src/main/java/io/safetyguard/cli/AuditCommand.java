package io.safetyguard.cli;

import io.safetyguard.cli.audit.AuditReport;
import io.safetyguard.cli.audit.AuditRunInfo;
import io.safetyguard.cli.audit.AuditSummary;
import io.safetyguard.cli.audit.InOrderAssessor;
import io.safetyguard.cli.audit.ScanResult;
import io.safetyguard.cli.audit.SourceScanner;
import io.safetyguard.cli.audit.VerdictLog;
import io.safetyguard.cli.audit.VerdictLogFormatException;
import io.safetyguard.cli.audit.VerdictLogWriter;
import io.safetyguard.cli.audit.VerdictPartFiles;
import io.safetyguard.cli.audit.VerdictRecord;
import io.safetyguard.core.FailureMode;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code guard audit}: assess every image of folders, files or path lists; write one JSON line per
 * image to {@code DIR/verdicts.jsonl} as it goes, then {@code DIR/report.html}. The work is done by
 * {@code io.safetyguard.cli.audit}; this class wires options to it.
 */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        header = "Audit folders or datasets: a JSONL of verdicts and an HTML report.",
        description = {
            "Audit folders or datasets: one verdict line per image in DIR/verdicts.jsonl,",
            "written as it goes, then a self-contained DIR/report.html.",
            "A killed audit continues with --resume.",
            "",
            "SOURCE: a folder (recursive), an image file, or a list of paths:",
            "  .txt/.lst/.list one per line, .csv first column; relative paths",
            "  resolve against the list's folder.",
            "Images: names ending .png .jpg .jpeg .jpe .gif .bmp .webp, and other files",
            "  whose content starts like PNG/JPEG/GIF/BMP/WebP. Other files are skipped",
            "  and counted; unreadable images become error lines.",
            "",
            "--report-only --from PATH renders DIR/report.html from verdict lines judged",
            "  elsewhere (a Spark audit's verdicts-jsonl folder) without loading a model.",
            ""
        })
final class AuditCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    PolicyOptions policyOptions = new PolicyOptions();

    @Mixin
    DecodingOptions decoding = new DecodingOptions();

    @Mixin
    FrameOptions frameOptions = new FrameOptions();

    @Mixin
    TrustEmbeddedOption trust = new TrustEmbeddedOption();

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Folder for verdicts.jsonl and report.html.")
    Path out;

    @Option(names = "--resume", description = "Continue the audit in DIR: skip images already in verdicts.jsonl.")
    boolean resume;

    @Option(names = "--overwrite", description = "Start again, replacing an existing DIR/verdicts.jsonl.")
    boolean overwrite;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--gallery-limit",
            paramLabel = "N",
            defaultValue = "500",
            description =
                    "Flagged images previewed in the report (all are counted and listed in the JSONL). Default: ${DEFAULT-VALUE}.")
    int galleryLimit;

    @Option(names = "--fail-on-unsafe", description = "Exit with code 3 when any image in the report is rated Unsafe.")
    boolean failOnUnsafe;

    @Option(
            names = "--write-metadata",
            description = "Also write each verdict into a copy of its image (XMP: PNG iTXt, JPEG APP1, WebP XMP chunk) "
                    + "under --metadata-out; GIF/BMP and unjudged images are skipped with the reason on stderr.")
    boolean writeMetadata;

    @Option(
            names = "--metadata-out",
            paramLabel = "DIR",
            description = "Folder for the stamped copies of --write-metadata (each keeps its input path below it). "
                    + "Default: the audit folder's stamped/.")
    Path metadataOut;

    @Option(
            names = "--in-place",
            description = "With --write-metadata: stamp the input files themselves instead of copies.")
    boolean inPlace;

    private final AtomicInteger stamped = new AtomicInteger();
    private final AtomicInteger notStamped = new AtomicInteger();

    @Option(
            names = "--report-only",
            description = "Judge nothing: render DIR/report.html from the verdict lines in --from "
                    + "(e.g. a Spark audit's verdicts-jsonl folder).")
    boolean reportOnly;

    @Option(
            names = "--from",
            paramLabel = "PATH",
            description = "With --report-only: a verdicts JSONL file, or a folder of .json/.jsonl part files.")
    Path from;

    @Parameters(paramLabel = "SOURCE", arity = "0..*", description = "Folders, image files or lists of image paths.")
    List<Path> sources = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (reportOnly || from != null) {
            return reportOnly();
        }
        if (sources.isEmpty()) {
            throw new BadInputException("give at least one SOURCE (a folder, an image file or a list of paths)");
        }
        PrintStream err = System.err;
        Path log = out.resolve(VerdictLog.FILE_NAME);
        checkOutputOptions(log);
        if (frameOptions.enabled()) {
            frameOptions.sampling(); // bad values fail before the model loads
            frameOptions.frameRule();
        }
        Policy policy = policyOptions.resolve();
        ScanResult scan = new SourceScanner(out).scan(sources);
        MetadataStamper stamper = stamper(scan.images());
        if (stamper != null && frameOptions.enabled()) {
            // a stamp carries one verdict for the file; a clip's verdict is the frame rule's, not a model's
            throw new BadInputException("--write-metadata cannot be combined with --frames/--frame-step");
        }
        Files.createDirectories(out);
        List<String> warnings = new ArrayList<>(scan.warnings());
        warnings.forEach(w -> CliLogging.note(err, "guard: warning: " + w));

        Set<String> done = resume && Files.exists(log) ? loadDone(log, policy, warnings, err) : Set.of();
        List<Path> todo = new ArrayList<>();
        for (Path image : scan.images()) {
            if (!done.contains(image.toString())) {
                todo.add(image);
            }
        }
        AuditRunInfo run = assess(scan, todo, done.size(), policy, log, warnings, err, stamper);
        Path html = out.resolve(AuditReport.FILE_NAME);
        AuditSummary summary = AuditReport.write(log, html, policy, run, Math.max(0, galleryLimit));
        printSummary(summary, run, log, html);
        if (stamper != null) {
            System.out.printf(
                    "%-9s %d stamped, %d not stamped (reasons on stderr); %s%n",
                    "metadata:",
                    stamped.get(),
                    notStamped.get(),
                    inPlace ? "in place" : "copies in " + (metadataOut != null ? metadataOut : out.resolve("stamped")));
        }
        return failOnUnsafe && summary.unsafe() > 0 ? ExitCodes.UNSAFE : ExitCodes.OK;
    }

    /** Loads the model, assesses {@code todo} in order, appending each verdict to the log as it comes. */
    private AuditRunInfo assess(
            ScanResult scan,
            List<Path> todo,
            long alreadyDone,
            Policy policy,
            Path log,
            List<String> warnings,
            PrintStream err,
            MetadataStamper stamper)
            throws IOException, InterruptedException {
        String fingerprint = policy.fingerprint();
        Instant started = Instant.now();
        try (GuardSession session = GuardSession.open(
                        modelOptions, decoding, policy, FailureMode.FAIL_CLOSED, trust.trustEmbedded, err);
                VerdictLogWriter writer = resume ? VerdictLogWriter.append(log) : VerdictLogWriter.truncate(log);
                ProgressDisplay progress = ProgressDisplay.start(
                        "audit", scan.images().size(), scan.images().size() - todo.size(), GuardCli.quiet(spec), err)) {
            SafetyGuard guard = session.guard();
            if (frameOptions.enabled()) {
                assessByFrame(guard, todo, fingerprint, writer, progress);
            } else {
                InOrderAssessor.run(
                        todo,
                        2 * modelOptions.effectiveParallel(),
                        image -> guard.assessAsync(ImageInput.ofPath(image)),
                        (image, verdict, error) -> {
                            writer.append(
                                    verdict != null
                                            ? VerdictRecord.of(image, verdict, fingerprint)
                                            : VerdictRecord.ofException(image, error, fingerprint));
                            if (stamper != null && verdict != null) {
                                stamp(stamper, image, verdict, err);
                            }
                            progress.step();
                        });
            }
            Instant finished = Instant.now();
            Map<String, String> settings = session.describe(modelOptions, policy);
            settings.put("Resume", Boolean.toString(resume));
            settings.put("Gallery limit", Integer.toString(galleryLimit));
            settings.putAll(frameOptions.describe());
            return new AuditRunInfo(
                    started,
                    finished,
                    sources.stream().map(Path::toString).toList(),
                    policy.name(),
                    fingerprint,
                    policy.render(),
                    modelOptions.modelDescription(),
                    modelOptions.mmprojDescription(),
                    guard.modelInfo().displayName(),
                    guard.modelInfo().metadata(),
                    session.tiny(),
                    settings,
                    scan.images().size(),
                    scan.skipped(),
                    alreadyDone,
                    todo.size(),
                    warnings);
        }
    }

    /** The assessment loop with {@code --frames}/{@code --frame-step}: animations judged frame by frame. */
    private void assessByFrame(
            SafetyGuard guard, List<Path> todo, String fingerprint, VerdictLogWriter writer, ProgressDisplay progress)
            throws IOException, InterruptedException {
        try (FrameOptions.Runner runner =
                new FrameOptions.Runner(frameOptions.judge(guard), modelOptions.effectiveParallel())) {
            InOrderAssessor.runOrdered(
                    todo, 2 * modelOptions.effectiveParallel(), runner::submit, (image, verdict, error) -> {
                        writer.append(
                                verdict != null
                                        ? VerdictRecord.ofFrames(
                                                image, verdict, verdict.sha256().orElse(null), fingerprint)
                                        : VerdictRecord.ofException(image, error, fingerprint));
                        progress.step();
                    });
        }
    }

    /** The --write-metadata stamper, or null without the option; refuses inconsistent options up front. */
    private MetadataStamper stamper(List<Path> images) {
        if (!writeMetadata) {
            if (metadataOut != null || inPlace) {
                throw new BadInputException(
                        (inPlace ? "--in-place" : "--metadata-out") + " only applies with --write-metadata");
            }
            return null;
        }
        if (inPlace && metadataOut != null) {
            throw new BadInputException("--in-place stamps the inputs themselves; drop --metadata-out or --in-place");
        }
        MetadataStamper stamper = inPlace
                ? MetadataStamper.inPlace()
                : MetadataStamper.toFolder(metadataOut != null ? metadataOut : out.resolve("stamped"));
        stamper.checkTargets(images);
        return stamper;
    }

    private void stamp(MetadataStamper stamper, Path image, io.safetyguard.core.Verdict verdict, PrintStream err) {
        MetadataStamper.Outcome outcome = stamper.stamp(image, verdict);
        if (outcome.written() != null) {
            stamped.incrementAndGet();
        } else {
            notStamped.incrementAndGet();
            // metadata errors already start with the file's name
            String reason = outcome.skipped().startsWith(image.toString())
                    ? outcome.skipped()
                    : image + ": " + outcome.skipped();
            if (outcome.error()) {
                err.println("guard: not stamped: " + reason); // shown even with -q
            } else {
                CliLogging.note(err, "guard: note: not stamped: " + reason);
            }
        }
    }

    /**
     * {@code --report-only --from PATH}: gathers the verdict lines of PATH into DIR/verdicts.jsonl and
     * renders DIR/report.html from them, under the policy options given (which must be the policy the
     * lines were judged under).
     */
    private int reportOnly() throws IOException {
        if (!reportOnly || from == null) {
            throw new BadInputException("--report-only and --from go together: --report-only --from PATH");
        }
        if (!sources.isEmpty()) {
            throw new BadInputException("--report-only judges nothing; drop the SOURCE arguments " + sources);
        }
        if (resume) {
            throw new BadInputException("--report-only renders what --from holds; --resume does not apply");
        }
        Path log = out.resolve(VerdictLog.FILE_NAME);
        if (Files.isRegularFile(out)) {
            throw new BadInputException("--out " + out + " is a file; give a folder (it is created if missing)");
        }
        if (Files.exists(log) && !overwrite) {
            throw new BadInputException(
                    log + " already exists: add --overwrite to replace it with the lines of " + from);
        }
        Policy policy = policyOptions.resolve();
        Files.createDirectories(out);
        Instant started = Instant.now();
        long records;
        try {
            records = VerdictPartFiles.gather(from, log);
        } catch (VerdictLogFormatException e) {
            Files.deleteIfExists(log);
            throw new BadInputException(e.getMessage(), e);
        } catch (IOException e) {
            Files.deleteIfExists(log);
            throw new BadInputException("cannot read --from " + from + ": " + e.getMessage(), e);
        }
        List<String> warnings = new ArrayList<>();
        loadDone(log, policy, warnings, System.err); // refuses lines of another policy
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("Report only", "verdicts from " + from);
        AuditRunInfo run = new AuditRunInfo(
                started,
                Instant.now(),
                List.of(from.toString()),
                policy.name(),
                policy.fingerprint(),
                policy.render(),
                "(judged elsewhere: " + from + ")",
                "(judged elsewhere)",
                "(judged elsewhere)",
                Map.of(),
                false,
                settings,
                (int) Math.min(Integer.MAX_VALUE, records),
                0,
                records,
                0,
                warnings);
        Path html = out.resolve(AuditReport.FILE_NAME);
        AuditSummary summary = AuditReport.write(log, html, policy, run, Math.max(0, galleryLimit));
        printSummary(summary, run, log, html);
        return failOnUnsafe && summary.unsafe() > 0 ? ExitCodes.UNSAFE : ExitCodes.OK;
    }

    private void checkOutputOptions(Path log) {
        if (resume && overwrite) {
            throw new BadInputException("--resume and --overwrite contradict each other: --resume continues " + log
                    + ", --overwrite replaces it; pick one");
        }
        if (Files.isRegularFile(out)) {
            throw new BadInputException("--out " + out + " is a file; give a folder (it is created if missing)");
        }
        if (Files.exists(log) && !resume && !overwrite) {
            throw new BadInputException(log + " already exists: add --resume to continue that audit, "
                    + "or --overwrite to start again (the file is then replaced)");
        }
    }

    /**
     * The paths already in the log, after repairing a line cut off by a kill. Refuses to mix
     * policies: the counts of one report must mean one thing.
     */
    private static Set<String> loadDone(Path log, Policy policy, List<String> warnings, PrintStream err)
            throws IOException {
        Set<String> done = new HashSet<>();
        Set<String> policies = new LinkedHashSet<>();
        VerdictLog.Contents contents = VerdictLog.repair(log, r -> {
            done.add(r.path());
            if (r.policy() != null) {
                policies.add(r.policy());
            }
        });
        if (contents.partialTail() != null) {
            String w = log + " ended in a partly written line (the audit was killed mid-write); dropped it, "
                    + "that image is assessed again";
            warnings.add(w);
            CliLogging.note(err, "guard: note: " + w);
        }
        String current = policy.fingerprint().substring(0, 12);
        policies.remove(current);
        if (!policies.isEmpty()) {
            throw new BadInputException(
                    log + " was written under another policy (fingerprint " + String.join(", ", policies)
                            + ", this run: " + current
                            + "). Resume with the same --policy/--preset/--allow/--sensitive options, "
                            + "or pass --overwrite to start again.");
        }
        return done;
    }

    private static void printSummary(AuditSummary s, AuditRunInfo run, Path log, Path html) {
        PrintStream stdout = System.out;
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put(
                "images",
                s.images() + " in " + log + " (" + run.assessed() + " assessed now, " + run.alreadyDone()
                        + " from earlier runs)");
        rows.put(
                "verdicts",
                s.safe() + " Safe, " + s.unsafe() + " Unsafe ("
                        + (Double.isNaN(s.unsafeShare())
                                ? "n/a"
                                : String.format(Locale.ROOT, "%.2f%%", 100 * s.unsafeShare()))
                        + " of judged), " + s.errors() + " errors");
        rows.put("skipped", run.skipped() + " files that are not images");
        rows.put(
                "speed",
                Double.isNaN(run.imagesPerSecond())
                        ? "n/a"
                        : String.format(Locale.ROOT, "%.2f images/s", run.imagesPerSecond()));
        rows.put("report", html.toString());
        rows.forEach((k, v) -> stdout.printf("%-9s %s%n", k + ":", v));
        stdout.flush();
    }
}
