package io.safetyguard.core.reaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.image.TestImages;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class PlaceholdersTest {

    @Test
    void blackIsBlackAndSized() {
        BufferedImage b = Placeholders.black(30, 20);
        assertThat(b.getWidth()).isEqualTo(30);
        assertThat(b.getHeight()).isEqualTo(20);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 30; x++) {
                assertThat(b.getRGB(x, y) & 0xFFFFFF).isZero();
            }
        }
        assertThatThrownBy(() -> Placeholders.black(0, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void blurKeepsSizeAndAverageColour() {
        BufferedImage src = TestImages.solid(64, 40, 0x3366CC);
        BufferedImage out = Placeholders.blurred(src);
        assertThat(out.getWidth()).isEqualTo(64);
        assertThat(out.getHeight()).isEqualTo(40);
        assertThat(out.getRGB(10, 10) & 0xFFFFFF).isEqualTo(0x3366CC);
    }

    @Test
    void blurDestroysDetail() {
        // A one-pixel checkerboard has maximal detail; after blurring, neighbours must be nearly equal.
        BufferedImage checker = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                checker.setRGB(x, y, (x + y) % 2 == 0 ? 0xFFFFFF : 0x000000);
            }
        }
        BufferedImage out = Placeholders.blurred(checker);
        assertThat(maxNeighbourDifference(out)).isLessThanOrEqualTo(2);
    }

    @Test
    void imagesDifferingOnlyInDetailBlurToNearlyTheSame() {
        // Two different fine patterns (think: two faces, two texts): after blurring, nearly equal.
        BufferedImage a = speckles(256, 128, 1);
        BufferedImage b = speckles(256, 128, 2);
        BufferedImage ba = Placeholders.blurred(a);
        BufferedImage bb = Placeholders.blurred(b);
        assertThat(meanAbsoluteDifference(a, b)).isGreaterThan(5.0);
        assertThat(meanAbsoluteDifference(ba, bb)).isLessThan(meanAbsoluteDifference(a, b) / 4);
        assertThat(maxNeighbourDifference(ba)).isLessThan(20);
    }

    @Test
    void decodedImagesBlurToo() throws Exception {
        var decoded = new io.safetyguard.core.image.ImageDecoder(io.safetyguard.core.image.ImageLimits.DEFAULT)
                .decode(TestImages.gradient(40, 30), "g");
        BufferedImage out = Placeholders.blurred(decoded);
        assertThat(out.getWidth()).isEqualTo(40);
        assertThat(maxNeighbourDifference(out)).isLessThan(20);
    }

    @Test
    void tinyImagesStillWork() {
        assertThat(Placeholders.blurred(TestImages.solid(1, 1, 0xABCDEF)).getRGB(0, 0) & 0xFFFFFF)
                .isEqualTo(0xABCDEF);
        assertThat(Placeholders.blurred(TestImages.solid(3, 100, 0x101010)).getHeight())
                .isEqualTo(100);
    }

    /** Random black and white 2x2 blocks; no fonts needed (CI machines may have none). */
    private static BufferedImage speckles(int w, int h, long seed) {
        java.util.Random random = new java.util.Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y += 2) {
            for (int x = 0; x < w; x += 2) {
                int c = random.nextBoolean() ? 0xFFFFFF : 0;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        img.setRGB(x + dx, y + dy, c);
                    }
                }
            }
        }
        return img;
    }

    private static int maxNeighbourDifference(BufferedImage img) {
        int max = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 1; x < img.getWidth(); x++) {
                max = Math.max(max, channelDiff(img.getRGB(x, y), img.getRGB(x - 1, y)));
            }
        }
        return max;
    }

    private static double meanAbsoluteDifference(BufferedImage a, BufferedImage b) {
        long sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                sum += channelDiff(a.getRGB(x, y), b.getRGB(x, y));
            }
        }
        return (double) sum / (a.getWidth() * a.getHeight());
    }

    private static int channelDiff(int p, int q) {
        int max = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            max = Math.max(max, Math.abs(((p >> shift) & 0xFF) - ((q >> shift) & 0xFF)));
        }
        return max;
    }
}
