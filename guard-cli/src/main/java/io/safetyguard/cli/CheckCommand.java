package io.safetyguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.cli.audit.FramesRecord;
import io.safetyguard.core.FailureMode;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.core.frames.FrameVerdict;
import io.safetyguard.core.frames.FramesVerdict;
import io.safetyguard.policy.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code guard check}: one JSON object per line per image, in argument order, written as each
 * verdict arrives.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = {
            "Check images against a policy and print one JSON line per image:",
            "image, rating, category, rationale, p_unsafe, cached, ms (and error when no verdict could be made),",
            "then model_rating, rating_source, unsafe_threshold and generated_tokens, then category_probabilities",
            "(category id to P(category | the rating written), null when unknown) and category_thresholds,",
            "then source: where the verdict came from (MODEL, CACHE, EMBEDDED with --trust-embedded, FAILURE).",
            "With --frames N, an animated GIF/WebP is judged frame by frame and its line adds",
            "frame_count, frame_rule and frames (index, time_ms, rating, category, p_unsafe, error per frame).",
            "Exit code 2 when an image could not be judged (its line has error and the fail-closed rating;",
            "the reason is also on stderr), 3 with --fail-on-unsafe when any image is rated Unsafe.",
            "With --write-metadata, exit code 2 also when a stamp could not be written to a PNG/JPEG/WebP",
            "(malformed file, disk error); GIF, BMP and unjudged images are skipped with the reason."
        })
final class CheckCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

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
            names = "--fail-open",
            description = "Rate an image Safe when no verdict can be made (default: Unsafe, fail-closed).")
    boolean failOpen;

    @Option(
            names = "--fail-on-unsafe",
            description = "Exit with code 3 when any image is rated Unsafe "
                    + "(also one that could not be judged, rated by the failure mode); 3 wins over 2.")
    boolean failOnUnsafe;

    @Option(
            names = "--write-metadata",
            description = "Write each verdict into a copy of its image (XMP: PNG iTXt, JPEG APP1, WebP XMP chunk) "
                    + "under --out; the line gets metadata (the copy) or metadata_skipped (why not, e.g. GIF/BMP).")
    boolean writeMetadata;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Folder for the stamped copies of --write-metadata; each keeps its input path below DIR.")
    Path out;

    @Option(
            names = "--in-place",
            description = "With --write-metadata: stamp the input files themselves instead of copies.")
    boolean inPlace;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files (PNG, JPEG, GIF, BMP, WebP).")
    List<Path> images = new ArrayList<>();

    @Override
    public Integer call() {
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new BadInputException(image + ": no such image file");
            }
        }
        boolean byFrame = frameOptions.enabled() && frameOptions.sampling() != null && frameOptions.frameRule() != null;
        MetadataStamper stamper = stamper();
        if (byFrame && stamper != null) {
            // a stamp carries one verdict for the file; a clip's verdict is the frame rule's, not a model's
            throw new BadInputException("--write-metadata cannot be combined with --frames/--frame-step");
        }
        Policy policy = policyOptions.resolve();
        FailureMode failureMode = failOpen ? FailureMode.FAIL_OPEN : FailureMode.FAIL_CLOSED;
        boolean anyUnsafe = false;
        boolean anyUnjudged = false;
        try (GuardSession session =
                GuardSession.open(modelOptions, decoding, policy, failureMode, trust.trustEmbedded, System.err)) {
            if (byFrame) {
                return checkByFrame(session);
            }
            List<CompletableFuture<Verdict>> pending = new ArrayList<>();
            for (Path image : images) {
                pending.add(session.guard().assessAsync(ImageInput.ofPath(image)));
            }
            // Printed in argument order as each verdict arrives.
            for (int i = 0; i < images.size(); i++) {
                Verdict verdict = pending.get(i).join();
                anyUnsafe |= verdict.isUnsafe();
                String line = toJsonLine(images.get(i), verdict);
                if (stamper != null) {
                    MetadataStamper.Outcome stamp = stamper.stamp(images.get(i), verdict);
                    line = withStamp(line, stamp);
                    if (stamp.error()) {
                        anyUnjudged = true;
                        System.err.println("guard: " + images.get(i) + ": metadata not written: " + stamp.skipped());
                    }
                }
                System.out.println(line);
                System.out.flush();
                if (verdict.isFailure()) {
                    // The JSON line carries the fail-open/closed rating for scripts; a person needs the reason.
                    anyUnjudged = true;
                    System.err.println("guard: " + images.get(i) + ": "
                            + verdict.failureReason().orElse("no verdict could be made"));
                    System.err.flush();
                }
            }
        }
        if (failOnUnsafe && anyUnsafe) {
            return ExitCodes.UNSAFE;
        }
        return anyUnjudged ? ExitCodes.BAD_INPUT : ExitCodes.OK;
    }

    /** {@link #call()} with {@code --frames}/{@code --frame-step}: animations are judged frame by frame. */
    private int checkByFrame(GuardSession session) {
        boolean anyUnsafe = false;
        boolean anyUnjudged = false;
        try (FrameOptions.Runner runner =
                new FrameOptions.Runner(frameOptions.judge(session.guard()), modelOptions.effectiveParallel())) {
            List<CompletableFuture<FramesVerdict>> pending = new ArrayList<>();
            for (Path image : images) {
                pending.add(runner.submit(image));
            }
            for (int i = 0; i < images.size(); i++) {
                FramesVerdict verdict = pending.get(i).join();
                anyUnsafe |= verdict.isUnsafe();
                System.out.println(toJsonLine(images.get(i), verdict));
                System.out.flush();
                if (verdict.failureReason().isPresent()) {
                    anyUnjudged = true;
                    System.err.println("guard: " + images.get(i) + ": "
                            + verdict.failureReason().get());
                    System.err.flush();
                }
            }
        }
        if (failOnUnsafe && anyUnsafe) {
            return ExitCodes.UNSAFE;
        }
        return anyUnjudged ? ExitCodes.BAD_INPUT : ExitCodes.OK;
    }

    /**
     * The line for an image judged frame by frame: a still image's line is the usual one; an
     * animation's has the clip's rating and category, the deciding frame's rationale, the highest
     * P(Unsafe) of its frames, and then {@code frame_count}, {@code frame_rule} and {@code frames}.
     */
    static String toJsonLine(Path image, FramesVerdict v) {
        if (!v.isAnimated() && v.frames().size() == 1) {
            return toJsonLine(image, v.frames().get(0).verdict());
        }
        Optional<Verdict> decisive = v.decisiveFrame().map(FrameVerdict::verdict);
        ObjectNode line = JSON.createObjectNode();
        line.put("image", image.toString());
        line.put("rating", v.rating().label());
        line.put("category", v.categoryLabel().orElse(null));
        line.put("rationale", decisive.flatMap(Verdict::rationale).orElse(null));
        if (v.maxProbabilityUnsafe().isPresent()) {
            line.put("p_unsafe", v.maxProbabilityUnsafe().getAsDouble());
        } else {
            line.putNull("p_unsafe");
        }
        line.put(
                "cached",
                !v.frames().isEmpty()
                        && v.frames().stream().allMatch(f -> f.verdict().source() == VerdictSource.CACHE));
        line.put("ms", Math.round(v.totalMillis() * 10) / 10.0);
        v.failureReason().ifPresent(reason -> line.put("error", reason));
        line.put("model_rating", v.rating().label());
        line.put("rating_source", "FRAME_RULE");
        if (decisive.isPresent() && decisive.get().unsafeThreshold().isPresent()) {
            line.put("unsafe_threshold", decisive.get().unsafeThreshold().getAsDouble());
        } else {
            line.putNull("unsafe_threshold");
        }
        line.putNull("generated_tokens");
        line.put("source", commonSource(v));
        if (v.isAnimated()) {
            FramesRecord.of(v).writeTo(line);
        }
        return line.toString();
    }

    /** The source every frame's verdict shares (e.g. all CACHE on a second look), null when they differ. */
    private static String commonSource(FramesVerdict v) {
        List<VerdictSource> sources =
                v.frames().stream().map(f -> f.verdict().source()).distinct().toList();
        return sources.size() == 1 ? sources.get(0).name() : null;
    }

    /** The --write-metadata stamper, or null without the option; refuses inconsistent options up front. */
    private MetadataStamper stamper() {
        if (!writeMetadata) {
            if (out != null || inPlace) {
                throw new BadInputException((inPlace ? "--in-place" : "--out") + " only applies with --write-metadata");
            }
            return null;
        }
        if (inPlace == (out != null)) {
            throw new BadInputException("--write-metadata needs --out DIR for stamped copies, or --in-place to "
                    + "stamp the input files themselves (one of the two)");
        }
        MetadataStamper stamper = inPlace ? MetadataStamper.inPlace() : MetadataStamper.toFolder(out);
        stamper.checkTargets(images);
        return stamper;
    }

    /** The line with metadata (the stamped file) or metadata_skipped (why none was written) added. */
    private static String withStamp(String line, MetadataStamper.Outcome stamp) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(line);
            if (stamp.written() != null) {
                node.put("metadata", stamp.written().toString());
            } else {
                node.put("metadata_skipped", stamp.skipped());
            }
            return node.toString();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a line this class wrote is JSON", e);
        }
    }

    static String toJsonLine(Path image, Verdict v) {
        ObjectNode line = JSON.createObjectNode();
        line.put("image", image.toString());
        line.put("rating", v.rating().label());
        line.put("category", v.categoryLabel().orElse(null));
        line.put("rationale", v.rationale().orElse(null));
        if (v.probabilityUnsafe().isPresent()) {
            line.put("p_unsafe", v.probabilityUnsafe().getAsDouble());
        } else {
            line.putNull("p_unsafe");
        }
        line.put("cached", v.source() == VerdictSource.CACHE);
        line.put("ms", Math.round(v.totalMillis() * 10) / 10.0);
        v.failureReason().ifPresent(reason -> line.put("error", reason));
        // added after the original keys, so readers of the older lines are unaffected
        line.put("model_rating", v.modelRating().map(r -> r.label()).orElse(null));
        line.put("rating_source", v.ratingSource().name());
        if (v.unsafeThreshold().isPresent()) {
            line.put("unsafe_threshold", v.unsafeThreshold().getAsDouble());
        } else {
            line.putNull("unsafe_threshold");
        }
        if (v.generatedTokens().isPresent()) {
            line.put("generated_tokens", v.generatedTokens().getAsInt());
        } else {
            line.putNull("generated_tokens");
        }
        putMap(line, "category_probabilities", v.categoryProbabilities());
        putMap(line, "category_thresholds", v.categoryThresholds());
        line.put("source", v.source().name());
        return line.toString();
    }

    /** An id-to-probability object in the map's order, or null when the map is empty. */
    static void putMap(ObjectNode line, String key, java.util.Map<String, Double> map) {
        if (map.isEmpty()) {
            line.putNull(key);
        } else {
            ObjectNode o = line.putObject(key);
            map.forEach(o::put);
        }
    }
}
