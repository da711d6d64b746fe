package io.safetyguard.cli.bench;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.ImagePipeline;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppConfig.FlashAttention;
import io.safetyguard.llamacpp.LlamaCppModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * What one large image costs through the reference image pipeline (what {@code guard check} runs), verdict-only, on
 * an otherwise idle model: the case of a text-to-image user on a CPU. With several variants it compares the levers
 * that change how llama.cpp computes, not what the model sees, round by round in alternating order so that the slow
 * drift of a shared machine hits each alike. Every variant opens the model afresh (its load is not timed).
 */
public final class LargeImageBench {

    /** One way of running the same evaluation. */
    public record Variant(String name, FlashAttention flashAttention, boolean persistentThreadPool) {}

    /** The levers, each added to the one before it; the last is the default configuration. */
    public static final List<Variant> LEVERS = List.of(
            new Variant("threads per pass, no flash attention", FlashAttention.OFF, false),
            new Variant("+ persistent thread pool", FlashAttention.OFF, true),
            new Variant("+ flash attention (default)", FlashAttention.AUTO, true));

    /** The default configuration alone. */
    public static final List<Variant> DEFAULT_ONLY = List.of(LEVERS.get(LEVERS.size() - 1));

    /** The runs of one variant and the peak RSS of the process while it was loaded. */
    public record VariantResult(Variant variant, List<GuardRun> runs, OptionalLong peakRssKib, int imageTokens) {
        public OptionalDouble medianTotalMillis() {
            return Stats.median(runs.stream().map(GuardRun::totalMillis).toList());
        }

        OptionalDouble median(java.util.function.ToDoubleFunction<GuardRun> f) {
            return Stats.median(runs.stream().map(r -> f.applyAsDouble(r)).toList());
        }
    }

    private final BenchOptions options;
    private final int size;
    private final List<Variant> variants;
    private final PrintStream progress;
    private int imageTokens = -1;

    /**
     * @param size     the image's width and height in pixels (a generated image when {@code options} has none)
     * @param variants the configurations to compare; the first is the base of the ratios
     */
    public LargeImageBench(BenchOptions options, int size, List<Variant> variants, PrintStream progress) {
        if (size < 16 || size > 8192) {
            throw new IllegalArgumentException("--large-image must be 16..8192 pixels, got " + size);
        }
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("no variant to measure");
        }
        this.options = options;
        this.size = size;
        this.variants = List.copyOf(variants);
        this.progress = progress;
    }

    public List<VariantResult> run() throws IOException, ModelException {
        Path dir = Files.createTempDirectory("guard-bench-large-");
        Path image = dir.resolve("large-" + size + ".png");
        try {
            ImageIO.write(pattern(size, size, 42), "png", image.toFile());
            Map<Variant, List<GuardRun>> runs = new LinkedHashMap<>();
            Map<Variant, OptionalLong> rss = new LinkedHashMap<>();
            variants.forEach(v -> runs.put(v, new ArrayList<>()));
            for (int round = 1; round <= options.rounds(); round++) {
                List<Variant> order = new ArrayList<>(variants);
                if (round % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (Variant v : order) {
                    ProcStatus.resetSelfPeakRss();
                    GuardRun r = once(v, image);
                    runs.get(v).add(r);
                    OptionalLong peak = ProcStatus.selfPeakRssKib();
                    rss.merge(
                            v,
                            peak,
                            (a, b) -> a.isPresent() && b.isPresent()
                                    ? OptionalLong.of(Math.max(a.getAsLong(), b.getAsLong()))
                                    : b);
                    progress.printf(
                            Locale.ROOT,
                            "  round %d %s: %.0f ms (encode %.0f, prefill %.0f, decode %.0f; %d prompt tokens)%n",
                            round,
                            v.name(),
                            r.totalMillis(),
                            r.encodeMillis(),
                            r.prefillMillis(),
                            r.decodeMillis(),
                            r.promptTokens());
                }
            }
            List<VariantResult> out = new ArrayList<>();
            for (Variant v : variants) {
                out.add(new VariantResult(v, runs.get(v), rss.getOrDefault(v, OptionalLong.empty()), imageTokens));
            }
            return out;
        } finally {
            Files.deleteIfExists(image);
            Files.deleteIfExists(dir);
        }
    }

    private GuardRun once(Variant v, Path image) throws ModelException {
        LlamaCppConfig config = LlamaCppConfig.builder(options.model(), options.mmproj())
                .threads(options.threads())
                .gpuLayers(options.gpuLayers())
                .contextSize(options.contextSize())
                .imagePipeline(ImagePipeline.REFERENCE)
                .flashAttention(v.flashAttention())
                .persistentThreadPool(v.persistentThreadPool())
                .build();
        try (LlamaCppModel model = LlamaCppModel.open(config);
                GuardRunner runner = new GuardRunner(
                        model, options.policy(), options.generation(true), GuardRun.Mode.VERDICT_ONLY, true)) {
            imageTokens = model.imageTokens(size, size);
            GuardRun r = runner.run(image);
            if (r.failure() != null) {
                throw new BenchException("the large image failed with " + v.name() + ": " + r.failure());
            }
            return r;
        }
    }

    /** The table: one row per variant, medians, and each one's time over the first variant's. */
    public static String report(List<VariantResult> results, int size, BenchOptions options) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "one %dx%d image, reference pipeline, verdict-only, %d thread(s), %d round(s); load average %s%n",
                size,
                size,
                options.threads(),
                options.rounds(),
                Bench.loadAverage()));
        b.append(String.format(
                Locale.ROOT,
                "%-40s %10s %9s %9s %9s %8s %8s %9s %7s%n",
                "median",
                "total ms",
                "encode",
                "prefill",
                "decode",
                "prompt",
                "image tk",
                "peak RSS",
                "ratio"));
        OptionalDouble base = results.get(0).medianTotalMillis();
        for (VariantResult r : results) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-40s %10s %9s %9s %9s %8s %8s %9s %7s%n",
                    r.variant().name(),
                    BenchReport.ms(r.medianTotalMillis()),
                    BenchReport.count(r.median(GuardRun::encodeMillis)),
                    BenchReport.count(r.median(GuardRun::prefillMillis)),
                    BenchReport.count(r.median(GuardRun::decodeMillis)),
                    BenchReport.count(r.median(GuardRun::promptTokens)),
                    Integer.toString(r.imageTokens()),
                    BenchReport.mib(r.peakRssKib()),
                    BenchReport.ratio(Stats.ratio(r.medianTotalMillis(), base))));
        }
        return b.toString();
    }

    /** A deterministic image with smooth gradients and noise: neither blank nor the same tile repeated. */
    static BufferedImage pattern(int w, int h, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (x * 255 / w + rnd.nextInt(32)) & 0xff;
                int g = (y * 255 / h + rnd.nextInt(32)) & 0xff;
                int bl = ((x + y) * 127 / (w + h) + rnd.nextInt(64)) & 0xff;
                img.setRGB(x, y, (r << 16) | (g << 8) | bl);
            }
        }
        return img;
    }
}
