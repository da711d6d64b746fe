package io.safetyguard.llamacpp.internal.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreprocessTest {

    /** A deterministic test pattern, reproducible in numpy: ((x² + 3y)(c + 1) + xy) & 0xFF. */
    static RgbImage pattern(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    px[(y * w + x) * 3 + c] = (byte) ((((long) x * x + 3L * y) * (c + 1) + (long) x * y) & 0xFF);
                }
            }
        }
        return new RgbImage(w, h, px);
    }

    static String sha256(List<RgbImage> tiles) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (RgbImage t : tiles) {
                md.update(t.rgb());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * SHA-256 over all tiles (base first, raster order) of {@link #pattern}. The expected digests come from an
     * emulation of transformers' slow image processors' uint8 stages (select_best_resolution,
     * get_patch_output_size, PIL {@code Image.resize(BICUBIC, reducing_gap=None)}, {@code np.pad} with 0,
     * divide_to_patches, base resize; LLaVA-1.5: pad_to_square with int(mean*255) then resize) run with
     * Pillow 12.3.0 and numpy 2.4.
     */
    @ParameterizedTest(name = "{0} {1}x{2}")
    @CsvSource({
        "ov, 640, 488, 5, c190dec2fe18be256e51205036fab24b590f49aa16aa1ede5b12468fd25b49e2",
        "ov, 10, 10, 2, 3f071197c83c51eb179459bb6f69c7f96d8731df1918b9952da76ad91c7df132",
        "ov, 1300, 876, 13, dfd6e378b27c0817f5eb91178988d74a4d02f17ba204843967ed5c05b925d42c",
        "ov, 3, 2000, 7, 8037d67ef6e5574410b86c1ba82550f48e9a6d7cd626a8a90e5142fe7eb6c6c6",
        "ov, 2000, 3, 7, d8c47ab45df4b06bdd0898c87e92b4ba17747df71a814ced1d82057b3ce490f9",
        "ov, 384, 384, 2, 111b1caed52166e8bc1b5d25d82db5c3a2a1dfbd3764b1fa4d928024529ec337",
        "ov, 1000, 1000, 10, d0acd23d26db3f1d0f73e599309edbfa060546a937f179db9c4b4b731164cb7f",
        "next, 640, 480, 5, 2f49b547eee842d8eaf4396319a1d9c96b0ea8124d63b4eeb45573bcf6f4b0b2",
        "next, 100, 900, 4, 4c0a2a170cd87feb193eddd2d6b2dda94e8cdfdc2fecf3843c851c6ebacfc1f4",
        "v15, 640, 488, 1, f9d534f51e99891e30f2d4c5ba4175bb40fa79fdf53fa88e09604df9ab53e02c",
        "v15, 3, 700, 1, 5e4edb971684738d0e59a705c871295da4c8c6cd9a91893dbd0013400a650bd5",
        "v15, 336, 336, 1, bd342e6981d411cb1c74f5411ae8c176233b08f82f194409c18ea5c589ffddc0",
    })
    void tilesMatchTheTransformersPillowPipelineBitForBit(String model, int w, int h, int tiles, String digest) {
        VisionGeometry g = switch (model) {
            case "ov" -> VisionGeometry.llavaOneVisionSiglip384();
            case "next" -> VisionGeometry.llavaNextClip336();
            default -> VisionGeometry.llava15Clip336();
        };
        PreparedImage p = Preprocess.prepare(g, pattern(w, h), Preprocess.meanBackground(Preprocess.CLIP_MEAN));
        assertThat(p.tiles()).hasSize(tiles);
        assertThat(p.layout()).isEqualTo(ImageTokenPlanner.plan(g, w, h));
        for (RgbImage t : p.tiles()) {
            assertThat(t.size()).isEqualTo(Resolution.of(g.imageSize(), g.imageSize()));
        }
        assertThat(sha256(p.tiles())).isEqualTo(digest);
    }

    /**
     * Single resizes against Pillow 12.3.0 ({@code Image.fromarray(pattern).resize((w, h), Image.BICUBIC,
     * reducing_gap=None)}); digests of the output bytes. The 3x301 case is resampled vertically first, as Pillow does
     * for images over 100 times taller than wide.
     */
    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
    @CsvSource({
        "640, 488, 384, 384",
        "3, 301, 224, 224",
        "3, 300, 224, 224",
        "1, 1000, 1, 384",
        "7, 5, 384, 384",
    })
    void resizeMatchesPillow(int w, int h, int ow, int oh) {
        RgbImage out = Preprocess.resizeBicubic(pattern(w, h), ow, oh);
        assertThat(out.size()).isEqualTo(Resolution.of(ow, oh));
        assertThat(sha256(List.of(out))).isEqualTo(PILLOW_RESIZE.get(w + "x" + h + "->" + ow + "x" + oh));
    }

    private static final java.util.Map<String, String> PILLOW_RESIZE = java.util.Map.of(
            "640x488->384x384", "ab8e24402df6fd3927f646cc0a8fae979dfe2e65900ddd0620852469275cbf1e",
            "3x301->224x224", "970b1ae5d37db7941bbf9b0d08ba520aae2821d04553a13c8fcfdda5d65d8b62",
            "3x300->224x224", "6ee067751dfb4d79731421eb5eb22193636c517c50ca2b5c356d77ec3f551272",
            "1x1000->1x384", "6c63473f4e01fe90116c8d1625f9d5b27487558cf0b1deadc3fcff2459aee661",
            "7x5->384x384", "c392ab604a09f7e1b2244d5714cf90ad00f9a58c41b21af4bfea0d3f9026ea10");

    @Test
    void identityResizeIsACopy() {
        RgbImage src = pattern(31, 17);
        RgbImage out = Preprocess.resizeBicubic(src, 31, 17);
        assertThat(out).isEqualTo(src);
        assertThat(out.rgb()).isNotSameAs(src.rgb());
    }

    @Test
    void constantImagesStayConstant() {
        RgbImage grey = RgbImage.filled(123, 45, new int[] {10, 128, 250});
        for (int[] size : new int[][] {{384, 384}, {7, 3}, {1000, 2}, {1, 1}}) {
            RgbImage out = Preprocess.resizeBicubic(grey, size[0], size[1]);
            assertThat(out).isEqualTo(RgbImage.filled(size[0], size[1], new int[] {10, 128, 250}));
        }
    }

    @Test
    void padToSquareAndResizeEqualsPaddingThenResizing() {
        int[] bg = Preprocess.meanBackground(Preprocess.CLIP_MEAN);
        for (int[] s : new int[][] {{640, 488}, {100, 1000}, {1, 300}, {336, 200}, {300, 300}, {5, 2}}) {
            RgbImage src = pattern(s[0], s[1]);
            RgbImage padded = Preprocess.padToSquare(src, bg);
            assertThat(padded.width()).isEqualTo(Math.max(s[0], s[1]));
            assertThat(Preprocess.padToSquareAndResize(src, bg, 336))
                    .isEqualTo(Preprocess.resizeBicubic(padded, 336, 336));
        }
    }

    @Test
    void padToSquareCentresWithFloorDivision() {
        RgbImage src = RgbImage.filled(3, 6, new int[] {255, 255, 255});
        RgbImage sq = Preprocess.padToSquare(src, new int[] {1, 2, 3});
        // (6 - 3) // 2 = 1 column of padding on the left, 2 on the right.
        assertThat(sq.size()).isEqualTo(Resolution.of(6, 6));
        assertThat(sq.sample(0, 0, 0)).isEqualTo(1);
        assertThat(sq.sample(1, 0, 0)).isEqualTo(255);
        assertThat(sq.sample(3, 5, 2)).isEqualTo(255);
        assertThat(sq.sample(4, 5, 2)).isEqualTo(3);
        assertThat(sq.sample(5, 0, 1)).isEqualTo(2);
    }

    @Test
    void hugeAspectRatioPadsWithoutAllocatingTheSquare() {
        // 1 x 100000 would be a 30 GB square if materialised; the virtual canvas keeps it small.
        RgbImage tall = RgbImage.filled(1, 100_000, new int[] {255, 0, 0});
        RgbImage out = Preprocess.padToSquareAndResize(tall, new int[] {122, 116, 104}, 336);
        assertThat(out.size()).isEqualTo(Resolution.of(336, 336));
        assertThat(out.sample(0, 0, 0)).isEqualTo(122);
        PreparedImage p = Preprocess.prepare(VisionGeometry.llavaOneVisionSiglip384(), tall, Preprocess.BLACK);
        assertThat(p.tiles()).hasSize(2);
        assertThat(p.layout().totalTokens()).isEqualTo(783);
    }

    @Test
    void meanBackgroundTruncatesLikePython() {
        assertThat(Preprocess.meanBackground(Preprocess.CLIP_MEAN)).containsExactly(122, 116, 104);
        assertThat(Preprocess.meanBackground(Preprocess.SIGLIP_MEAN)).containsExactly(127, 127, 127);
        assertThatThrownBy(() -> Preprocess.meanBackground(new double[] {0.5, 0.5}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Preprocess.meanBackground(new double[] {0.5, 1.5, 0.5}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fitWithinFollowsGetPatchOutputSize() {
        // 8000x6000 into 2304x1920: width limits (0.288 < 0.32); ceil(6000 * 0.288) = ceil(1727.9999999999998).
        assertThat(Preprocess.fitWithin(8000, 6000, Resolution.of(2304, 1920))).isEqualTo(Resolution.of(2304, 1728));
        assertThat(Preprocess.fitWithin(1, 100000, Resolution.of(384, 384))).isEqualTo(Resolution.of(1, 384));
        assertThat(Preprocess.fitWithin(100000, 1, Resolution.of(384, 384))).isEqualTo(Resolution.of(384, 1));
        assertThat(Preprocess.fitWithin(10, 10, Resolution.of(384, 768))).isEqualTo(Resolution.of(384, 384));
        assertThatThrownBy(() -> Preprocess.fitWithin(0, 1, Resolution.of(1, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resizeKeepAspectAndPadLetterboxesInBlack() {
        RgbImage src = RgbImage.filled(200, 100, new int[] {200, 200, 200});
        RgbImage canvas = Preprocess.resizeKeepAspectAndPad(src, Resolution.of(384, 384));
        assertThat(canvas.size()).isEqualTo(Resolution.of(384, 384));
        // content 384 x 192 at top offset (384 - 192) // 2 = 96
        assertThat(canvas.sample(10, 95, 0)).isZero();
        assertThat(canvas.sample(10, 96, 0)).isEqualTo(200);
        assertThat(canvas.sample(10, 287, 0)).isEqualTo(200);
        assertThat(canvas.sample(10, 288, 0)).isZero();
    }

    @Test
    void splitTilesIsRasterOrder() {
        RgbImage src = pattern(5, 3);
        List<RgbImage> tiles = Preprocess.splitTiles(src, 2);
        assertThat(tiles)
                .extracting(RgbImage::size)
                .containsExactly(
                        Resolution.of(2, 2),
                        Resolution.of(2, 2),
                        Resolution.of(1, 2),
                        Resolution.of(2, 1),
                        Resolution.of(2, 1),
                        Resolution.of(1, 1));
        assertThat(tiles.get(1).sample(0, 1, 2)).isEqualTo(src.sample(2, 1, 2));
        assertThat(tiles.get(5).sample(0, 0, 0)).isEqualTo(src.sample(4, 2, 0));
        assertThatThrownBy(() -> Preprocess.splitTiles(src, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gridTilesAreCutFromTheLetterboxedCanvas() {
        VisionGeometry g = VisionGeometry.llavaOneVisionSiglip384();
        RgbImage src = pattern(1300, 876);
        PreparedImage p = Preprocess.prepare(g, src, Preprocess.BLACK);
        RgbImage canvas = Preprocess.resizeKeepAspectAndPad(src, p.layout().bestResolution());
        assertThat(p.tiles().subList(1, p.tiles().size())).isEqualTo(Preprocess.splitTiles(canvas, 384));
        assertThat(p.tiles().get(0)).isEqualTo(Preprocess.resizeBicubic(src, 384, 384));
    }

    @Test
    void normalizeMatchesTheFloat32Reference() {
        RgbImage px = new RgbImage(2, 1, new byte[] {0, (byte) 128, (byte) 255, 10, 20, 30});
        float[] chw = Preprocess.normalizeChw(px, Preprocess.SIGLIP_MEAN, Preprocess.SIGLIP_STD);
        assertThat(chw).hasSize(6);
        assertThat(chw[0]).isEqualTo(-1.0f); // R of pixel 0
        assertThat(chw[1]).isEqualTo(((float) (10 / 255.0) - 0.5f) / 0.5f); // R of pixel 1
        assertThat(chw[2]).isEqualTo(((float) (128 * (1.0 / 255)) - 0.5f) / 0.5f); // G of pixel 0
        assertThat(chw[4]).isEqualTo(1.0f); // B of pixel 0
        assertThatThrownBy(() -> Preprocess.normalizeChw(px, new double[] {0, 0, 0}, new double[] {1, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rgbImageValidatesItsBuffer() {
        assertThatThrownBy(() -> new RgbImage(2, 2, new byte[11])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RgbImage(0, 2, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RgbImage.filled(1, 1, new int[] {256, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Preprocess.resizeBicubic(pattern(2, 2), 0, 5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
