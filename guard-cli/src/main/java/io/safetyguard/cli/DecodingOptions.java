package io.safetyguard.cli;

import io.safetyguard.core.spi.GenerationOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import picocli.CommandLine.Option;

/**
 * The decoding options of the commands that run many images ({@code audit}, {@code eval}): the same
 * names, meanings and defaults as {@code guard check}'s.
 */
final class DecodingOptions {

    @Option(names = "--greedy", description = "Deterministic decoding: the same image and policy give the same answer.")
    boolean greedy;

    @Option(
            names = "--verdict-only",
            description =
                    "Stop after the category: no rationale, fewer tokens to generate (when the backend supports it).")
    boolean verdictOnly;

    @Option(
            names = "--max-new-tokens",
            paramLabel = "N",
            defaultValue = "500",
            description = "Cap on generated tokens. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--seed", paramLabel = "N", description = "Sampling seed.")
    Long seed;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description =
                    "Give up on one image after this many seconds (0 = no limit); it is then recorded as an error.")
    long timeoutSeconds;

    @Option(
            names = "--unsafe-threshold",
            paramLabel = "P",
            description = {
                "Rate an image Unsafe iff the model's P(Unsafe) >= P (0 to 1), instead of taking the model's "
                        + "own choice: lower it for recall, raise it for precision. Verdicts without P(Unsafe) keep the "
                        + "model's rating. Default: none (the model's choice)."
            })
    Double unsafeThreshold;

    @Option(
            names = "--category-threshold",
            paramLabel = "ID=P",
            description = {
                "Unsafe threshold of one category (repeatable; overrides the policy file's thresholds): an image is "
                        + "Unsafe when P(Unsafe) * P(ID | Unsafe) >= P, or when the Unsafe mass of the categories "
                        + "without their own threshold reaches --unsafe-threshold (0.5 if not given)."
            })
    Map<String, String> categoryThresholds = new LinkedHashMap<>();

    /** The threshold these flags select; empty for the model's own choice. */
    OptionalDouble toUnsafeThreshold() {
        if (unsafeThreshold == null) {
            return OptionalDouble.empty();
        }
        if (!(unsafeThreshold >= 0 && unsafeThreshold <= 1)) {
            throw new BadInputException(
                    "--unsafe-threshold is a probability and must be between 0 and 1, got " + unsafeThreshold);
        }
        return OptionalDouble.of(unsafeThreshold);
    }

    /** The per-category thresholds these flags select, checked against the policy's ids; in flag order. */
    Map<String, Double> toCategoryThresholds(io.safetyguard.policy.Policy policy) {
        Map<String, Double> out = new LinkedHashMap<>();
        categoryThresholds.forEach((id, value) -> {
            if (policy.categoryById(id).isEmpty()) {
                List<String> ids = policy.categories().stream()
                        .map(io.safetyguard.policy.Category::id)
                        .toList();
                throw new BadInputException("--category-threshold " + id + "=" + value + ": the policy has no category "
                        + id + " (it has " + String.join(", ", ids) + ")");
            }
            double p;
            try {
                p = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                p = Double.NaN;
            }
            if (!(p >= 0 && p <= 1)) {
                throw new BadInputException("--category-threshold " + id + "=" + value
                        + ": the threshold is a probability and must be between 0 and 1");
            }
            out.put(id, p);
        });
        return out;
    }

    /** The generation options these flags select. */
    GenerationOptions toGenerationOptions() {
        if (maxNewTokens < 1) {
            throw new BadInputException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        }
        if (timeoutSeconds < 0) {
            throw new BadInputException("--timeout must be 0 (no limit) or more seconds, got " + timeoutSeconds);
        }
        GenerationOptions options = GenerationOptions.DEFAULT
                .withGreedy(greedy)
                .withVerdictOnly(verdictOnly)
                .withMaxNewTokens(maxNewTokens)
                .withTimeout(Duration.ofSeconds(timeoutSeconds));
        return seed == null ? options : options.withSeed(seed);
    }

    /** The effective settings, for reports. */
    static Map<String, String> describe(GenerationOptions o, OptionalDouble unsafeThreshold) {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put(
                "Decoding",
                o.greedy()
                        ? "greedy"
                        : "sampling (temperature " + o.temperature() + ", top_p " + o.topP() + ", top_k " + o.topK()
                                + ", seed " + o.seed() + ")");
        rows.put("Verdict only", Boolean.toString(o.verdictOnly()));
        rows.put("Max new tokens", Integer.toString(o.maxNewTokens()));
        rows.put(
                "Timeout per image", o.timeout().isZero() ? "none" : o.timeout().toSeconds() + " s");
        rows.put(
                "Unsafe threshold",
                unsafeThreshold.isPresent()
                        ? "P(Unsafe) >= " + unsafeThreshold.getAsDouble()
                        : "none (the model's own rating)");
        return rows;
    }
}
