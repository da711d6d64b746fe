package io.safetyguard.llamacpp.internal.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout.Tile;
import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout.TileKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageTokenPlannerTest {

    private static final VisionGeometry OV = VisionGeometry.llavaOneVisionSiglip384();
    private static final VisionGeometry NEXT = VisionGeometry.llavaNextClip336();
    private static final VisionGeometry V15 = VisionGeometry.llava15Clip336();

    /**
     * width, height, best width, best height, total tokens — the expected values were computed by running the
     * transformers formulas (select_best_resolution, LlavaOnevisionProcessor._get_number_of_features) in CPython,
     * so they carry Python's own float semantics.
     */
    private static final String ONEVISION_TABLE = """
            1 1 384 384 1485
            10 10 384 384 1485
            2 3 384 384 1269
            384 384 384 384 1485
            768 384 768 384 2214
            384 768 384 768 2241
            768 768 768 768 3699
            1152 1152 1152 1152 7371
            1152 384 1152 384 2943
            2304 2304 2304 2304 7371
            2304 384 2304 384 5130
            384 2304 384 2304 5265
            1920 1152 1920 1152 7239
            1536 2304 1536 2304 7362
            160 1280 384 1536 2241
            500 4000 384 2304 4293
            160 960 384 1152 1863
            500 3000 384 2304 5265
            160 640 384 768 1485
            500 2000 768 2304 7371
            160 480 384 768 1809
            500 1500 768 1536 4725
            160 320 384 384 1107
            500 1000 768 1152 4050
            320 480 384 768 1849
            1000 1500 1152 1536 8721
            160 160 384 384 1485
            500 500 768 768 3699
            480 320 768 384 1836
            1500 1000 1536 1152 8686
            320 160 384 384 1093
            1000 500 1152 768 4009
            480 160 768 384 1774
            1500 500 1536 768 4653
            640 160 768 384 1444
            2000 500 2304 768 7249
            960 160 1152 384 1795
            3000 500 2304 384 5130
            1280 160 1536 384 2146
            4000 500 2304 384 4152
            8000 6000 2304 1920 7309
            6000 8000 1920 2304 7332
            1 4000 384 384 783
            4000 1 384 384 757
            1 100000 384 384 783
            100000 1 384 384 757
            640 480 768 768 2929
            1024 768 1152 768 4725
            1920 1080 1920 1152 7269
            1080 1920 1152 1920 7317
            4032 3024 2304 1920 7309
            1300 876 1536 1152 8686
            640 488 768 768 3039
            946 1156 1152 1536 8765
            100000 100000 2304 2304 7371
            2147483647 1 384 384 757
            1 2147483647 384 384 783
            2147483647 2147483647 2304 2304 7371
            385 384 768 384 1512
            383 384 384 384 1485
            769 385 1152 768 4009
            500 20 768 384 894
            20 500 384 768 945
            47 423 384 768 1161
            49 1323 384 1536 1377
            94 423 384 768 1485
            94 2538 384 2304 2025
            98 1323 384 1536 1809
            147 1323 384 1536 2241
            188 2538 384 2304 2997
            423 47 768 384 1114
            1323 49 1536 384 1274
            """;

    /** Same for LLaVA-NeXT's five pinpoints (CLIP-336, plain anyres). */
    private static final String LLAVA_NEXT_TABLE = """
            640 480 672 672 2340
            336 336 672 336 1176
            100 900 336 1008 1224
            1000 300 1008 336 2182
            1 5000 672 336 600
            5000 1 672 336 576
            672 672 672 672 2928
            1920 1080 672 672 1948
            """;

    static Stream<Arguments> oneVisionTable() {
        return rows(ONEVISION_TABLE);
    }

    static Stream<Arguments> llavaNextTable() {
        return rows(LLAVA_NEXT_TABLE);
    }

    private static Stream<Arguments> rows(String table) {
        return table.lines().map(String::trim).filter(l -> !l.isEmpty()).map(l -> {
            String[] f = l.split(" ");
            return Arguments.of(
                    Integer.parseInt(f[0]),
                    Integer.parseInt(f[1]),
                    Integer.parseInt(f[2]),
                    Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]));
        });
    }

    @ParameterizedTest(name = "OneVision {0}x{1} -> best {2}x{3}, {4} tokens")
    @MethodSource("oneVisionTable")
    void oneVisionMatchesPythonAndTheIndependentReference(int w, int h, int bestW, int bestH, int tokens) {
        ImageTokenLayout layout = ImageTokenPlanner.plan(OV, w, h);
        assertThat(layout.bestResolution()).isEqualTo(new Resolution(bestW, bestH));
        assertThat(layout.totalTokens()).isEqualTo(tokens);
        assertThat((long) layout.totalTokens()).isEqualTo(ReferenceTokenCount.oneVision(w, h));
        assertConsistent(OV, layout);
    }

    @ParameterizedTest(name = "LLaVA-NeXT {0}x{1} -> best {2}x{3}, {4} tokens")
    @MethodSource("llavaNextTable")
    void llavaNextMatchesPythonAndTheIndependentReference(int w, int h, int bestW, int bestH, int tokens) {
        ImageTokenLayout layout = ImageTokenPlanner.plan(NEXT, w, h);
        assertThat(layout.bestResolution()).isEqualTo(new Resolution(bestW, bestH));
        assertThat(layout.totalTokens()).isEqualTo(tokens);
        assertThat((long) layout.totalTokens()).isEqualTo(ReferenceTokenCount.llavaNext(w, h));
        assertThat(layout.downscaled()).isFalse();
        assertConsistent(NEXT, layout);
    }

    @Test
    void squareImageOfOneTile() {
        // 384x384: best resolution 384x384, one grid tile, 27x27 features. Aspect ratios are equal (1 == 1), so
        // the width branch: int(round(384 * (27 / 384), 7)) = 27, padding 0 -> 27x27 = 729 unpadded features.
        // ratio = sqrt(729 / (9 * 27²)) = 1/3 <= 1.1: no downscale. 27 newlines, 729 base features.
        // Total 729 + 27 + 729 = 1485.
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 384, 384);
        assertThat(l.bestResolution()).isEqualTo(new Resolution(384, 384));
        assertThat(l.gridRows()).isEqualTo(1);
        assertThat(l.gridCols()).isEqualTo(1);
        assertThat(l.unpaddedRows()).isEqualTo(27);
        assertThat(l.unpaddedCols()).isEqualTo(27);
        assertThat(l.downscaled()).isFalse();
        assertThat(l.downscaleRatio()).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(l.newlineTokens()).isEqualTo(27);
        assertThat(l.baseTokens()).isEqualTo(729);
        assertThat(l.gridTokens()).isEqualTo(729);
        assertThat(l.totalTokens()).isEqualTo(1485);
        assertThat(l.tileCount()).isEqualTo(2);
    }

    @Test
    void wideTwoTileImage() {
        // 768x384 (w x h): best [384, 768] = 1 row x 2 columns, features 27 x 54. Aspect 2.0 vs 2.0 -> width branch,
        // int(round(768 * (27 / 384), 7)) = 54, padding 0. ratio = sqrt(1458 / 6561) = 0.47. 1458 + 27 + 729 = 2214.
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 768, 384);
        assertThat(l.gridRows()).isEqualTo(1);
        assertThat(l.gridCols()).isEqualTo(2);
        assertThat(l.featureRows()).isEqualTo(27);
        assertThat(l.featureCols()).isEqualTo(54);
        assertThat(l.unpaddedRows()).isEqualTo(27);
        assertThat(l.unpaddedCols()).isEqualTo(54);
        assertThat(l.totalTokens()).isEqualTo(2214);
        assertThat(l.tiles())
                .extracting(Tile::kind, Tile::row, Tile::col, Tile::x, Tile::y)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(TileKind.BASE, 0, 0, 0, 0),
                        org.assertj.core.groups.Tuple.tuple(TileKind.GRID, 0, 0, 0, 0),
                        org.assertj.core.groups.Tuple.tuple(TileKind.GRID, 0, 1, 384, 0));
    }

    @Test
    void threeByThreeIsExactlyNineTilesAndNotDownscaled() {
        // 1152x1152: 3x3 tiles, 81x81 features; ratio = sqrt(6561 / 6561) = 1.0, not > 1.1: kept.
        // 6561 + 81 newlines + 729 base = 7371.
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 1152, 1152);
        assertThat(l.downscaled()).isFalse();
        assertThat(l.downscaleRatio()).isEqualTo(1.0);
        assertThat(l.packedRows()).isEqualTo(81);
        assertThat(l.totalTokens()).isEqualTo(7371);
        assertThat(l.tileCount()).isEqualTo(10);
    }

    @Test
    void sixBySixIsDownscaledBilinearlyToNineTilesWorth() {
        // 2304x2304: 6x6 tiles, 162x162 features; ratio = sqrt(26244 / 6561) = 2.0 > 1.1:
        // int(162 // 2.0) = 81 -> 81x81 = 6561 + 81 + 729 = 7371 tokens, though 37 tiles are encoded.
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 2304, 2304);
        assertThat(l.gridRows()).isEqualTo(6);
        assertThat(l.gridCols()).isEqualTo(6);
        assertThat(l.downscaled()).isTrue();
        assertThat(l.downscaleRatio()).isEqualTo(2.0);
        assertThat(l.packedRows()).isEqualTo(81);
        assertThat(l.packedCols()).isEqualTo(81);
        assertThat(l.totalTokens()).isEqualTo(7371);
        assertThat(l.tileCount()).isEqualTo(37);
    }

    @Test
    void largePhotoIsUnpaddedThenDownscaled() {
        // 8000x6000: best [1920, 2304] = 5 rows x 6 cols, features 135 x 162. Aspect 1.333 > 1.2 -> height branch:
        // int(round(6000 * (162 / 8000), 7)) = int(121.5) = 121, padding (135 - 121) // 2 = 7 -> 121 x 162 = 19602.
        // ratio = sqrt(19602 / 6561) = 1.7285 > 1.1 -> int(121 // 1.7285) = 70, int(162 // 1.7285) = 93.
        // 70 * 93 = 6510 + 70 newlines + 729 base = 7309.
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 8000, 6000);
        assertThat(l.bestResolution()).isEqualTo(new Resolution(2304, 1920));
        assertThat(l.content()).isEqualTo(new Resolution(2304, 1728));
        assertThat(l.padTop()).isEqualTo(96);
        assertThat(l.padLeft()).isZero();
        assertThat(l.unpadRowOffset()).isEqualTo(7);
        assertThat(l.unpaddedRows()).isEqualTo(121);
        assertThat(l.unpaddedCols()).isEqualTo(162);
        assertThat(l.downscaled()).isTrue();
        assertThat(l.packedRows()).isEqualTo(70);
        assertThat(l.packedCols()).isEqualTo(93);
        assertThat(l.gridTokens()).isEqualTo(6510);
        assertThat(l.newlineTokens()).isEqualTo(70);
        assertThat(l.totalTokens()).isEqualTo(7309);
    }

    @Test
    void unpaddingRoundsToSevenDigitsBeforeTruncating() {
        // 47x423: best [768, 384] (2 rows x 1 col), features 54 x 27; the width branch computes
        // 47 * (54 / 423) = 5.999999999999999 in floating point. int(round(x, 7)) = 6 -> padding (27 - 6) // 2 = 10
        // -> 7 columns; plain truncation would give 5 -> padding 11 -> 5 columns (1053 tokens instead of 1161).
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 47, 423);
        assertThat(47 * (54.0 / 423)).isLessThan(6.0);
        assertThat(l.unpadColOffset()).isEqualTo(10);
        assertThat(l.unpaddedCols()).isEqualTo(7);
        assertThat(l.unpaddedRows()).isEqualTo(54);
        assertThat(l.totalTokens()).isEqualTo(1161);
    }

    @Test
    void oneRowImageKeepsOneFeatureRow() {
        // 4000x1: every pinpoint keeps 0 effective pixels, so the smallest (least wasted) one wins: 384x384.
        // int(round(1 * (27 / 4000), 7)) = 0, padding (27 - 0) // 2 = 13 -> 27 - 26 = 1 row of 27: 27 + 1 + 729.
        ImageTokenLayout l = ImageTokenPlanner.plan(OV, 4000, 1);
        assertThat(l.bestResolution()).isEqualTo(new Resolution(384, 384));
        assertThat(l.unpaddedRows()).isEqualTo(1);
        assertThat(l.unpaddedCols()).isEqualTo(27);
        assertThat(l.totalTokens()).isEqualTo(757);
        // 1x4000: one column of 27 rows: 27 + 27 newlines + 729 = 783 (not symmetric: one newline per row).
        assertThat(ImageTokenPlanner.tokenCount(OV, 1, 4000)).isEqualTo(783);
    }

    @Test
    void llava15IsOnePaddedTileOf576Tokens() {
        for (int[] s : new int[][] {
            {1, 1},
            {336, 336},
            {640, 480},
            {1, 100000},
            {100000, 1},
            {8000, 6000},
            {Integer.MAX_VALUE, Integer.MAX_VALUE}
        }) {
            ImageTokenLayout l = ImageTokenPlanner.plan(V15, s[0], s[1]);
            assertThat(l.totalTokens()).isEqualTo(576);
            assertThat(l.baseTokens()).isEqualTo(576);
            assertThat(l.newlineTokens()).isZero();
            assertThat(l.gridTokens()).isZero();
            assertThat(l.padToSquare()).isTrue();
            assertThat(l.tiles()).containsExactly(new Tile(TileKind.BASE, 0, 0, 0, 0, 336));
            int side = Math.max(s[0], s[1]);
            assertThat(l.canvas()).isEqualTo(new Resolution(side, side));
            assertThat(l.padLeft()).isEqualTo((side - s[0]) / 2);
            assertThat(l.padTop()).isEqualTo((side - s[1]) / 2);
        }
        // A configured tile: 448 px / 14 = 32 -> 1024 tokens.
        VisionGeometry g = new VisionGeometry(448, 14, List.of(), 0, true);
        assertThat(ImageTokenPlanner.tokenCount(g, 10, 20)).isEqualTo(1024);
    }

    /** Every integer aspect ratio from 1:8 to 8:1 (the table has only some), small, tile-sized and large. */
    @ParameterizedTest(name = "ratio {0}:{1}")
    @MethodSource("integerAspectRatios")
    void everyAspectRatioFromOneToEightAgreesWithTheReference(int rw, int rh) {
        for (int unit : new int[] {7, 48, 384, 1000}) {
            int w = rw * unit;
            int h = rh * unit;
            ImageTokenLayout l = ImageTokenPlanner.plan(OV, w, h);
            assertThat((long) l.totalTokens())
                    .as("OneVision %dx%d", w, h)
                    .isEqualTo(ReferenceTokenCount.oneVision(w, h));
            assertThat((long) ImageTokenPlanner.tokenCount(NEXT, w, h))
                    .as("LLaVA-NeXT %dx%d", w, h)
                    .isEqualTo(ReferenceTokenCount.llavaNext(w, h));
            assertConsistent(OV, l);
        }
    }

    static Stream<Arguments> integerAspectRatios() {
        List<Arguments> ratios = new ArrayList<>();
        for (int k = 1; k <= 8; k++) {
            ratios.add(Arguments.of(1, k));
            if (k > 1) {
                ratios.add(Arguments.of(k, 1));
            }
        }
        return ratios.stream();
    }

    @Test
    void randomSizesAgreeWithTheReference() {
        SplittableRandom rnd = new SplittableRandom(20240917L);
        int checked = 0;
        int downscaled = 0;
        for (int i = 0; i < 2000; i++) {
            int w;
            int h;
            switch (i % 4) {
                case 0 -> { // everyday sizes
                    w = 1 + rnd.nextInt(5000);
                    h = 1 + rnd.nextInt(5000);
                }
                case 1 -> { // log-uniform over 1..2^20
                    w = (int) Math.max(1, Math.round(Math.pow(2, rnd.nextDouble() * 20)));
                    h = (int) Math.max(1, Math.round(Math.pow(2, rnd.nextDouble() * 20)));
                }
                case 2 -> { // near pinpoint multiples, where rounding matters most
                    w = 384 * (1 + rnd.nextInt(6)) + rnd.nextInt(7) - 3;
                    h = 384 * (1 + rnd.nextInt(6)) + rnd.nextInt(7) - 3;
                }
                default -> { // extreme aspect ratios
                    w = 1 + rnd.nextInt(64);
                    h = 1 + rnd.nextInt(200_000);
                    if (rnd.nextBoolean()) {
                        int t = w;
                        w = h;
                        h = t;
                    }
                }
            }
            ImageTokenLayout l = ImageTokenPlanner.plan(OV, w, h);
            assertThat((long) l.totalTokens())
                    .as("OneVision %dx%d", w, h)
                    .isEqualTo(ReferenceTokenCount.oneVision(w, h));
            assertThat((long) ImageTokenPlanner.tokenCount(NEXT, w, h))
                    .as("LLaVA-NeXT %dx%d", w, h)
                    .isEqualTo(ReferenceTokenCount.llavaNext(w, h));
            int[] best = ReferenceTokenCount.selectBestResolution(h, w, ReferenceTokenCount.ONEVISION_PINPOINTS);
            assertThat(l.bestResolution()).isEqualTo(Resolution.ofHeightWidth(best[0], best[1]));
            assertConsistent(OV, l);
            checked++;
            downscaled += l.downscaled() ? 1 : 0;
        }
        assertThat(checked).isEqualTo(2000);
        assertThat(downscaled)
                .as("the sample exercises the anyres_max downscale")
                .isGreaterThan(100);
    }

    @Test
    void tokenCountNeverExceedsTheOneVisionCeiling() {
        // The downscale caps the grid near 1.1² x 9 tiles' worth: no image needs more than 8,765 tokens. (Largest
        // value of an exhaustive scan of every size up to 3000x3000 and a sampled scan up to 40000x40000 with this
        // planner; the CPython formula scanned up to 4,700 px agrees; 946x1156 reaches it.)
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 20000; i++) {
            int w = 1 + rnd.nextInt(20000);
            int h = 1 + rnd.nextInt(20000);
            assertThat(ImageTokenPlanner.tokenCount(OV, w, h)).isLessThanOrEqualTo(8765);
        }
        assertThat(ImageTokenPlanner.tokenCount(OV, 946, 1156)).isEqualTo(8765);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void nonPositiveSizesAreRejected(int bad) {
        for (VisionGeometry g : List.of(OV, NEXT, V15)) {
            assertThatThrownBy(() -> ImageTokenPlanner.plan(g, bad, 10))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("positive");
            assertThatThrownBy(() -> ImageTokenPlanner.plan(g, 10, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("positive");
        }
        assertThatThrownBy(() -> ImageTokenPlanner.plan(null, 10, 10)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void customGeometryFromMetadataPlansLikeTheFactory() {
        List<Integer> flat = new ArrayList<>();
        for (Resolution r : VisionGeometry.squareGrid(384, 6)) {
            flat.add(r.height());
            flat.add(r.width());
        }
        VisionGeometry g = VisionGeometry.fromMmprojMetadata(384, 14, flat, "anyres_max_9");
        assertThat(g).isEqualTo(OV);
        assertThat(ImageTokenPlanner.plan(g, 1300, 876)).isEqualTo(ImageTokenPlanner.plan(OV, 1300, 876));
    }

    /** Invariants every anyres layout must satisfy. */
    static void assertConsistent(VisionGeometry g, ImageTokenLayout l) {
        int p = g.patchesPerSide();
        assertThat(l.baseTokens()).isEqualTo(p * p);
        assertThat(l.totalTokens()).isEqualTo(l.baseTokens() + l.gridTokens() + l.newlineTokens());
        assertThat(l.tiles().get(0).kind()).isEqualTo(TileKind.BASE);
        if (l.padToSquare()) {
            assertThat(l.tileCount()).isEqualTo(1);
            return;
        }
        assertThat(g.gridPinpoints()).contains(l.bestResolution());
        assertThat(l.gridRows() * g.imageSize()).isEqualTo(l.bestResolution().height());
        assertThat(l.gridCols() * g.imageSize()).isEqualTo(l.bestResolution().width());
        assertThat(l.tileCount()).isEqualTo(1 + l.gridRows() * l.gridCols());
        int i = 1;
        for (int r = 0; r < l.gridRows(); r++) {
            for (int c = 0; c < l.gridCols(); c++) {
                Tile t = l.tiles().get(i++);
                assertThat(t)
                        .isEqualTo(new Tile(TileKind.GRID, r, c, c * g.imageSize(), r * g.imageSize(), g.imageSize()));
            }
        }
        assertThat(l.featureRows()).isEqualTo(l.gridRows() * p);
        assertThat(l.featureCols()).isEqualTo(l.gridCols() * p);
        assertThat(l.unpaddedRows()).isBetween(0, l.featureRows());
        assertThat(l.unpaddedCols()).isBetween(0, l.featureCols());
        assertThat(l.unpadRowOffset() == 0 || l.unpadColOffset() == 0).isTrue();
        assertThat(l.packedRows()).isLessThanOrEqualTo(l.unpaddedRows());
        assertThat(l.packedCols()).isLessThanOrEqualTo(l.unpaddedCols());
        assertThat(l.newlineTokens()).isEqualTo(l.packedRows());
        assertThat(l.content().width()).isLessThanOrEqualTo(l.canvas().width());
        assertThat(l.content().height()).isLessThanOrEqualTo(l.canvas().height());
        assertThat(l.content().width() == l.canvas().width()
                        || l.content().height() == l.canvas().height())
                .isTrue();
        if (!l.downscaled()) {
            assertThat(l.packedRows()).isEqualTo(l.unpaddedRows());
            assertThat(l.packedCols()).isEqualTo(l.unpaddedCols());
        }
    }
}
