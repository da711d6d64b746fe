package io.safetyguard.llamacpp.internal.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeaturePackerTest {

    private static final VisionGeometry OV = VisionGeometry.llavaOneVisionSiglip384();
    private static final int P = 27;

    /** Tile features whose 3 channels say where they come from: (tile index, patch row, patch column). */
    private static List<float[]> labelledTiles(ImageTokenLayout l) {
        List<float[]> tiles = new ArrayList<>();
        for (int t = 0; t < l.tileCount(); t++) {
            float[] f = new float[P * P * 3];
            for (int y = 0; y < P; y++) {
                for (int x = 0; x < P; x++) {
                    int o = (y * P + x) * 3;
                    f[o] = t;
                    f[o + 1] = y;
                    f[o + 2] = x;
                }
            }
            tiles.add(f);
        }
        return tiles;
    }

    /** Tile features holding a linear function of the stitched feature position: 2*row + 3*col + 1, one channel. */
    private static List<float[]> linearTiles(ImageTokenLayout l) {
        List<float[]> tiles = new ArrayList<>();
        tiles.add(new float[P * P]);
        for (int t = 1; t < l.tileCount(); t++) {
            int tr = (t - 1) / l.gridCols();
            int tc = (t - 1) % l.gridCols();
            float[] f = new float[P * P];
            for (int y = 0; y < P; y++) {
                for (int x = 0; x < P; x++) {
                    f[y * P + x] = 2f * (tr * P + y) + 3f * (tc * P + x) + 1f;
                }
            }
            tiles.add(f);
        }
        return tiles;
    }

    @Test
    void baseFirstThenRowsOfUnpaddedGridEachEndedByANewline() {
        // 1000x500: best 1152x768 (3 cols x 2 rows) -> 54 x 81 features; aspect 2.0 > 1.5: int(round(500 * 81 /
        // 1000, 7)) = 40, padding (54 - 40) // 2 = 7 -> rows 7..46 kept (40 rows). ratio = sqrt(3240 / 6561) < 1.1.
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 1000, 500);
        assertThat(l.unpadRowOffset()).isEqualTo(7);
        assertThat(l.unpaddedRows()).isEqualTo(40);
        assertThat(l.downscaled()).isFalse();
        float[] newline = {-1, -1, -1};
        float[] out = FeaturePacker.pack(OV, l, labelledTiles(l), newline, 3);
        assertThat(out).hasSize(l.totalTokens() * 3);
        // base tile, row-major
        assertThat(token(out, 0)).containsExactly(0, 0, 0);
        assertThat(token(out, 28)).containsExactly(0, 1, 1);
        int t = P * P;
        for (int r = 0; r < l.packedRows(); r++) {
            for (int c = 0; c < l.packedCols(); c++) {
                int fr = r + 7;
                int expectedTile = 1 + (fr / P) * 3 + c / P;
                assertThat(token(out, t++)).containsExactly(expectedTile, fr % P, c % P);
            }
            assertThat(token(out, t++)).containsExactly(-1, -1, -1);
        }
        assertThat(t).isEqualTo(l.totalTokens());
    }

    @Test
    void downscaleIsTorchBilinearWithoutAlignCorners() {
        // 2304x2304: 162x162 -> 81x81 (scale 2): output (i, j) samples source (2i + 0.5, 2j + 0.5), so a linear
        // feature 2*row + 3*col + 1 comes out as 2*(2i + 0.5) + 3*(2j + 0.5) + 1.
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 2304, 2304);
        assertThat(l.downscaled()).isTrue();
        float[] out = FeaturePacker.pack(OV, l, linearTiles(l), new float[] {-7}, 1);
        int t = P * P;
        for (int i = 0; i < 81; i++) {
            for (int j = 0; j < 81; j++) {
                assertThat(out[t++]).isCloseTo(2f * (2 * i + 0.5f) + 3f * (2 * j + 0.5f) + 1f, within(1e-3f));
            }
            assertThat(out[t++]).isEqualTo(-7f);
        }
    }

    @Test
    void downscaleAfterUnpaddingUsesTheUnpaddedGrid() {
        // 8000x6000: unpadded 121x162 (rows 7..127 of 135) -> 70x93.
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 8000, 6000);
        float[] out = FeaturePacker.pack(OV, l, linearTiles(l), new float[] {-7}, 1);
        float sy = 121f / 70;
        float sx = 162f / 93;
        int t = P * P;
        for (int i = 0; i < 70; i++) {
            float srcY = Math.max(sy * (i + 0.5f) - 0.5f, 0);
            for (int j = 0; j < 93; j++) {
                float srcX = Math.max(sx * (j + 0.5f) - 0.5f, 0);
                float expected = 2f * (srcY + 7) + 3f * srcX + 1f;
                assertThat(out[t++]).as("(%d,%d)", i, j).isCloseTo(expected, within(2e-3f));
            }
            assertThat(out[t++]).isEqualTo(-7f);
        }
        assertThat(t).isEqualTo(l.totalTokens());
    }

    @Test
    void padToSquareIsTheOneTile() {
        VisionGeometry g = VisionGeometry.llava15Clip336();
        ImageTokenLayout l = ImageTokenPlanner.plan(g, 640, 480);
        float[] tile = new float[576 * 2];
        for (int i = 0; i < tile.length; i++) {
            tile[i] = i;
        }
        assertThat(FeaturePacker.pack(g, l, List.of(tile), null, 2)).containsExactly(tile);
    }

    @Test
    void wrongInputsAreRejected() {
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 384, 384);
        List<float[]> tiles = labelledTiles(l);
        assertThatThrownBy(() -> FeaturePacker.pack(OV, l, tiles.subList(0, 1), new float[3], 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tiles");
        assertThatThrownBy(() -> FeaturePacker.pack(OV, l, tiles, new float[2], 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image_newline");
        assertThatThrownBy(() -> FeaturePacker.pack(OV, l, tiles, new float[4], 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("floats");
        assertThatThrownBy(() -> FeaturePacker.pack(VisionGeometry.llava15Clip336(), l, tiles, new float[3], 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("geometry");
    }

    private static float[] token(float[] out, int index) {
        float[] t = new float[3];
        System.arraycopy(out, index * 3, t, 0, 3);
        return t;
    }
}
