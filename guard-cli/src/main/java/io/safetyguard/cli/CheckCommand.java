package io.safetyguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.core.FailureMode;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.policy.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
            "(category id to P(category | the rating written), null when unknown) and category_thresholds.",
            "Exit code 2 when an image could not be judged (its line has error and the fail-closed rating;",
            "the reason is also on stderr), 3 with --fail-on-unsafe when any image is rated Unsafe."
        })
final class CheckCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    PolicyOptions policyOptions = new PolicyOptions();

    @Mixin
    DecodingOptions decoding = new DecodingOptions();

    @Option(
            names = "--fail-open",
            description = "Rate an image Safe when no verdict can be made (default: Unsafe, fail-closed).")
    boolean failOpen;

    @Option(
            names = "--fail-on-unsafe",
            description = "Exit with code 3 when any image is rated Unsafe "
                    + "(also one that could not be judged, rated by the failure mode); 3 wins over 2.")
    boolean failOnUnsafe;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files (PNG, JPEG, GIF, BMP, WebP).")
    List<Path> images = new ArrayList<>();

    @Override
    public Integer call() {
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new BadInputException(image + ": no such image file");
            }
        }
        Policy policy = policyOptions.resolve();
        FailureMode failureMode = failOpen ? FailureMode.FAIL_OPEN : FailureMode.FAIL_CLOSED;
        boolean anyUnsafe = false;
        boolean anyUnjudged = false;
        try (GuardSession session = GuardSession.open(modelOptions, decoding, policy, failureMode, System.err)) {
            List<CompletableFuture<Verdict>> pending = new ArrayList<>();
            for (Path image : images) {
                pending.add(session.guard().assessAsync(ImageInput.ofPath(image)));
            }
            // Printed in argument order as each verdict arrives.
            for (int i = 0; i < images.size(); i++) {
                Verdict verdict = pending.get(i).join();
                anyUnsafe |= verdict.isUnsafe();
                System.out.println(toJsonLine(images.get(i), verdict));
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
