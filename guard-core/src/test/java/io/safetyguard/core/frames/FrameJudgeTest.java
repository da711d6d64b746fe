package io.safetyguard.core.frames;

import static io.safetyguard.core.image.TestAnimations.BLUE;
import static io.safetyguard.core.image.TestAnimations.GREEN;
import static io.safetyguard.core.image.TestAnimations.RED;
import static io.safetyguard.core.image.TestAnimations.WHITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.FailureKind;
import io.safetyguard.core.FailureMode;
import io.safetyguard.core.FakeSafetyModel;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.Rating;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.SafetyGuardException;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.TestAnimations;
import io.safetyguard.core.image.TestAnimations.Disposal;
import io.safetyguard.core.image.TestAnimations.GifFrame;
import io.safetyguard.core.image.TestAnimations.WebpFrame;
import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameJudge} over a scripted model that rates a frame by its colour: red frames Unsafe O3,
 * blue frames Unsafe O2, green frames make the model fail, anything else Safe.
 */
class FrameJudgeTest {

    private static final String O2 = "O2: Violence, Harm, or Cruelty";
    private static final String O3 = "O3: Sexual Content";

    private final FakeSafetyModel model = new FakeSafetyModel().behaving((request, call) -> {
        byte[] rgb = request.image().rgb();
        int r = rgb[0] & 0xFF;
        int g = rgb[1] & 0xFF;
        int b = rgb[2] & 0xFF;
        if (r == 255 && g == 0 && b == 0) {
            return ModelOutput.ofText(FakeSafetyModel.answer("Unsafe", O3, "red"));
        }
        if (r == 0 && g == 0 && b == 255) {
            return ModelOutput.ofText(FakeSafetyModel.answer("Unsafe", O2, "blue"));
        }
        if (r == 0 && g == 255 && b == 0) {
            throw new ModelException("green frames break the model");
        }
        return ModelOutput.ofText(FakeSafetyModel.SAFE);
    });

    private final List<SafetyGuard> guards = new ArrayList<>();

    @AfterEach
    void close() {
        guards.forEach(SafetyGuard::close);
    }

    private SafetyGuard guard(FailureMode mode) {
        SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .failureMode(mode)
                .parallelism(2)
                .build();
        guards.add(guard);
        return guard;
    }

    private FrameJudge judge(FrameRule rule) {
        return FrameJudge.builder(guard(FailureMode.FAIL_CLOSED)).rule(rule).build();
    }

    /** A GIF whose frames each fill the 4x4 canvas with one palette colour, 100 ms apart. */
    private static byte[] gifOf(int... colours) {
        List<GifFrame> frames = new ArrayList<>();
        for (int c : colours) {
            frames.add(GifFrame.solid(0, 0, 4, 4, c, Disposal.KEEP));
        }
        return TestAnimations.gif(4, 4, frames);
    }

    @Test
    void anyUnsafeFrameMakesTheClipUnsafeAndEveryFrameVerdictIsKept() {
        FramesVerdict v = judge(FrameRule.any()).assess(gifOf(WHITE, RED, WHITE, WHITE), "clip.gif");

        assertThat(v.isAnimated()).isTrue();
        assertThat(v.frameCount()).isEqualTo(4);
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(v.unsafeFrames()).isEqualTo(1);
        assertThat(v.frames()).extracting(FrameVerdict::index).containsExactly(0, 1, 2, 3);
        assertThat(v.frames()).extracting(FrameVerdict::timestampMillis).containsExactly(0L, 100L, 200L, 300L);
        assertThat(v.frames())
                .extracting(f -> f.verdict().rating())
                .containsExactly(Rating.SAFE, Rating.UNSAFE, Rating.SAFE, Rating.SAFE);
        assertThat(v.unsafeFrameVerdicts()).extracting(FrameVerdict::index).containsExactly(1);
        assertThat(v.categoryLabel()).contains(O3);
        assertThat(v.decisiveFrame().orElseThrow().index()).isEqualTo(1);
        assertThat(v.failureReason()).isEmpty();
    }

    @Test
    void atLeastKToleratesFewerUnsafeFrames() {
        FramesVerdict v = judge(FrameRule.atLeast(2)).assess(gifOf(WHITE, RED, WHITE, WHITE), "clip.gif");

        assertThat(v.rating()).isEqualTo(Rating.SAFE);
        assertThat(v.unsafeFrames()).isEqualTo(1);
        // a Safe clip takes the most frequent category of its Safe frames
        assertThat(v.categoryLabel()).contains("NA: None applying");
        assertThat(v.decisiveFrame().orElseThrow().index()).isZero();

        FramesVerdict two = judge(FrameRule.atLeast(2)).assess(gifOf(RED, WHITE, RED), "two.gif");
        assertThat(two.rating()).isEqualTo(Rating.UNSAFE);
    }

    @Test
    void shareRuleAndTheMostFrequentUnsafeCategory() {
        FramesVerdict v = judge(FrameRule.share(0.5)).assess(gifOf(RED, BLUE, BLUE, WHITE), "clip.gif");
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(v.categoryLabel()).contains(O2);
        assertThat(v.decisiveFrame().orElseThrow().index()).isEqualTo(1);

        FramesVerdict below = judge(FrameRule.share(0.5)).assess(gifOf(RED, WHITE, WHITE, WHITE), "clip.gif");
        assertThat(below.rating()).isEqualTo(Rating.SAFE);
    }

    @Test
    void aTieBetweenCategoriesGoesToTheOneSeenFirst() {
        FramesVerdict v = judge(FrameRule.any()).assess(gifOf(WHITE, RED, BLUE), "tie.gif");
        assertThat(v.categoryLabel()).contains(O3);
    }

    @Test
    void samplingBoundsTheModelRuns() {
        FrameJudge judge = FrameJudge.builder(guard(FailureMode.FAIL_CLOSED))
                .sampling(FrameSampling.evenly(3))
                .build();
        int[] colours = new int[10];
        Arrays.fill(colours, WHITE);
        colours[9] = RED;

        FramesVerdict v = judge.assess(gifOf(colours), "ten.gif");

        assertThat(v.frames()).extracting(FrameVerdict::index).containsExactly(0, 5, 9);
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
    }

    @Test
    void identicalComposedFramesRunTheModelOnceAndRepeatsComeFromTheCache() {
        SafetyGuard guard = guard(FailureMode.FAIL_CLOSED);
        FrameJudge judge =
                FrameJudge.builder(guard).sampling(FrameSampling.all()).build();
        byte[] gif = gifOf(WHITE, RED, WHITE, RED, WHITE, RED);

        FramesVerdict first = judge.assess(gif, "loop.gif");
        assertThat(first.frames()).hasSize(6);
        assertThat(model.calls()).isEqualTo(2); // two distinct frames

        FramesVerdict again = judge.assess(gif, "loop.gif");
        assertThat(model.calls()).isEqualTo(2);
        assertThat(again.frames()).extracting(f -> f.verdict().source().name()).containsOnly("CACHE");
        assertThat(again.frames())
                .extracting(f -> f.verdict().imageDigest())
                .isEqualTo(first.frames().stream()
                        .map(f -> f.verdict().imageDigest())
                        .toList());
        // the digest is of the composed pixels, so a frame and a still image of the same pixels share it
        Verdict still = guard.assess(ImageInput.ofImage(TestImages.solid(4, 4, 0xFF0000)));
        assertThat(still.imageDigest())
                .isEqualTo(first.frames().get(1).verdict().imageDigest());
    }

    @Test
    void aFrameTheModelFailsOnMakesTheClipUnsafeUnlessFailOpen() {
        byte[] gif = gifOf(WHITE, GREEN, WHITE, WHITE);

        FramesVerdict closed = judge(FrameRule.atLeast(3)).assess(gif, "g.gif");
        assertThat(closed.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(closed.failedFrames()).extracting(FrameVerdict::index).containsExactly(1);
        assertThat(closed.judgedFrames()).isEqualTo(3);
        assertThat(closed.unsafeFrames()).isZero();
        assertThat(closed.failureReason().orElseThrow())
                .startsWith("frame 1: ")
                .contains("green frames break the model");
        assertThat(closed.isFailure()).isFalse();

        FramesVerdict open =
                FrameJudge.builder(guard(FailureMode.FAIL_OPEN)).build().assess(gif, "g.gif");
        assertThat(open.rating()).isEqualTo(Rating.SAFE);
        assertThat(open.failedFrames()).hasSize(1);
    }

    @Test
    void aCorruptAnimationIsAFailureRatedByTheFailureMode() {
        byte[] gif = gifOf(WHITE, WHITE);
        byte[] cut = Arrays.copyOf(gif, gif.length - 4);

        FramesVerdict closed = judge(FrameRule.any()).assess(cut, "cut.gif");
        assertThat(closed.isFailure()).isTrue();
        assertThat(closed.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(closed.frames()).isEmpty();
        assertThat(closed.failureReason().orElseThrow()).startsWith("cut.gif: corrupt animated GIF: frame 1");

        assertThat(FrameJudge.builder(guard(FailureMode.FAIL_OPEN))
                        .build()
                        .assess(cut, "cut.gif")
                        .rating())
                .isEqualTo(Rating.SAFE);
        assertThatThrownBy(() ->
                        FrameJudge.builder(guard(FailureMode.THROW)).build().assess(cut, "cut.gif"))
                .isInstanceOf(SafetyGuardException.class)
                .satisfies(e -> assertThat(((SafetyGuardException) e).kind()).isEqualTo(FailureKind.IMAGE_REJECTED))
                .hasMessageContaining("cut.gif: corrupt animated GIF");
        assertThat(model.calls()).isZero();
    }

    @Test
    void animatedWebpIsJudgedFrameByFrame() {
        byte[] webp = TestAnimations.webp(
                4,
                4,
                List.of(
                        new WebpFrame(0, 0, 4, 4, 40, true, false, TestAnimations.vp8lSolid(4, 4, 0xFFFFFFFF)),
                        new WebpFrame(0, 0, 4, 4, 40, true, false, TestAnimations.vp8lSolid(4, 4, 0xFFFF0000))));

        FramesVerdict v = judge(FrameRule.any()).assess(webp, "clip.webp");

        assertThat(v.frames()).extracting(FrameVerdict::timestampMillis).containsExactly(0L, 40L);
        assertThat(v.unsafeFrameVerdicts()).extracting(FrameVerdict::index).containsExactly(1);
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
    }

    @Test
    void aStillImageIsAssessedAsAlways() {
        SafetyGuard guard = guard(FailureMode.FAIL_CLOSED);
        byte[] png = TestImages.png(TestImages.solid(4, 4, 0xFF0000));

        FramesVerdict v = FrameJudge.builder(guard).build().assess(png, "still.png");

        assertThat(v.isAnimated()).isFalse();
        assertThat(v.frameCount()).isEqualTo(1);
        assertThat(v.frames()).hasSize(1);
        Verdict direct = guard.assess(ImageInput.ofBytes(png, "still.png"));
        assertThat(v.frames().get(0).verdict().imageDigest()).isEqualTo(direct.imageDigest());
        assertThat(v.rating()).isEqualTo(direct.rating());
        assertThat(v.frames().get(0).timestamp()).isEmpty();
    }

    @Test
    void framesFromAVideoToolAreSampledAndKeepTheirTimes() {
        List<FrameInput> frames = new ArrayList<>();
        int[] colours = {0xFFFFFF, 0xFFFFFF, 0x0000FF, 0xFFFFFF, 0xFFFFFF};
        for (int i = 0; i < colours.length; i++) {
            frames.add(new FrameInput(
                    ImageInput.ofBytes(TestImages.pngOfColour(colours[i]), "f" + i + ".png"), 1000L * i));
        }
        FrameJudge judge = FrameJudge.builder(guard(FailureMode.FAIL_CLOSED))
                .sampling(FrameSampling.evenly(3))
                .build();

        FramesVerdict v = judge.assessFrames(frames, "clip.mp4");

        assertThat(v.frameCount()).isEqualTo(5);
        assertThat(v.frames()).extracting(FrameVerdict::index).containsExactly(0, 2, 4);
        assertThat(v.frames()).extracting(FrameVerdict::timestampMillis).containsExactly(0L, 2000L, 4000L);
        assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
        assertThat(v.categoryLabel()).contains(O2);
        assertThatThrownBy(() -> judge.assessImages(List.of(), "empty.mp4"))
                .hasMessage("empty.mp4: no frames to assess");
    }
}
