package io.safetyguard.llamacpp.reference;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout;
import io.safetyguard.llamacpp.internal.vision.PreparedImage;
import io.safetyguard.llamacpp.internal.vision.Preprocess;
import io.safetyguard.llamacpp.internal.vision.ReferenceVisionTower;
import io.safetyguard.llamacpp.internal.vision.RgbImage;
import io.safetyguard.llamacpp.internal.vision.VisionGeometry;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent reference of a Hugging Face {@code LlavaOnevisionForConditionalGeneration} (SigLIP + Qwen2) or
 * {@code LlavaForConditionalGeneration} (CLIP + Llama) checkpoint, read from its folder: image to packed embeddings
 * ({@link #embedImage}) and a token / image sequence to logits ({@link #logits}).
 *
 * <p>The image tiles and their grid come from SafetyGuard's own preprocessing ({@link Preprocess}, itself tested
 * against the transformers formulas) with the geometry read from {@code config.json}; everything after the pixels
 * is computed here: the tower and projector per tile ({@link HfVisionTower}), and the feature packing of
 * {@code LlavaOnevisionModel.pack_image_features} (grid stitched from the tiles, {@code unpad_image},
 * {@code anyres_max_N} bilinear downscale, one {@code image_newline} per row, base tile first) or LLaVA-1.5's
 * single tile.
 */
public final class ReferenceLlava {

    private final HfCheckpoint ckpt;
    private final ReferenceVisionTower tower;
    private final ReferenceLanguageModel lm;
    private final VisionGeometry geometry;
    private final boolean onevision;
    private final float[] newline;

    private ReferenceLlava(HfCheckpoint ckpt) throws IOException {
        this.ckpt = ckpt;
        this.tower = HfVisionTower.of(ckpt);
        this.lm = ReferenceLanguageModel.of(ckpt);
        this.onevision = ckpt.architecture().startsWith("LlavaOnevision");
        this.geometry = geometry(ckpt, onevision);
        this.newline = onevision ? ckpt.get(ckpt.layout().imageNewline) : null;
    }

    /** Opens the checkpoint folder {@code dir}. */
    public static ReferenceLlava open(Path dir) throws IOException {
        return new ReferenceLlava(HfCheckpoint.open(dir));
    }

    public HfCheckpoint checkpoint() {
        return ckpt;
    }

    public ReferenceLanguageModel languageModel() {
        return lm;
    }

    public VisionGeometry geometry() {
        return geometry;
    }

    private static VisionGeometry geometry(HfCheckpoint ckpt, boolean onevision) {
        JsonNode vc = ckpt.visionConfig();
        int size = HfCheckpoint.intOr(vc, "image_size", -1);
        int patch = HfCheckpoint.intOr(vc, "patch_size", -1);
        if (!onevision) {
            return VisionGeometry.fromMmprojMetadata(size, patch, new int[0], "pad");
        }
        List<Integer> pinpoints = new ArrayList<>();
        for (JsonNode pair : ckpt.config().get("image_grid_pinpoints")) {
            pinpoints.add(pair.get(0).asInt()); // [height, width]
            pinpoints.add(pair.get(1).asInt());
        }
        String aspect = HfCheckpoint.stringOr(ckpt.config(), "vision_aspect_ratio", "anyres_max_9");
        return VisionGeometry.fromMmprojMetadata(size, patch, pinpoints, aspect);
    }

    /** The packed image embeddings, {@code [tokens][hidden]} in the order the language model reads them. */
    public float[][] embedImage(RgbImage image) {
        int[] pad = Preprocess.meanBackground(toDoubles(tower.normalizeMean()));
        PreparedImage prepared = Preprocess.prepare(geometry, image, pad);
        List<float[][]> tiles = new ArrayList<>();
        for (RgbImage t : prepared.tiles()) {
            tiles.add(tower.encode(t, ReferenceVisionTower.Variant.HF_REFERENCE));
        }
        if (!onevision) {
            return tiles.get(0);
        }
        ImageTokenLayout layout = prepared.layout();
        return packOneVision(
                tiles,
                geometry.patchesPerSide(),
                layout.gridRows(),
                layout.gridCols(),
                image.width(),
                image.height(),
                geometry.anyresMaxTiles(),
                newline);
    }

    /**
     * {@code pack_image_features} for one image: tile 0 is the base, tiles 1.. the grid in raster order, each
     * {@code p*p} rows of features in raster order of the patches.
     */
    static float[][] packOneVision(
            List<float[][]> tiles,
            int p,
            int gridRows,
            int gridCols,
            int width,
            int height,
            int maxTiles,
            float[] newline) {
        int dim = tiles.get(0)[0].length;
        int rows = gridRows * p;
        int cols = gridCols * p;
        // [channel][row][col] map of the stitched grid
        double[][][] map = new double[dim][rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float[] f = tiles.get(1 + (r / p) * gridCols + c / p)[(r % p) * p + c % p];
                for (int d = 0; d < dim; d++) {
                    map[d][r][c] = f[d];
                }
            }
        }
        // unpad_image: drop the feature rows or columns that show the letterbox padding
        int r0 = 0;
        int r1 = rows;
        int c0 = 0;
        int c1 = cols;
        double originalAspect = (double) width / height;
        double currentAspect = (double) cols / rows;
        if (originalAspect > currentAspect) {
            int newHeight = roundTo7(height * ((double) cols / width));
            int padding = (rows - newHeight) / 2;
            r0 = padding;
            r1 = rows - padding;
        } else {
            int newWidth = roundTo7(width * ((double) rows / height));
            int padding = (cols - newWidth) / 2;
            c0 = padding;
            c1 = cols - padding;
        }
        double[][][] kept = new double[dim][r1 - r0][];
        for (int d = 0; d < dim; d++) {
            for (int r = r0; r < r1; r++) {
                kept[d][r - r0] = java.util.Arrays.copyOfRange(map[d][r], c0, c1);
            }
        }
        int h = r1 - r0;
        int w = c1 - c0;
        if (maxTiles > 0) {
            double ratio = Math.sqrt((double) h * w / (maxTiles * (double) p * p));
            if (ratio > 1.1) {
                int nh = (int) Math.floor(h / ratio);
                int nw = (int) Math.floor(w / ratio);
                kept = bilinear(kept, nh, nw);
                h = nh;
                w = nw;
            }
        }
        int base = p * p;
        float[][] out = new float[base + h * (w + 1)][];
        for (int t = 0; t < base; t++) {
            out[t] = tiles.get(0)[t].clone();
        }
        int at = base;
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                float[] f = new float[dim];
                for (int d = 0; d < dim; d++) {
                    f[d] = (float) kept[d][r][c];
                }
                out[at++] = f;
            }
            out[at++] = newline.clone();
        }
        return out;
    }

    /** Python's {@code int(round(x, 7))} for the positive values here. */
    private static int roundTo7(double x) {
        return new BigDecimal(x).setScale(7, RoundingMode.HALF_EVEN).intValue();
    }

    /** torch {@code interpolate(mode="bilinear", align_corners=False)} of each channel to {@code oh x ow}. */
    static double[][][] bilinear(double[][][] in, int oh, int ow) {
        int ih = in[0].length;
        int iw = in[0][0].length;
        double sh = (double) ih / oh;
        double sw = (double) iw / ow;
        double[][][] out = new double[in.length][oh][ow];
        for (int y = 0; y < oh; y++) {
            double sy = Math.max(0, (y + 0.5) * sh - 0.5);
            int y0 = (int) sy;
            int y1 = y0 < ih - 1 ? y0 + 1 : y0;
            double ly = sy - y0;
            for (int x = 0; x < ow; x++) {
                double sx = Math.max(0, (x + 0.5) * sw - 0.5);
                int x0 = (int) sx;
                int x1 = x0 < iw - 1 ? x0 + 1 : x0;
                double lx = sx - x0;
                for (int d = 0; d < in.length; d++) {
                    double[][] m = in[d];
                    out[d][y][x] = (1 - ly) * ((1 - lx) * m[y0][x0] + lx * m[y0][x1])
                            + ly * ((1 - lx) * m[y1][x0] + lx * m[y1][x1]);
                }
            }
        }
        return out;
    }

    /**
     * The logits at {@code outputs} (indices into the whole sequence) of the sequence {@code before} tokens, the
     * image block, {@code after} tokens, then {@code generated} tokens, at positions {@code 0..n-1} as transformers
     * runs it (the image embeddings take the places of the image placeholder tokens).
     */
    public double[][] logits(int[] before, float[][] image, int[] after, int[] generated, int[] outputs) {
        int n = before.length + image.length + after.length + generated.length;
        double[][] x = new double[n][];
        int t = 0;
        for (int tok : before) {
            x[t++] = lm.embed(tok);
        }
        for (float[] e : image) {
            double[] d = new double[e.length];
            for (int i = 0; i < e.length; i++) {
                d[i] = e[i];
            }
            x[t++] = d;
        }
        for (int tok : after) {
            x[t++] = lm.embed(tok);
        }
        for (int tok : generated) {
            x[t++] = lm.embed(tok);
        }
        return lm.logits(x, outputs);
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
