package io.safetyguard.llamacpp.internal.vision;

import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout.Tile;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The reference's image preprocessing: the geometry (pure functions) and the RGB operations on packed 8-bit
 * pixels, before rescaling and normalisation.
 *
 * <p>What is reproduced, and from where (Hugging Face transformers, slow/PIL image processors):
 * <ul>
 *   <li>{@link #selectBestResolution}: {@code image_processing_utils.select_best_resolution};</li>
 *   <li>{@link #fitWithin}: {@code get_patch_output_size} (scale to the limiting side, {@code math.ceil} the other,
 *       capped at the target);</li>
 *   <li>{@link #resizeKeepAspectAndPad}: {@code LlavaNextImageProcessor._resize_for_patching} then
 *       {@code _pad_for_patching} (centred, {@code divmod} split, zero = black padding);</li>
 *   <li>{@link #splitTiles}: {@code divide_to_patches} (raster order);</li>
 *   <li>{@link #prepare}: {@code get_image_patches}: the overview image resized (squashed) to one tile comes
 *       first, then the grid tiles;</li>
 *   <li>{@link #padToSquare} / {@link #padToSquareAndResize}: LLaVA's {@code expand2square} and transformers'
 *       {@code LlavaImageProcessor.pad_to_square} (centred with {@code (side - w) // 2}, colour
 *       {@code tuple(int(x * 255) for x in image_mean)}), then the CLIP resize to one tile;</li>
 *   <li>{@link #resizeBicubic}: Pillow's {@code Image.resize(..., BICUBIC)} on RGB, bit-exact (transformers'
 *       {@code image_transforms.resize} converts uint8 arrays to PIL and resizes with {@code reducing_gap=None});</li>
 *   <li>{@link #normalizeChw}: {@code rescale} (float64 multiply by 1/255, cast to float32) then {@code normalize}
 *       in float32.</li>
 * </ul>
 * Not reproduced: the "fast" torchvision-based processors ({@code *ImageProcessorFast}, {@code use_fast=True}),
 * whose antialiased bicubic differs from Pillow's by a few levels on some pixels.
 */
public final class Preprocess {
    private Preprocess() {}

    /** OpenAI CLIP mean (CLIP ViT-L/14-336, LLaVA-1.5). */
    public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    /** OpenAI CLIP standard deviation. */
    public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    /** SigLIP mean (LLaVA-OneVision). */
    public static final double[] SIGLIP_MEAN = {0.5, 0.5, 0.5};
    /** SigLIP standard deviation. */
    public static final double[] SIGLIP_STD = {0.5, 0.5, 0.5};
    /** The padding colour of anyres letterboxing: black. */
    public static final int[] BLACK = {0, 0, 0};

    // ---------------------------------------------------------------- geometry

    /**
     * The pinpoint that keeps the most of the image ("effective resolution": the image's area after fitting it
     * into the pinpoint, capped at its own area) and, among equals, wastes the least; ties keep the earlier
     * candidate.
     *
     * @throws IllegalArgumentException for a non-positive size or no candidates
     */
    public static Resolution selectBestResolution(int width, int height, List<Resolution> candidates) {
        requirePositive(width, height);
        Objects.requireNonNull(candidates, "candidates");
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidate resolutions");
        }
        long originalArea = (long) width * height;
        Resolution best = null;
        long maxEffective = 0;
        long minWasted = Long.MAX_VALUE;
        for (Resolution c : candidates) {
            double scale = Math.min((double) c.width() / width, (double) c.height() / height);
            long fittedW = PyMath.trunc(width * scale);
            long fittedH = PyMath.trunc(height * scale);
            long effective = Math.min(fittedW * fittedH, originalArea);
            long wasted = c.area() - effective;
            if (best == null || effective > maxEffective || (effective == maxEffective && wasted < minWasted)) {
                best = c;
                maxEffective = effective;
                minWasted = wasted;
            }
        }
        return best;
    }

    /**
     * The size of a {@code width x height} image scaled to fit {@code target} with its aspect ratio kept:
     * the side with the smaller scale becomes the target's, the other is {@code ceil(side * scale)}, at most the
     * target's.
     */
    public static Resolution fitWithin(int width, int height, Resolution target) {
        requirePositive(width, height);
        Objects.requireNonNull(target, "target");
        double scaleW = (double) target.width() / width;
        double scaleH = (double) target.height() / height;
        if (scaleW < scaleH) {
            int h = (int) Math.min(Math.ceil(height * scaleW), target.height());
            return new Resolution(target.width(), h);
        }
        int w = (int) Math.min(Math.ceil(width * scaleH), target.width());
        return new Resolution(w, target.height());
    }

    /**
     * The pad-to-square colour: {@code int(x * 255)} for each channel mean (CLIP's mean gives 122, 116, 104).
     */
    public static int[] meanBackground(double[] mean) {
        Objects.requireNonNull(mean, "mean");
        if (mean.length != 3) {
            throw new IllegalArgumentException("image mean needs 3 channels, got " + mean.length);
        }
        int[] out = new int[3];
        for (int i = 0; i < 3; i++) {
            double v = mean[i] * 255;
            if (!(v >= 0 && v < 256)) {
                throw new IllegalArgumentException("image mean " + mean[i] + " is outside 0..1");
            }
            out[i] = (int) v;
        }
        return out;
    }

    // ---------------------------------------------------------------- pixels

    /** Pillow-exact bicubic resize to {@code width x height} (aspect ratio not kept). */
    public static RgbImage resizeBicubic(RgbImage image, int width, int height) {
        Objects.requireNonNull(image, "image");
        return PilBicubic.resize(image, width, height);
    }

    /**
     * Fits the image into {@code target} keeping its aspect ratio ({@link #fitWithin}, bicubic) and centres it on
     * a black canvas of the target's size (left/top padding {@code (target - size) // 2}).
     */
    public static RgbImage resizeKeepAspectAndPad(RgbImage image, Resolution target) {
        Objects.requireNonNull(image, "image");
        Resolution fitted = fitWithin(image.width(), image.height(), target);
        RgbImage resized = PilBicubic.resize(image, fitted.width(), fitted.height());
        return PilBicubic.paste(
                resized,
                target.width(),
                target.height(),
                (target.width() - fitted.width()) / 2,
                (target.height() - fitted.height()) / 2,
                BLACK);
    }

    /**
     * Cuts the image into {@code tileSize} squares in raster order (rows top to bottom, each left to right); tiles
     * on the right and bottom edges are smaller when the size is not a multiple, as in the reference.
     */
    public static List<RgbImage> splitTiles(RgbImage image, int tileSize) {
        Objects.requireNonNull(image, "image");
        if (tileSize <= 0) {
            throw new IllegalArgumentException("tile size must be positive, got " + tileSize);
        }
        List<RgbImage> tiles = new ArrayList<>();
        for (int y = 0; y < image.height(); y += tileSize) {
            for (int x = 0; x < image.width(); x += tileSize) {
                tiles.add(crop(
                        image, x, y, Math.min(tileSize, image.width() - x), Math.min(tileSize, image.height() - y)));
            }
        }
        return tiles;
    }

    /**
     * Pads the image to a square of its longer side with {@code color}, the image centred
     * ({@code (side - w) // 2} columns or {@code (side - h) // 2} rows before it).
     */
    public static RgbImage padToSquare(RgbImage image, int[] color) {
        Objects.requireNonNull(image, "image");
        int side = Math.max(image.width(), image.height());
        return PilBicubic.paste(image, side, side, (side - image.width()) / 2, (side - image.height()) / 2, color);
    }

    /**
     * {@link #padToSquare} followed by a bicubic resize to {@code size x size}, without allocating the padded square
     * (bit-identical to doing both steps).
     */
    public static RgbImage padToSquareAndResize(RgbImage image, int[] color, int size) {
        Objects.requireNonNull(image, "image");
        int side = Math.max(image.width(), image.height());
        return PilBicubic.resizeCanvas(
                image, side, side, (side - image.width()) / 2, (side - image.height()) / 2, color, size, size);
    }

    /**
     * The tiles the reference encodes for this image, base (overview) tile first, each {@code imageSize} square,
     * plus the token layout they produce.
     *
     * @param padColor the pad-to-square colour (ignored for anyres, which pads with black); see
     *                 {@link #meanBackground}
     */
    public static PreparedImage prepare(VisionGeometry geometry, RgbImage image, int[] padColor) {
        Objects.requireNonNull(geometry, "geometry");
        Objects.requireNonNull(image, "image");
        ImageTokenLayout layout = ImageTokenPlanner.plan(geometry, image.width(), image.height());
        int tile = geometry.imageSize();
        List<RgbImage> tiles = new ArrayList<>(layout.tileCount());
        if (geometry.padToSquare()) {
            tiles.add(padToSquareAndResize(image, padColor, tile));
            return new PreparedImage(layout, tiles);
        }
        tiles.add(PilBicubic.resize(image, tile, tile));
        Resolution content = layout.content();
        RgbImage resized = PilBicubic.resize(image, content.width(), content.height());
        for (Tile t : layout.tiles().subList(1, layout.tiles().size())) {
            tiles.add(cropCanvas(resized, layout.padLeft(), layout.padTop(), t.x(), t.y(), t.size()));
        }
        return new PreparedImage(layout, tiles);
    }

    /**
     * Rescales to 0..1 and normalises: {@code (float(p * (1/255)) - mean) / std} in float32, channels first
     * ({@code [3][height][width]} flattened).
     */
    public static float[] normalizeChw(RgbImage image, double[] mean, double[] std) {
        Objects.requireNonNull(image, "image");
        if (mean == null || std == null || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 channels each");
        }
        int plane = image.width() * image.height();
        float[] out = new float[plane * 3];
        byte[] px = image.rgb();
        for (int c = 0; c < 3; c++) {
            float m = (float) mean[c];
            float s = (float) std[c];
            if (s == 0f) {
                throw new IllegalArgumentException("std must not be 0");
            }
            for (int i = 0; i < plane; i++) {
                float x = (float) ((px[i * 3 + c] & 0xFF) * (1.0 / 255));
                out[c * plane + i] = (x - m) / s;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private static RgbImage crop(RgbImage image, int x, int y, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int r = 0; r < h; r++) {
            System.arraycopy(image.rgb(), ((y + r) * image.width() + x) * 3, out, r * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** A {@code size} square at (x, y) of a black canvas holding {@code content} at (offX, offY). */
    private static RgbImage cropCanvas(RgbImage content, int offX, int offY, int x, int y, int size) {
        byte[] out = new byte[size * size * 3];
        int x0 = Math.max(x, offX);
        int x1 = Math.min(x + size, offX + content.width());
        for (int r = 0; r < size; r++) {
            int cy = y + r - offY;
            if (cy < 0 || cy >= content.height() || x0 >= x1) {
                continue;
            }
            System.arraycopy(
                    content.rgb(),
                    (cy * content.width() + (x0 - offX)) * 3,
                    out,
                    (r * size + (x0 - x)) * 3,
                    (x1 - x0) * 3);
        }
        return new RgbImage(size, size, out);
    }

    private static void requirePositive(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive, got " + width + "x" + height);
        }
    }
}
