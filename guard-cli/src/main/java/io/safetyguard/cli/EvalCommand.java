package io.safetyguard.cli;

import io.safetyguard.cli.audit.InOrderAssessor;
import io.safetyguard.cli.eval.CategorySweep;
import io.safetyguard.cli.eval.EvalHtmlRenderer;
import io.safetyguard.cli.eval.EvalJson;
import io.safetyguard.cli.eval.EvalResults;
import io.safetyguard.cli.eval.EvalRunInfo;
import io.safetyguard.cli.eval.EvalText;
import io.safetyguard.cli.eval.LabeledSample;
import io.safetyguard.cli.eval.LabelsFile;
import io.safetyguard.cli.eval.SampleResult;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code guard eval}: run the model over labelled images and report the LlavaGuard paper's metrics.
 * The computation lives in {@code io.safetyguard.cli.eval}; this class wires options to it.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        header = "Measure accuracy on labelled images (balanced accuracy, recall, PER...).",
        description = {
            "Evaluate the model on labelled images with the LlavaGuard paper's metrics",
            "(Unsafe = positive): balanced accuracy, recall, specificity, precision, F1,",
            "accuracy, per-category recall, category accuracy and PER (policy exception",
            "rate). Samples with no verdict are reported as invalid, outside the metrics.",
            "",
            "--labels: CSV with the header image,rating,category,exception (or .jsonl",
            "  with those keys); image: a path relative to the labels file;",
            "  rating: Safe|Unsafe; category: O1..O9, NA or a full label (optional);",
            "  exception: a category declared non-violating for that row (optional;",
            "  the expected rating is then Safe).",
            ""
        })
final class EvalCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    PolicyOptions policyOptions = new PolicyOptions();

    @Mixin
    DecodingOptions decoding = new DecodingOptions();

    @Option(
            names = "--labels",
            required = true,
            paramLabel = "FILE",
            description = "The labelled samples (.csv or .jsonl).")
    Path labels;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write DIR/eval.json and DIR/eval.html.")
    Path out;

    @Option(
            names = "--target-precision",
            paramLabel = "P",
            description = "Suggest per-category thresholds that reach this precision (0 to 1). Default: 0.9.")
    Double targetPrecision;

    @Option(
            names = "--target-recall",
            paramLabel = "R",
            description = "Suggest per-category thresholds that reach this recall (0 to 1). Default: 0.95.")
    Double targetRecall;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintStream err = System.err;
        if (out != null && Files.isRegularFile(out)) {
            throw new BadInputException("--out " + out + " is a file; give a folder (it is created if missing)");
        }
        double precisionTarget = target("--target-precision", targetPrecision, CategorySweep.DEFAULT_TARGET_PRECISION);
        double recallTarget = target("--target-recall", targetRecall, CategorySweep.DEFAULT_TARGET_RECALL);
        Policy base = policyOptions.resolve();
        List<LabeledSample> samples = LabelsFile.read(labels, base);
        Map<String, Policy> exceptionPolicies = new HashMap<>();
        Instant started = Instant.now();
        List<SampleResult> results = new ArrayList<>(samples.size());
        EvalRunInfo run;
        try (GuardSession session = GuardSession.open(modelOptions, decoding, base, err);
                ProgressDisplay progress =
                        ProgressDisplay.start("eval", samples.size(), 0, GuardCli.quiet(spec), err)) {
            SafetyGuard guard = session.guard();
            InOrderAssessor.run(
                    samples,
                    2 * modelOptions.effectiveParallel(),
                    s -> guard.assessAsync(ImageInput.ofPath(s.image()), policyFor(s, base, exceptionPolicies)),
                    (s, verdict, error) -> {
                        results.add(verdict != null ? SampleResult.of(s, verdict) : SampleResult.ofException(s, error));
                        progress.step();
                    });
            run = new EvalRunInfo(
                    labels.toString(),
                    started,
                    Instant.now(),
                    base.name(),
                    base.fingerprint(),
                    base.render(),
                    modelOptions.modelDescription(),
                    modelOptions.mmprojDescription(),
                    guard.modelInfo().displayName(),
                    guard.modelInfo().metadata(),
                    session.tiny(),
                    session.describe(modelOptions, base));
        }
        EvalResults evaluated = EvalResults.compute(results, base, precisionTarget, recallTarget);
        EvalText.print(evaluated, System.out);
        if (out != null) {
            Files.createDirectories(out);
            EvalJson.write(out.resolve("eval.json"), evaluated, run);
            Files.writeString(
                    out.resolve("eval.html"), EvalHtmlRenderer.render(evaluated, run), StandardCharsets.UTF_8);
            System.out.println("wrote " + out.resolve("eval.json") + " and " + out.resolve("eval.html"));
        }
        return ExitCodes.OK;
    }

    private static double target(String flag, Double value, double fallback) {
        if (value == null) {
            return fallback;
        }
        if (!(value > 0 && value <= 1)) {
            throw new BadInputException(flag + " must be above 0 and at most 1, got " + value);
        }
        return value;
    }

    /**
     * The policy a sample is judged under: the base policy, or for an exception sample the base
     * with that category declared non-violating (docs/reference.md §4). One policy per exception id, so
     * the guard compiles each grammar once.
     */
    private static Policy policyFor(LabeledSample s, Policy base, Map<String, Policy> cache) {
        if (!s.hasException()) {
            return base;
        }
        return cache.computeIfAbsent(
                s.exception(), id -> base.toBuilder().allow(id).build());
    }
}
