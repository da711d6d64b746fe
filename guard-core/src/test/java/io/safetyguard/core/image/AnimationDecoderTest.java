package io.safetyguard.core.image;

import static io.safetyguard.core.image.TestAnimations.BLUE;
import static io.safetyguard.core.image.TestAnimations.GREEN;
import static io.safetyguard.core.image.TestAnimations.RED;
import static io.safetyguard.core.image.TestAnimations.TRANSPARENT;
import static io.safetyguard.core.image.TestAnimations.WHITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.safetyguard.core.image.ImageDecodingException.Problem;
import io.safetyguard.core.image.TestAnimations.Disposal;
import io.safetyguard.core.image.TestAnimations.GifFrame;
import io.safetyguard.core.image.TestAnimations.WebpFrame;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Composition of animated GIF and WebP frames, frame counts, corrupt files and bombs. */
class AnimationDecoderTest {

    private static final int OPAQUE_RED = 0xFFFF0000;
    private static final int OPAQUE_BLUE = 0xFF0000FF;
    private static final int OPAQUE_GREEN = 0xFF00FF00;
    private static final int OPAQUE_WHITE = 0xFFFFFFFF;
    private static final int CLEAR = 0x00000000;

    private final AnimationDecoder decoder = new AnimationDecoder(ImageLimits.DEFAULT, AnimationLimits.DEFAULT);

    private static int[] all(int count) {
        return IntStream.range(0, count).toArray();
    }

    // ---- GIF ----

    /** Offsets and every disposal method, checked pixel by pixel against what a browser shows. */
    @Test
    void gifFramesAreComposedWithOffsetsAndDisposal() throws Exception {
        byte[] gif = TestAnimations.gif(
                8,
                8,
                List.of(
                        GifFrame.solid(0, 0, 8, 8, RED, Disposal.KEEP),
                        GifFrame.solid(2, 2, 4, 4, BLUE, Disposal.BACKGROUND),
                        GifFrame.solid(0, 0, 2, 2, GREEN, Disposal.PREVIOUS),
                        GifFrame.solid(7, 7, 1, 1, WHITE, Disposal.NONE)));

        assertThat(decoder.frameCount(gif, "a.gif")).isEqualTo(4);
        List<AnimationFrame> frames = decoder.decode(gif, "a.gif", AnimationDecoderTest::all);

        assertThat(frames).extracting(AnimationFrame::index).containsExactly(0, 1, 2, 3);
        assertThat(frames).extracting(AnimationFrame::timestampMillis).containsExactly(0L, 100L, 200L, 300L);
        assertThat(frames.get(0).image().getWidth()).isEqualTo(8);
        assertThat(frames.get(0).image().getHeight()).isEqualTo(8);
        assertThat(frames.get(0).image().getRGB(3, 3)).isEqualTo(OPAQUE_RED);
        // frame 1: the blue square over the red frame that was kept
        assertThat(frames.get(1).image().getRGB(3, 3)).isEqualTo(OPAQUE_BLUE);
        assertThat(frames.get(1).image().getRGB(1, 1)).isEqualTo(OPAQUE_RED);
        // frame 2: the blue square was cleared to transparent; the green corner is drawn
        BufferedImage f2 = frames.get(2).image();
        assertThat(f2.getRGB(3, 3)).isEqualTo(CLEAR);
        assertThat(f2.getRGB(0, 0)).isEqualTo(OPAQUE_GREEN);
        assertThat(f2.getRGB(6, 6)).isEqualTo(OPAQUE_RED);
        // frame 3: the green corner was restored to what was before it (red), the hole stays
        BufferedImage f3 = frames.get(3).image();
        assertThat(f3.getRGB(0, 0)).isEqualTo(OPAQUE_RED);
        assertThat(f3.getRGB(3, 3)).isEqualTo(CLEAR);
        assertThat(f3.getRGB(7, 7)).isEqualTo(OPAQUE_WHITE);
    }

    @Test
    void gifTransparentPixelsLetEarlierFramesShowThrough() throws Exception {
        byte[] holes = new byte[16];
        for (int i = 0; i < holes.length; i++) {
            holes[i] = (byte) (i % 2 == 0 ? BLUE : TRANSPARENT);
        }
        byte[] gif = TestAnimations.gif(
                4,
                4,
                List.of(
                        GifFrame.solid(0, 0, 4, 4, RED, Disposal.KEEP),
                        new GifFrame(0, 0, 4, 4, holes, Disposal.NONE, 5, true)));

        BufferedImage second =
                decoder.decode(gif, "holes.gif", n -> new int[] {1}).get(0).image();

        assertThat(second.getRGB(0, 0)).isEqualTo(OPAQUE_BLUE);
        assertThat(second.getRGB(1, 0)).isEqualTo(OPAQUE_RED);
    }

    @Test
    void onlyTheSelectedFramesAreReturnedAndCompositionStopsAtTheLastOne() throws Exception {
        List<GifFrame> list = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            list.add(GifFrame.solid(i, 0, 1, 1, RED, Disposal.KEEP));
        }
        byte[] gif = TestAnimations.gif(6, 1, list);

        List<AnimationFrame> frames = decoder.decode(gif, "strip.gif", n -> new int[] {3, 1, 3});

        assertThat(frames).extracting(AnimationFrame::index).containsExactly(1, 3);
        BufferedImage f3 = frames.get(1).image();
        assertThat(IntStream.range(0, 6).map(x -> f3.getRGB(x, 0)).toArray())
                .containsExactly(OPAQUE_RED, OPAQUE_RED, OPAQUE_RED, OPAQUE_RED, CLEAR, CLEAR);
    }

    @Test
    void stillImagesHaveOneFrame() throws Exception {
        assertThat(decoder.frameCount(TestImages.gif(TestImages.solid(4, 4, 0x123456)), "still.gif"))
                .isEqualTo(1);
        assertThat(decoder.frameCount(TestImages.png(TestImages.solid(4, 4, 0x123456)), "still.png"))
                .isEqualTo(1);
        assertThat(decoder.frameCount(TestImages.WEBP_LOSSY, "still.webp")).isEqualTo(1);
        assertThat(decoder.frameCount(TestImages.WEBP_LOSSY_ALPHA, "alpha.webp"))
                .isEqualTo(1);
        ImageDecodingException e = catchThrowableOfType(
                () -> decoder.decode(TestImages.WEBP_LOSSY, "still.webp", AnimationDecoderTest::all),
                ImageDecodingException.class);
        assertThat(e).hasMessageContaining("still.webp: not an animated GIF or WebP");
    }

    @Test
    void gifCutInsideTheSecondFrameIsCorrupt() {
        byte[] gif = TestAnimations.gif(
                4,
                4,
                List.of(
                        GifFrame.solid(0, 0, 4, 4, RED, Disposal.KEEP),
                        GifFrame.solid(0, 0, 4, 4, BLUE, Disposal.KEEP)));
        byte[] cut = Arrays.copyOf(gif, gif.length - 4);

        ImageDecodingException e = catchThrowableOfType(
                () -> decoder.decode(cut, "cut.gif", AnimationDecoderTest::all), ImageDecodingException.class);

        assertThat(e.problem()).isEqualTo(Problem.CORRUPT);
        assertThat(e)
                .hasMessageStartingWith("cut.gif: corrupt animated GIF: frame 1's image data")
                .hasMessageEndingWith("(truncated file)");
    }

    @Test
    @Timeout(10)
    void gifWithMoreFramesThanTheLimitIsRejectedBeforeDecoding() {
        List<GifFrame> list = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            list.add(GifFrame.solid(0, 0, 2, 2, i % 2 == 0 ? RED : BLUE, Disposal.KEEP));
        }
        byte[] gif = TestAnimations.gif(2, 2, list);
        AnimationDecoder strict = new AnimationDecoder(ImageLimits.DEFAULT, AnimationLimits.DEFAULT.withMaxFrames(3));

        ImageDecodingException e =
                catchThrowableOfType(() -> strict.frameCount(gif, "many.gif"), ImageDecodingException.class);

        assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
        assertThat(e).hasMessage("many.gif: animated GIF has more than 3 frames (AnimationLimits.maxFrames)");
    }

    @Test
    void gifWhoseCompositionWouldDrawTooManyPixelsIsRejected() {
        List<GifFrame> list = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            list.add(GifFrame.solid(0, 0, 1, 1, RED, Disposal.KEEP));
        }
        byte[] gif = TestAnimations.gif(10, 10, list); // 4 frames x 100 canvas pixels
        AnimationDecoder strict =
                new AnimationDecoder(ImageLimits.DEFAULT, AnimationLimits.DEFAULT.withMaxComposedPixels(399));

        ImageDecodingException e = catchThrowableOfType(
                () -> strict.decode(gif, "wide.gif", AnimationDecoderTest::all), ImageDecodingException.class);
        assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
        assertThat(e)
                .hasMessage("wide.gif: composing 4 frames of a 10x10 canvas draws 400 pixels, more than the limit"
                        + " of 399 (AnimationLimits.maxComposedPixels)");
        // the first two frames are within the limit
        assertThat(catchThrowableOfType(
                        () -> strict.decode(gif, "wide.gif", n -> new int[] {0, 1}), ImageDecodingException.class))
                .isNull();
    }

    @Test
    @Timeout(10)
    void gifWithAHugeLogicalScreenIsRejectedFromTheHeader() {
        byte[] gif = TestAnimations.gif(
                2,
                2,
                List.of(
                        GifFrame.solid(0, 0, 2, 2, RED, Disposal.KEEP),
                        GifFrame.solid(0, 0, 2, 2, BLUE, Disposal.KEEP)));
        gif[6] = (byte) 0xFF; // logical screen 65535 x 65535
        gif[7] = (byte) 0xFF;
        gif[8] = (byte) 0xFF;
        gif[9] = (byte) 0xFF;

        ImageDecodingException e = catchThrowableOfType(
                () -> decoder.decode(gif, "bomb.gif", AnimationDecoderTest::all), ImageDecodingException.class);

        assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
        assertThat(e).hasMessageContaining("bomb.gif: image is 65535x65535 pixels");
    }

    // ---- WebP ----

    @Test
    void webpFramesAreBlendedDisposedAndOffset() throws Exception {
        byte[] webp = TestAnimations.webp(
                16,
                16,
                List.of(
                        new WebpFrame(0, 0, 16, 16, 40, true, false, TestAnimations.vp8lSolid(16, 16, OPAQUE_RED)),
                        new WebpFrame(2, 2, 4, 4, 50, true, true, TestAnimations.vp8lSolid(4, 4, 0x800000FF)),
                        new WebpFrame(4, 4, 2, 2, 60, false, false, TestAnimations.vp8lSolid(2, 2, 0x4000FF00)),
                        // cwebp-made frames: lossy (16x16, left half E02020, right half 2040E0) ...
                        new WebpFrame(0, 0, 16, 16, 70, true, false, TestAnimations.imageChunks(TestImages.WEBP_LOSSY)),
                        // ... and lossy with an alpha plane (8x8 quad, bottom-right quarter transparent)
                        new WebpFrame(
                                8, 8, 8, 8, 80, true, false, TestAnimations.imageChunks(TestImages.WEBP_LOSSY_ALPHA))));

        assertThat(decoder.frameCount(webp, "a.webp")).isEqualTo(5);
        List<AnimationFrame> frames = decoder.decode(webp, "a.webp", AnimationDecoderTest::all);

        assertThat(frames).extracting(AnimationFrame::timestampMillis).containsExactly(0L, 40L, 90L, 150L, 220L);
        assertThat(frames.get(0).image().getRGB(9, 9)).isEqualTo(OPAQUE_RED);
        // half-transparent blue blended over red
        int blended = frames.get(1).image().getRGB(3, 3);
        assertThat(blended >>> 24).isEqualTo(0xFF);
        assertThat((blended >> 16) & 0xFF).isBetween(125, 129);
        assertThat(blended & 0xFF).isBetween(126, 130);
        // frame 1 was disposed: its rectangle is transparent; frame 2 replaced its pixels without blending
        BufferedImage f2 = frames.get(2).image();
        assertThat(f2.getRGB(2, 2)).isEqualTo(CLEAR);
        assertThat(f2.getRGB(4, 4)).isEqualTo(0x4000FF00);
        assertThat(f2.getRGB(0, 0)).isEqualTo(OPAQUE_RED);
        // the lossy frame covers everything
        BufferedImage f3 = frames.get(3).image();
        assertClose(f3.getRGB(2, 8), 0xFFE02020);
        assertClose(f3.getRGB(13, 8), 0xFF2040E0);
        // the lossy frame with alpha at (8, 8): its transparent quarter shows the frame below
        BufferedImage f4 = frames.get(4).image();
        assertClose(f4.getRGB(8, 8), 0xFFFF0000); // the quad's top-left red
        assertClose(f4.getRGB(15, 15), f3.getRGB(15, 15));
    }

    @Test
    void theCheckedInTwoFrameWebpDecodes() throws Exception {
        byte[] webp;
        try (InputStream in =
                getClass().getResourceAsStream("ImageDecoderFuzzTestInputs/decode/webp-animated-2-frames.webp")) {
            webp = in.readAllBytes();
        }
        List<AnimationFrame> frames = decoder.decode(webp, "two.webp", AnimationDecoderTest::all);
        assertThat(frames).hasSize(2);
        assertThat(frames.get(1).timestampMillis()).isEqualTo(100);
        assertClose(frames.get(1).image().getRGB(2, 8), 0xFFE02020);
    }

    @Test
    void webpFrameBeyondTheCanvasIsCorrupt() {
        byte[] webp = TestAnimations.webp(
                8,
                8,
                List.of(
                        new WebpFrame(0, 0, 8, 8, 10, true, false, TestAnimations.vp8lSolid(8, 8, OPAQUE_RED)),
                        new WebpFrame(6, 0, 4, 4, 10, true, false, TestAnimations.vp8lSolid(4, 4, OPAQUE_RED))));

        ImageDecodingException e =
                catchThrowableOfType(() -> decoder.frameCount(webp, "wide.webp"), ImageDecodingException.class);

        assertThat(e.problem()).isEqualTo(Problem.CORRUPT);
        assertThat(e)
                .hasMessageMatching("wide.webp: corrupt animated WebP: frame 1 \\(ANMF at byte \\d+\\) covers x 6..10,"
                        + " y 0..4, beyond the 8x8 canvas");
    }

    @Test
    void truncatedWebpAnimationIsCorrupt() {
        byte[] webp = twoFrameWebp();
        byte[] cut = Arrays.copyOf(webp, webp.length - 5);

        ImageDecodingException e =
                catchThrowableOfType(() -> decoder.frameCount(cut, "cut.webp"), ImageDecodingException.class);

        assertThat(e.problem()).isEqualTo(Problem.CORRUPT);
        assertThat(e).hasMessageContaining("cut.webp: corrupt animated WebP: the RIFF header declares");
    }

    @Test
    void webpFrameWithGarbageImageDataNamesTheFrame() {
        byte[] garbage = TestAnimations.chunk("VP8L", new byte[] {0x2F, 1, 2, 3, 4, 5, 6, 7});
        byte[] webp = TestAnimations.webp(
                8,
                8,
                List.of(
                        new WebpFrame(0, 0, 8, 8, 10, true, false, TestAnimations.vp8lSolid(8, 8, OPAQUE_RED)),
                        new WebpFrame(0, 0, 8, 8, 10, true, false, garbage)));

        ImageDecodingException e = catchThrowableOfType(
                () -> decoder.decode(webp, "bad.webp", AnimationDecoderTest::all), ImageDecodingException.class);

        assertThat(e.problem()).isIn(Problem.CORRUPT, Problem.TOO_LARGE);
        assertThat(e).hasMessageStartingWith("bad.webp frame 1 (ANMF at byte ");
    }

    @Test
    void animatedWebpWithoutFramesIsCorrupt() {
        byte[] webp = TestAnimations.webp(8, 8, List.of());

        ImageDecodingException e =
                catchThrowableOfType(() -> decoder.frameCount(webp, "empty.webp"), ImageDecodingException.class);

        assertThat(e)
                .hasMessage(
                        "empty.webp: corrupt animated WebP: the VP8X chunk says animated, but there is no ANMF frame");
    }

    @Test
    @Timeout(10)
    void webpBombsAreRejectedFromTheHeaders() {
        byte[] hugeCanvas = TestAnimations.webp(
                16383 * 2,
                16383 * 2,
                List.of(new WebpFrame(0, 0, 1, 1, 10, true, false, TestAnimations.vp8lSolid(1, 1, OPAQUE_RED))));
        ImageDecodingException canvas =
                catchThrowableOfType(() -> decoder.frameCount(hugeCanvas, "canvas.webp"), ImageDecodingException.class);
        assertThat(canvas.problem()).isEqualTo(Problem.TOO_LARGE);
        assertThat(canvas).hasMessageContaining("canvas.webp: image is 32766x32766");

        List<WebpFrame> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(new WebpFrame(0, 0, 1, 1, 10, true, false, TestAnimations.vp8lSolid(1, 1, OPAQUE_RED)));
        }
        byte[] manyFrames = TestAnimations.webp(1, 1, many);
        AnimationDecoder strict = new AnimationDecoder(ImageLimits.DEFAULT, AnimationLimits.DEFAULT.withMaxFrames(49));
        ImageDecodingException frames =
                catchThrowableOfType(() -> strict.frameCount(manyFrames, "many.webp"), ImageDecodingException.class);
        assertThat(frames.problem()).isEqualTo(Problem.TOO_LARGE);
        assertThat(frames).hasMessage("many.webp: animated WebP has more than 49 frames (AnimationLimits.maxFrames)");
    }

    static byte[] twoFrameWebp() {
        return TestAnimations.webp(
                8,
                8,
                List.of(
                        new WebpFrame(0, 0, 8, 8, 10, true, false, TestAnimations.vp8lSolid(8, 8, OPAQUE_RED)),
                        new WebpFrame(0, 0, 8, 8, 10, true, false, TestAnimations.vp8lSolid(8, 8, OPAQUE_BLUE))));
    }

    /** Lossy frames are within a few levels of the source colour. */
    private static void assertClose(int actual, int expected) {
        for (int shift = 0; shift <= 24; shift += 8) {
            assertThat((actual >> shift) & 0xFF)
                    .as("channel at bit %d of %08x vs %08x", shift, actual, expected)
                    .isCloseTo((expected >> shift) & 0xFF, org.assertj.core.data.Offset.offset(12));
        }
    }
}
