package io.safetyguard.frames;

import static io.safetyguard.llamacpp.TestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.Rating;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.core.frames.FrameJudge;
import io.safetyguard.core.frames.FrameSampling;
import io.safetyguard.core.frames.FrameVerdict;
import io.safetyguard.core.frames.FramesVerdict;
import io.safetyguard.core.image.AnimationDecoder;
import io.safetyguard.core.image.AnimationFrame;
import io.safetyguard.core.image.AnimationLimits;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.core.image.TestAnimations;
import io.safetyguard.core.image.TestAnimations.Disposal;
import io.safetyguard.core.image.TestAnimations.GifFrame;
import io.safetyguard.core.image.TestAnimations.WebpFrame;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.TestSupport;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Animations judged frame by frame on the tiny model and real llama.cpp: each frame's verdict is the
 * one the composed frame gets alone, identical frames run the model once, a batched model
 * ({@code sequences(4)}) judges the frames together, and the cost is one model run per judged frame
 * (printed: the numbers in docs/frames.md come from this test's output).
 */
class AnimatedFramesIT {

    @TempDir
    static Path dir;

    static TinyModelPair pair;

    /** Greedy and verdict-only: reproducible, and short on two busy cores. */
    private static final GenerationOptions OPTIONS =
            GenerationOptions.DEFAULT.withGreedy(true).withMaxNewTokens(120).withVerdictOnly(true);

    @BeforeAll
    static void generate() {
        pair = TestSupport.generate(TinyModelFlavor.QWEN2_SIGLIP, dir);
    }

    /** A full-canvas frame of stripes in two palette colours: each pair of colours is a different picture. */
    private static GifFrame stripes(int size, int a, int b) {
        byte[] p = new byte[size * size];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (((i % size) / 4) % 2 == 0 ? a : b);
        }
        return new GifFrame(0, 0, size, size, p, Disposal.KEEP, 10, false);
    }

    /** Frames A, B, A, C, B: three distinct pictures in five frames. */
    private static byte[] fiveFrameGif() {
        GifFrame a = stripes(48, TestAnimations.RED, TestAnimations.WHITE);
        GifFrame b = stripes(48, TestAnimations.GREEN, TestAnimations.BLUE);
        GifFrame c = stripes(48, TestAnimations.WHITE, TestAnimations.BLUE);
        return TestAnimations.gif(48, 48, List.of(a, b, a, c, b));
    }

    private static SafetyGuard guard(LlamaCppModel model, CacheConfig cache, int parallelism) {
        return SafetyGuard.builder()
                .model(model)
                .generationOptions(OPTIONS)
                .cache(cache)
                .parallelism(parallelism)
                .build();
    }

    @Test
    void eachFrameGetsTheVerdictItsComposedPictureGetsAloneAndRepeatsComeFromTheCache() throws Exception {
        byte[] gif = fiveFrameGif();
        try (LlamaCppModel model = LlamaCppModel.open(config(pair).build());
                SafetyGuard guard = guard(model, CacheConfig.defaults(), 2);
                SafetyGuard alone = guard(model, CacheConfig.disabled(), 1)) {
            FrameJudge judge =
                    FrameJudge.builder(guard).sampling(FrameSampling.all()).build();

            FramesVerdict clip = judge.assess(gif, "clip.gif");

            assertThat(clip.isAnimated()).isTrue();
            assertThat(clip.frames()).extracting(FrameVerdict::index).containsExactly(0, 1, 2, 3, 4);
            assertThat(clip.failedFrames()).isEmpty();
            assertThat(guard.cacheStats().loadCount())
                    .as("one model run per distinct frame")
                    .isEqualTo(3);

            List<AnimationFrame> extracted = new AnimationDecoder(ImageLimits.DEFAULT, AnimationLimits.DEFAULT)
                    .decode(gif, "clip.gif", n -> IntStream.range(0, n).toArray());
            for (int i = 0; i < extracted.size(); i++) {
                Verdict expected =
                        alone.assess(ImageInput.ofImage(extracted.get(i).image(), "frame " + i));
                Verdict actual = clip.frames().get(i).verdict();
                assertThat(actual.imageDigest()).isEqualTo(expected.imageDigest());
                assertThat(actual.rating()).as("frame %d", i).isEqualTo(expected.rating());
                assertThat(actual.categoryLabel()).as("frame %d", i).isEqualTo(expected.categoryLabel());
                assertThat(actual.probabilityUnsafe().getAsDouble())
                        .as("frame %d", i)
                        .isCloseTo(expected.probabilityUnsafe().getAsDouble(), within(1e-6));
            }
            boolean anyUnsafe = clip.frames().stream().anyMatch(FrameVerdict::isUnsafe);
            assertThat(clip.rating()).isEqualTo(anyUnsafe ? Rating.UNSAFE : Rating.SAFE);

            FramesVerdict again = judge.assess(gif, "clip.gif");
            assertThat(again.frames()).extracting(f -> f.verdict().source()).containsOnly(VerdictSource.CACHE);
            assertThat(guard.cacheStats().loadCount()).isEqualTo(3);
        }
    }

    @Test
    void aBatchedModelJudgesTheSampledFramesOfAnAnimatedWebp() throws Exception {
        List<WebpFrame> frames = new ArrayList<>();
        int[] colours = {0xFFE02020, 0xFF20E020, 0xFF2020E0, 0xFFE0E020, 0xFF20E0E0};
        for (int i = 0; i < colours.length; i++) {
            frames.add(new WebpFrame(
                    (i % 2) * 8, 0, 40, 40, 50, true, false, TestAnimations.vp8lSolid(40, 40, colours[i])));
        }
        byte[] webp = TestAnimations.webp(48, 40, frames);
        try (LlamaCppModel model =
                        LlamaCppModel.open(config(pair).threads(2).sequences(4).build());
                SafetyGuard guard = guard(model, CacheConfig.defaults(), 4)) {
            FramesVerdict clip = FrameJudge.builder(guard)
                    .sampling(FrameSampling.evenly(3))
                    .build()
                    .assess(webp, "clip.webp");

            assertThat(clip.frameCount()).isEqualTo(5);
            assertThat(clip.frames()).extracting(FrameVerdict::index).containsExactly(0, 2, 4);
            assertThat(clip.frames()).extracting(FrameVerdict::timestampMillis).containsExactly(0L, 100L, 200L);
            assertThat(clip.failedFrames()).isEmpty();
            assertThat(clip.frames())
                    .allSatisfy(f -> assertThat(f.verdict().categoryLabel()).isPresent());
        }
    }

    /**
     * The cost: a still image is one model run; an animation judged with {@code --frames N} is N.
     * Prints the times measured here (tiny model, 2-core CI machine): run
     * {@code mvn -B -pl guard-it -am verify -Dit.test=AnimatedFramesIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}
     * and look for the lines starting "frames cost".
     */
    @Test
    void judgingNFramesCostsNModelRuns() throws Exception {
        List<GifFrame> eight = new ArrayList<>();
        int[][] pairs = {{1, 2}, {1, 3}, {1, 4}, {2, 3}, {2, 4}, {3, 4}, {4, 1}, {3, 1}};
        for (int[] p : pairs) {
            eight.add(stripes(48, p[0], p[1]));
        }
        byte[] gif = TestAnimations.gif(48, 48, eight);
        byte[] still = TestSupport.encode(
                new AnimationDecoder(ImageLimits.DEFAULT, AnimationLimits.DEFAULT)
                        .decode(gif, "first", n -> new int[] {0})
                        .get(0)
                        .image(),
                "png");
        List<String> report = new ArrayList<>();
        try (LlamaCppModel model = LlamaCppModel.open(config(pair).build())) {
            try (SafetyGuard guard = guard(model, CacheConfig.defaults(), 1)) {
                long start = System.nanoTime();
                guard.assess(ImageInput.ofBytes(still, "still.png"));
                report.add(line("still image", guard.cacheStats().loadCount(), start));
                assertThat(guard.cacheStats().loadCount()).isEqualTo(1);
            }
            for (int n : new int[] {4, 8}) {
                try (SafetyGuard guard = guard(model, CacheConfig.defaults(), 1)) {
                    long start = System.nanoTime();
                    FramesVerdict v = FrameJudge.builder(guard)
                            .sampling(FrameSampling.evenly(n))
                            .build()
                            .assess(gif, "clip.gif");
                    report.add(line("--frames " + n, guard.cacheStats().loadCount(), start));
                    assertThat(v.frames()).hasSize(n);
                    assertThat(guard.cacheStats().loadCount()).isEqualTo(n);
                }
            }
        }
        try (LlamaCppModel batched =
                        LlamaCppModel.open(config(pair).threads(2).sequences(4).build());
                SafetyGuard guard = guard(batched, CacheConfig.defaults(), 4)) {
            long start = System.nanoTime();
            FrameJudge.builder(guard).sampling(FrameSampling.evenly(8)).build().assess(gif, "clip.gif");
            report.add(line("--frames 8 --batch 4", guard.cacheStats().loadCount(), start));
            assertThat(guard.cacheStats().loadCount()).isEqualTo(8);
        }
        report.forEach(System.out::println);
    }

    private static String line(String what, long runs, long startNanos) {
        double ms = (System.nanoTime() - startNanos) / 1e6;
        return String.format(
                Locale.ROOT, "frames cost: %-22s %2d model runs %8.0f ms (%.0f ms per run)", what, runs, ms, ms / runs);
    }
}
