package io.safetyguard.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/** Renders a {@link BenchSummary} as a plain-text table and as JSON. */
public final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String NA = "n/a";

    private BenchReport() {}

    /** The human-readable report. */
    public static String text(BenchSummary s) {
        BenchResult r = s.result();
        StringBuilder b = new StringBuilder();
        b.append("SafetyGuard benchmark\n");
        for (Map.Entry<String, String> e : r.environment().entrySet()) {
            b.append(String.format(Locale.ROOT, "  %-16s %s%n", e.getKey() + ":", e.getValue()));
        }
        b.append('\n');
        b.append(String.format(
                Locale.ROOT,
                "%-38s %11s %11s %9s %9s %9s %9s %9s %9s%n",
                "median per image",
                "total ms",
                "llama ms",
                "encode",
                "prefill",
                "decode",
                "prompt tk",
                "image tk",
                "gen tk"));
        if (s.hasReference()) {
            b.append(String.format(
                    Locale.ROOT, "%-38s %11s%n", "llama-mtmd-cli, per invocation", ms(s.referenceInvocationMillis())));
            b.append(String.format(
                    Locale.ROOT,
                    "%-38s %11s %11s %9s %9s %9s %9s %9s %9s%n",
                    "llama-mtmd-cli, excluding model load",
                    ms(s.referenceImageMillis()),
                    ms(s.referenceModelMillis()),
                    ms(s.referenceEncodeMillis()),
                    ms(s.referencePrefillMillis()),
                    ms(s.referenceEvalMillis()),
                    count(s.referencePromptTokens()),
                    count(s.referenceImageTokens()),
                    count(s.referenceGeneratedTokens())));
        }
        row(b, s, "SafetyGuard, full rationale", r.full());
        row(b, s, "SafetyGuard, verdict-only", r.verdictOnly());
        CacheHit largest = r.cacheHits().stream()
                .max(java.util.Comparator.comparingLong(CacheHit::bytes))
                .orElse(null);
        if (largest != null) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-38s %11s%n",
                    "SafetyGuard, cached (" + largest.image() + ")",
                    String.format(Locale.ROOT, "%.3f", largest.hitMicros() / 1000)));
        }
        b.append('\n');

        if (s.hasReference()) {
            b.append(String.format(
                    Locale.ROOT,
                    "full rationale / mtmd-cli without load:  %s   (target <= 1.0)%n",
                    ratio(s.ratioToReference(r.full()))));
            b.append(String.format(
                    Locale.ROOT,
                    "verdict-only / mtmd-cli without load:    %s   (target <= 0.5)%n",
                    ratio(s.ratioToReference(r.verdictOnly()))));
            b.append(String.format(
                    Locale.ROOT,
                    "full rationale / mtmd-cli invocation:    %s%n",
                    ratio(s.ratioToReferenceInvocation(r.full()))));
            b.append(String.format(
                    Locale.ROOT,
                    "generation ms per token: SafetyGuard %s (forward pass + sampling); "
                            + "mtmd-cli %s forward pass only, at most %s with its sampling%n",
                    ms(s.millisPerToken(r.full())),
                    ms(s.referenceMillisPerToken()),
                    ms(s.referenceGenerationMillisPerToken())));
            b.append(String.format(
                    Locale.ROOT,
                    "identical answers (full rationale vs mtmd-cli, greedy): %d of %d%n",
                    s.identicalAnswers(),
                    s.comparedAnswers()));
            if (s.identicalAnswers() < s.comparedAnswers()) {
                b.append(String.format(
                        Locale.ROOT,
                        "  identical up to the rating value: %d of %d; same rating: %d of %d "
                                + "(SafetyGuard writes the rating's opening quote as a token of its own, mtmd-cli may take a "
                                + "quote+letter token there; from that step on the texts can differ)%n",
                        s.answersIdenticalBeforeRatingValue(),
                        s.comparedAnswers(),
                        s.sameRatings(),
                        s.comparedAnswers()));
            }
        }
        b.append(String.format(
                Locale.ROOT,
                "generation ms per token outside llama_decode (sampling, grammar, Java loop): full %s, "
                        + "verdict-only %s   (target <= 0.3 on the tiny model)%n",
                ms3(s.millisPerTokenOutsideForward(r.full())),
                ms3(s.millisPerTokenOutsideForward(r.verdictOnly()))));
        b.append(String.format(
                Locale.ROOT,
                "outside llama.cpp calls (JVM side): full %s ms = %s of the image; verdict-only %s ms = %s%n",
                ms(s.overheadMillis(r.full())),
                percent(s.overheadShare(r.full())),
                ms(s.overheadMillis(r.verdictOnly())),
                percent(s.overheadShare(r.verdictOnly()))));
        b.append(String.format(
                Locale.ROOT,
                "verdict-only saves %s decode tokens per image (full %s, verdict-only %s)%n",
                count(s.decodeTokensSaved()),
                count(s.generatedTokens(r.full())),
                count(s.generatedTokens(r.verdictOnly()))));
        b.append(String.format(
                Locale.ROOT,
                "peak RSS: llama-mtmd-cli %s; SafetyGuard JVM %s (model, contexts and JVM heap)%n",
                mib(s.referencePeakRssKib()),
                mib(r.jvmPeakRssKib())));
        b.append(String.format(Locale.ROOT, "SafetyGuard model load: %.0f ms%n", r.modelLoadMillis()));

        if (!r.cacheHits().isEmpty()) {
            b.append("\ncache hits (assess of an already assessed image):\n");
            b.append(String.format(
                    Locale.ROOT,
                    "  %-24s %10s %10s %12s %12s %11s%n",
                    "image",
                    "bytes",
                    "hit us",
                    "hit us/MiB",
                    "hash us/MiB",
                    "hash share"));
            for (CacheHit c : r.cacheHits()) {
                b.append(String.format(
                        Locale.ROOT,
                        "  %-24s %10d %10.1f %12.1f %12.1f %10.0f%%%n",
                        c.image(),
                        c.bytes(),
                        c.hitMicros(),
                        c.hitMicrosPerMib(),
                        c.hashMicrosPerMib(),
                        100 * c.hashShare()));
            }
        }
        if (!r.throughput().isEmpty()) {
            b.append("\nbatch throughput (assessAll, full rationale, a pool of contexts):\n");
            b.append(String.format(
                    Locale.ROOT,
                    "  %-12s %16s %8s %10s %12s %9s %11s %10s%n",
                    "parallelism",
                    "threads/context",
                    "images",
                    "wall ms",
                    "images/s",
                    "speedup",
                    "cores used",
                    "peak RSS"));
            for (Throughput t : r.throughput()) {
                b.append(String.format(
                        Locale.ROOT,
                        "  %-12d %16d %8d %10.0f %12.2f %9s %11s %10s%n",
                        t.parallelism(),
                        t.threadsPerContext(),
                        t.images(),
                        t.wallMillis(),
                        t.imagesPerSecond(),
                        ratio(s.speedup(t.parallelism())),
                        t.coresUsed() < 0 ? NA : String.format(Locale.ROOT, "%.2f", t.coresUsed()),
                        t.peakRssKib() < 0 ? NA : mib(OptionalLong.of(t.peakRssKib()))));
            }
        }
        if (!r.batched().isEmpty()) {
            b.append(
                    "\nbatched decoding (assessAll, N images in one context, all threads on it, reference image pipeline):\n");
            b.append(String.format(
                    Locale.ROOT,
                    "  %-10s %-13s %8s %10s %10s %9s %8s %8s %14s%n",
                    "sequences",
                    "answer",
                    "images",
                    "wall ms",
                    "images/s",
                    "speedup",
                    "decode",
                    "prefill",
                    "tokens/step"));
            for (BatchedThroughput t : r.batched()) {
                OptionalDouble base = r.batched().stream()
                        .filter(o -> o.sequences() == 1 && o.verdictOnly() == t.verdictOnly())
                        .mapToDouble(BatchedThroughput::imagesPerSecond)
                        .findFirst();
                b.append(String.format(
                        Locale.ROOT,
                        "  %-10d %-13s %8d %10.0f %10.3f %9s %8s %8s %14s%n",
                        t.sequences(),
                        t.verdictOnly() ? "verdict-only" : "full",
                        t.images(),
                        t.wallMillis(),
                        t.imagesPerSecond(),
                        ratio(
                                base.isPresent() && base.getAsDouble() > 0
                                        ? OptionalDouble.of(t.imagesPerSecond() / base.getAsDouble())
                                        : OptionalDouble.empty()),
                        percent(t.decodeShare()),
                        percent(t.prefillShare()),
                        t.meanPerStep().isPresent()
                                ? String.format(
                                        Locale.ROOT, "%.2f", t.meanPerStep().getAsDouble())
                                : NA));
            }
        }
        return b.toString();
    }

    private static void row(StringBuilder b, BenchSummary s, String label, List<GuardRun> runs) {
        b.append(String.format(
                Locale.ROOT,
                "%-38s %11s %11s %9s %9s %9s %9s %9s %9s%n",
                label,
                ms(s.totalMillis(runs)),
                ms(s.modelMillis(runs)),
                ms(s.encodeMillis(runs)),
                ms(s.prefillMillis(runs)),
                ms(s.decodeMillis(runs)),
                count(s.promptTokens(runs)),
                count(s.imageTokens(runs)),
                count(s.generatedTokens(runs))));
    }

    /** The report as JSON: environment, the summary figures, and every raw measurement. */
    public static String json(BenchSummary s) {
        BenchResult r = s.result();
        ObjectNode root = JSON.createObjectNode();
        ObjectNode env = root.putObject("environment");
        r.environment().forEach(env::put);
        ObjectNode sum = root.putObject("summary");
        if (s.hasReference()) {
            ObjectNode ref = sum.putObject("mtmdCli");
            put(ref, "invocationMillis", s.referenceInvocationMillis());
            put(ref, "perImageMillisExcludingLoad", s.referenceImageMillis());
            put(ref, "llamaMillis", s.referenceModelMillis());
            put(ref, "encodeMillis", s.referenceEncodeMillis());
            put(ref, "promptEvalMillis", s.referencePromptEvalMillis());
            put(ref, "prefillMillisWithoutEncode", s.referencePrefillMillis());
            put(ref, "evalMillis", s.referenceEvalMillis());
            put(ref, "promptTokens", s.referencePromptTokens());
            put(ref, "imageTokens", s.referenceImageTokens());
            put(ref, "generatedTokens", s.referenceGeneratedTokens());
            put(ref, "forwardMillisPerToken", s.referenceMillisPerToken());
            put(ref, "generationMillisPerTokenUpperBound", s.referenceGenerationMillisPerToken());
            s.referencePeakRssKib().ifPresent(v -> ref.put("peakRssKib", v));
            sum.put("comparedAnswers", s.comparedAnswers());
            sum.put("identicalAnswers", s.identicalAnswers());
            sum.put("answersIdenticalBeforeRatingValue", s.answersIdenticalBeforeRatingValue());
            sum.put("sameRatings", s.sameRatings());
            put(sum, "fullOverReference", s.ratioToReference(r.full()));
            put(sum, "verdictOnlyOverReference", s.ratioToReference(r.verdictOnly()));
            put(sum, "fullOverReferenceInvocation", s.ratioToReferenceInvocation(r.full()));
        }
        mode(sum.putObject("full"), s, r.full());
        mode(sum.putObject("verdictOnly"), s, r.verdictOnly());
        put(sum, "decodeTokensSaved", s.decodeTokensSaved());
        r.jvmPeakRssKib().ifPresent(v -> sum.put("jvmPeakRssKib", v));
        sum.put("modelLoadMillis", r.modelLoadMillis());
        sum.put("policyTextTokens", r.policyTextTokens());
        ArrayNode speed = sum.putArray("speedup");
        for (Throughput t : r.throughput()) {
            ObjectNode o = speed.addObject().put("parallelism", t.parallelism());
            put(o, "overSequential", s.speedup(t.parallelism()));
        }

        ArrayNode batchedNode = sum.putArray("batched");
        for (BatchedThroughput t : r.batched()) {
            ObjectNode o = batchedNode
                    .addObject()
                    .put("sequences", t.sequences())
                    .put("verdictOnly", t.verdictOnly())
                    .put("images", t.images())
                    .put("wallMillis", t.wallMillis())
                    .put("imagesPerSecond", t.imagesPerSecond());
            put(o, "decodeShare", t.decodeShare());
            put(o, "prefillShare", t.prefillShare());
            put(o, "tokensPerStep", t.meanPerStep());
        }

        ObjectNode raw = root.putObject("runs");
        ArrayNode refRuns = raw.putArray("mtmdCli");
        for (MtmdCliRun run : r.reference()) {
            MtmdCliTimings t = run.timings();
            ObjectNode o = refRuns.addObject().put("image", run.image()).put("wallMillis", run.wallMillis());
            put(o, "workMillis", t.workMillis());
            put(o, "loadMillis", t.loadMillis());
            o.put("encodeMillis", t.encodeMillis());
            put(o, "promptEvalMillis", t.promptEvalMillis());
            o.put("promptTokens", t.promptTokens()).put("imageTokens", t.imageTokens());
            put(o, "evalMillis", t.evalMillis());
            o.put("evalRuns", t.evalRuns());
            run.peakRssKib().ifPresent(v -> o.put("peakRssKib", v));
            o.put("text", run.text());
        }
        guardRuns(raw.putArray("full"), r.full());
        guardRuns(raw.putArray("verdictOnly"), r.verdictOnly());
        ArrayNode hits = raw.putArray("cacheHits");
        for (CacheHit c : r.cacheHits()) {
            hits.addObject()
                    .put("image", c.image())
                    .put("bytes", c.bytes())
                    .put("hitMicros", c.hitMicros())
                    .put("hashMicros", c.hashMicros())
                    .put("hitMicrosPerMib", c.hitMicrosPerMib())
                    .put("hashMicrosPerMib", c.hashMicrosPerMib())
                    .put("hashShare", c.hashShare());
        }
        ArrayNode tp = raw.putArray("throughput");
        for (Throughput t : r.throughput()) {
            tp.addObject()
                    .put("parallelism", t.parallelism())
                    .put("threadsPerContext", t.threadsPerContext())
                    .put("images", t.images())
                    .put("wallMillis", t.wallMillis())
                    .put("imagesPerSecond", t.imagesPerSecond())
                    .put("cpuMillis", t.cpuMillis())
                    .put("coresUsed", t.coresUsed())
                    .put("peakRssKib", t.peakRssKib());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of numbers and strings always serialises", e);
        }
    }

    private static void guardRuns(ArrayNode out, List<GuardRun> runs) {
        for (GuardRun g : runs) {
            ObjectNode o = out.addObject()
                    .put("image", g.image())
                    .put("totalMillis", g.totalMillis())
                    .put("encodeMillis", g.encodeMillis())
                    .put("prefillMillis", g.prefillMillis())
                    .put("decodeMillis", g.decodeMillis())
                    .put("decodeForwardMillis", g.decodeForwardMillis())
                    .put("outsideLlamaMillis", g.overheadMillis())
                    .put("promptTokens", g.promptTokens())
                    .put("generatedTokens", g.generatedTokens())
                    .put("text", g.text());
            if (g.failure() != null) {
                o.put("failure", g.failure());
            }
        }
    }

    private static void mode(ObjectNode o, BenchSummary s, List<GuardRun> runs) {
        put(o, "totalMillis", s.totalMillis(runs));
        put(o, "llamaMillis", s.modelMillis(runs));
        put(o, "encodeMillis", s.encodeMillis(runs));
        put(o, "prefillMillis", s.prefillMillis(runs));
        put(o, "decodeMillis", s.decodeMillis(runs));
        put(o, "outsideLlamaMillis", s.overheadMillis(runs));
        put(o, "outsideLlamaShare", s.overheadShare(runs));
        put(o, "promptTokens", s.promptTokens(runs));
        put(o, "imageTokens", s.imageTokens(runs));
        put(o, "generatedTokens", s.generatedTokens(runs));
        put(o, "millisPerToken", s.millisPerToken(runs));
        put(o, "millisPerTokenOutsideForward", s.millisPerTokenOutsideForward(runs));
    }

    private static void put(ObjectNode o, String key, OptionalDouble v) {
        if (v.isPresent()) {
            o.put(key, v.getAsDouble());
        } else {
            o.putNull(key);
        }
    }

    static String ms(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.1f", v.getAsDouble()) : NA;
    }

    static String ms3(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.3f ms", v.getAsDouble()) : NA;
    }

    static String count(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.0f", v.getAsDouble()) : NA;
    }

    static String ratio(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.2fx", v.getAsDouble()) : NA;
    }

    static String percent(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.1f%%", 100 * v.getAsDouble()) : NA;
    }

    static String mib(OptionalLong kib) {
        return kib.isPresent() ? String.format(Locale.ROOT, "%.0f MiB", kib.getAsLong() / 1024.0) : NA;
    }
}
