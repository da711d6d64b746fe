package io.safetyguard.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.image.TestAnimations.Disposal;
import io.safetyguard.core.image.TestAnimations.GifFrame;
import io.safetyguard.core.image.TestAnimations.WebpFrame;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Damaged animations (random bytes changed, cut short) either decode or fail with an
 * {@link ImageDecodingException}: no other exception escapes the container parsers, the frame
 * decoders or the composition, and nothing takes long. Fixed seeds, so a failure reproduces.
 */
class AnimationMutationTest {

    private static final int ROUNDS = 400;

    private final AnimationDecoder decoder = new AnimationDecoder(
            ImageLimits.DEFAULT.withMaxPixels(1 << 20), AnimationLimits.DEFAULT.withMaxComposedPixels(1 << 22));

    @Test
    @Timeout(120)
    void damagedGifsDecodeOrFailCleanly() {
        byte[] gif = TestAnimations.gif(
                8,
                8,
                List.of(
                        GifFrame.solid(0, 0, 8, 8, TestAnimations.RED, Disposal.KEEP),
                        GifFrame.solid(2, 2, 4, 4, TestAnimations.BLUE, Disposal.BACKGROUND),
                        GifFrame.solid(0, 0, 2, 2, TestAnimations.GREEN, Disposal.PREVIOUS)));
        mutate(gif, 1);
    }

    @Test
    @Timeout(120)
    void damagedWebpsDecodeOrFailCleanly() {
        byte[] webp = TestAnimations.webp(
                16,
                16,
                List.of(
                        new WebpFrame(0, 0, 16, 16, 40, true, false, TestAnimations.vp8lSolid(16, 16, 0xFFFF0000)),
                        new WebpFrame(2, 2, 4, 4, 50, true, true, TestAnimations.vp8lSolid(4, 4, 0x800000FF)),
                        new WebpFrame(0, 0, 16, 16, 70, true, false, TestAnimations.imageChunks(TestImages.WEBP_LOSSY)),
                        new WebpFrame(
                                8, 8, 8, 8, 80, true, false, TestAnimations.imageChunks(TestImages.WEBP_LOSSY_ALPHA))));
        mutate(webp, 2);
    }

    private void mutate(byte[] original, long seed) {
        Random random = new Random(seed);
        int decoded = 0;
        int rejected = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] damaged = original.clone();
            if (random.nextInt(4) == 0) {
                damaged = java.util.Arrays.copyOf(damaged, 1 + random.nextInt(damaged.length - 1));
            } else {
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
                }
            }
            try {
                decoder.decode(
                        damaged, "round " + round, n -> IntStream.range(0, n).toArray());
                decoded++;
            } catch (ImageDecodingException e) {
                assertThat(e.getMessage()).startsWith("round " + round);
                rejected++;
            }
        }
        assertThat(decoded + rejected).isEqualTo(ROUNDS);
        assertThat(rejected).as("some damage must be detected").isPositive();
    }
}
