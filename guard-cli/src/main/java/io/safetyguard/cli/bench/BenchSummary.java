package io.safetyguard.cli.bench;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.BiPredicate;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The medians and ratios of a {@link BenchResult}, as the report prints them. */
public final class BenchSummary {
    private final BenchResult r;

    public BenchSummary(BenchResult result) {
        this.r = result;
    }

    public BenchResult result() {
        return r;
    }

    public boolean hasReference() {
        return !r.reference().isEmpty();
    }

    // --- llama-mtmd-cli

    /** Median wall time of one mtmd-cli invocation, model load included. */
    public OptionalDouble referenceInvocationMillis() {
        return medianOf(r.reference(), MtmdCliRun::wallMillis);
    }

    /** Median per-image time of mtmd-cli without the model load (see {@link MtmdCliTimings#workMillis()}). */
    public OptionalDouble referenceImageMillis() {
        return medianOf(r.reference(), run -> run.timings().workMillis().orElse(Double.NaN));
    }

    /**
     * Median of mtmd-cli's prompt eval + eval: its time inside llama.cpp for the image. llama_perf's prompt eval
     * already contains the image encoding (see {@link #referencePrefillMillis()}), so encode is not added again.
     */
    public OptionalDouble referenceModelMillis() {
        return medianOf(
                r.reference(),
                run -> run.timings().promptEvalMillis().orElse(Double.NaN)
                        + run.timings().evalMillis().orElse(0));
    }

    /**
     * mtmd-cli's prompt evaluation without the image encoding. llama.cpp times a prompt evaluation from the start
     * of its first decode to the synchronisation after its last ({@code llama_context::synchronize}), and mtmd-cli
     * encodes the image between the text decode before it and the image decode, so llama_perf's "prompt eval time"
     * contains the encoding; it is taken out here.
     */
    public OptionalDouble referencePrefillMillis() {
        return medianOf(
                r.reference(),
                run -> run.timings().promptEvalMillis().orElse(Double.NaN)
                        - run.timings().encodeMillis());
    }

    public OptionalDouble referenceEncodeMillis() {
        return medianOf(r.reference(), run -> run.timings().encodeMillis());
    }

    public OptionalDouble referencePromptEvalMillis() {
        return medianOf(r.reference(), run -> run.timings().promptEvalMillis().orElse(Double.NaN));
    }

    public OptionalDouble referenceEvalMillis() {
        return medianOf(r.reference(), run -> run.timings().evalMillis().orElse(Double.NaN));
    }

    public OptionalDouble referencePromptTokens() {
        return medianOf(r.reference(), run -> run.timings().promptTokens());
    }

    public OptionalDouble referenceImageTokens() {
        return medianOf(r.reference(), run -> run.timings().imageTokens());
    }

    public OptionalDouble referenceGeneratedTokens() {
        return medianOf(r.reference(), run -> run.timings().evalRuns());
    }

    /**
     * mtmd-cli's generation time per token: its per-image window less prompt evaluation (encoding included), over the
     * tokens it generated. Unlike llama_perf's eval time this includes its sampling (the grammar), as SafetyGuard's
     * decode time does; it also holds its image-file decoding and preprocessing, so it is an upper bound.
     */
    public OptionalDouble referenceGenerationMillisPerToken() {
        return medianOf(
                r.reference(),
                run -> run.timings().evalRuns() > 0
                                && run.timings().workMillis().isPresent()
                        ? (run.timings().workMillis().getAsDouble()
                                        - run.timings().promptEvalMillis().orElse(0))
                                / run.timings().evalRuns()
                        : Double.NaN);
    }

    /** mtmd-cli's forward-pass time per generated token (llama_perf eval: no sampling). */
    public OptionalDouble referenceMillisPerToken() {
        return medianOf(
                r.reference(),
                run -> run.timings().evalRuns() > 0
                        ? run.timings().evalMillis().orElse(Double.NaN)
                                / run.timings().evalRuns()
                        : Double.NaN);
    }

    public OptionalLong referencePeakRssKib() {
        return r.reference().stream()
                .map(MtmdCliRun::peakRssKib)
                .filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong)
                .max();
    }

    /** How many answer pairs (mtmd-cli and SafetyGuard full rationale, same image and round) there are. */
    public int comparedAnswers() {
        return Math.min(r.reference().size(), r.full().size());
    }

    /** How many full-rationale answers are byte-identical to mtmd-cli's for the same image and round. */
    public int identicalAnswers() {
        return countPairs((ref, guard) -> ref.equals(guard));
    }

    /**
     * How many full-rationale answers equal mtmd-cli's up to and including the opening quote of the rating value
     * (<code>{"rating": "</code>), the step before the one where the two sides choose differently: SafetyGuard writes that
     * quote as a token of its own (see {@code RatingProbe} in guard-llamacpp), while mtmd-cli may take a token that
     * writes the quote and the value's first letter at once ({@code "S} in qwen2's vocabulary); the texts can part
     * from there. Answers without a rating key do not count.
     */
    public int answersIdenticalBeforeRatingValue() {
        return countPairs((ref, guard) -> {
            Matcher m = RATING_KEY.matcher(ref);
            return m.find() && guard.length() >= m.end() && guard.regionMatches(0, ref, 0, m.end());
        });
    }

    /** How many full-rationale answers carry the same rating value ({@code Safe} or {@code Unsafe}) as mtmd-cli's. */
    public int sameRatings() {
        return countPairs((ref, guard) -> {
            Optional<String> a = rating(ref);
            return a.isPresent() && a.equals(rating(guard));
        });
    }

    private static final Pattern RATING_KEY = Pattern.compile("\"rating\"\\s*:\\s*\"");
    private static final Pattern RATING = Pattern.compile("\"rating\"\\s*:\\s*\"(Safe|Unsafe)\"");

    static Optional<String> rating(String answer) {
        Matcher m = RATING.matcher(answer);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private int countPairs(BiPredicate<String, String> same) {
        int n = 0;
        for (int i = 0; i < comparedAnswers(); i++) {
            if (same.test(r.reference().get(i).text(), r.full().get(i).text().strip())) {
                n++;
            }
        }
        return n;
    }

    // --- SafetyGuard

    public OptionalDouble totalMillis(List<GuardRun> runs) {
        return medianOf(runs, GuardRun::totalMillis);
    }

    public OptionalDouble modelMillis(List<GuardRun> runs) {
        return medianOf(runs, GuardRun::modelMillis);
    }

    public OptionalDouble encodeMillis(List<GuardRun> runs) {
        return medianOf(runs, GuardRun::encodeMillis);
    }

    public OptionalDouble prefillMillis(List<GuardRun> runs) {
        return medianOf(runs, GuardRun::prefillMillis);
    }

    public OptionalDouble decodeMillis(List<GuardRun> runs) {
        return medianOf(runs, GuardRun::decodeMillis);
    }

    public OptionalDouble overheadMillis(List<GuardRun> runs) {
        return medianOf(runs, GuardRun::overheadMillis);
    }

    /** Median share of each image's time spent outside llama.cpp calls. */
    public OptionalDouble overheadShare(List<GuardRun> runs) {
        return medianOf(runs, g -> g.totalMillis() > 0 ? g.overheadMillis() / g.totalMillis() : Double.NaN);
    }

    public OptionalDouble promptTokens(List<GuardRun> runs) {
        return medianOf(runs, GuardRun::promptTokens);
    }

    public OptionalDouble generatedTokens(List<GuardRun> runs) {
        return medianOf(runs, GuardRun::generatedTokens);
    }

    /** SafetyGuard's decode-loop time per generated token. */
    public OptionalDouble millisPerToken(List<GuardRun> runs) {
        return medianOf(runs, g -> g.generatedTokens() > 0 ? g.decodeMillis() / g.generatedTokens() : Double.NaN);
    }

    /** SafetyGuard's generation time per token outside llama_decode (sampling, grammar, the Java loop). */
    public OptionalDouble millisPerTokenOutsideForward(List<GuardRun> runs) {
        return medianOf(runs, GuardRun::millisPerTokenOutsideForward);
    }

    /** Image tokens SafetyGuard evaluated: prompt tokens less the text around the image. */
    public OptionalDouble imageTokens(List<GuardRun> runs) {
        return medianOf(runs, g -> g.promptTokens() - r.policyTextTokens());
    }

    /** Median generated tokens that verdict-only decoding saves per image. */
    public OptionalDouble decodeTokensSaved() {
        OptionalDouble f = generatedTokens(r.full());
        OptionalDouble v = generatedTokens(r.verdictOnly());
        return f.isPresent() && v.isPresent()
                ? OptionalDouble.of(f.getAsDouble() - v.getAsDouble())
                : OptionalDouble.empty();
    }

    /** SafetyGuard's per-image time over mtmd-cli's per-image time without load (smaller is better). */
    public OptionalDouble ratioToReference(List<GuardRun> runs) {
        return Stats.ratio(totalMillis(runs), referenceImageMillis());
    }

    /** SafetyGuard's per-image time over a whole mtmd-cli invocation. */
    public OptionalDouble ratioToReferenceInvocation(List<GuardRun> runs) {
        return Stats.ratio(totalMillis(runs), referenceInvocationMillis());
    }

    /** Throughput at {@code parallelism} over throughput at 1, when both were measured. */
    public OptionalDouble speedup(int parallelism) {
        OptionalDouble base = r.throughput().stream()
                .filter(t -> t.parallelism() == 1)
                .mapToDouble(Throughput::imagesPerSecond)
                .findFirst();
        OptionalDouble at = r.throughput().stream()
                .filter(t -> t.parallelism() == parallelism)
                .mapToDouble(Throughput::imagesPerSecond)
                .findFirst();
        return Stats.ratio(at, base);
    }

    private static <T> OptionalDouble medianOf(List<T> items, ToDoubleFunction<T> f) {
        return Stats.median(items.stream().map(i -> f.applyAsDouble(i)).toList());
    }
}
