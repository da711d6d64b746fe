package io.safetyguard.llamacpp.internal.vision;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * An independent, line-by-line transliteration of the Hugging Face processor's token count, written separately
 * from {@link ImageTokenPlanner} to check it:
 * {@code LlavaOnevisionProcessor._get_number_of_features} / {@code _get_unpadded_features} (transformers
 * {@code models/llava_onevision/processing_llava_onevision.py}) and {@code select_best_resolution}
 * ({@code image_processing_utils.py}). Python semantics are emulated with exact decimal arithmetic:
 * {@code round(x, 7)} rounds the exact binary value half-to-even, and {@code int // float} is the floor of the exact
 * quotient. (The planner follows the model side, {@code pack_image_features}, and CPython's float floor-division
 * algorithm instead.)
 */
final class ReferenceTokenCount {
    private ReferenceTokenCount() {}

    /** pinpoints as Python lists of [height, width]. */
    static final int[][] ONEVISION_PINPOINTS = onevision();

    static final int[][] LLAVA_NEXT_PINPOINTS = {{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}};

    private static int[][] onevision() {
        int[][] out = new int[36][];
        int n = 0;
        for (int i = 1; i <= 6; i++) {
            for (int j = 1; j <= 6; j++) {
                out[n++] = new int[] {384 * i, 384 * j};
            }
        }
        return out;
    }

    /** select_best_resolution(original_size=(height, width), possible_resolutions) -> (height, width). */
    static int[] selectBestResolution(long originalHeight, long originalWidth, int[][] possibleResolutions) {
        int[] bestFit = null;
        long maxEffectiveResolution = 0;
        double minWastedResolution = Double.POSITIVE_INFINITY;
        for (int[] hw : possibleResolutions) {
            long height = hw[0];
            long width = hw[1];
            double scale = Math.min((double) width / originalWidth, (double) height / originalHeight);
            long downscaledWidth = (long) (originalWidth * scale);
            long downscaledHeight = (long) (originalHeight * scale);
            long effectiveResolution = Math.min(downscaledWidth * downscaledHeight, originalWidth * originalHeight);
            long wastedResolution = width * height - effectiveResolution;
            if (effectiveResolution > maxEffectiveResolution
                    || (effectiveResolution == maxEffectiveResolution && wastedResolution < minWastedResolution)) {
                maxEffectiveResolution = effectiveResolution;
                minWastedResolution = wastedResolution;
                bestFit = new int[] {(int) height, (int) width};
            }
        }
        return bestFit;
    }

    /** int(round(x, 7)) */
    static long intOfRound7(double x) {
        return new BigDecimal(x).setScale(7, RoundingMode.HALF_EVEN).longValue();
    }

    /** int(a // b) for an int a and a float b > 0: the floor of the exact quotient. */
    static long intOfFloorDiv(long a, double b) {
        return new BigDecimal(a)
                .divide(new BigDecimal(b), 0, RoundingMode.FLOOR)
                .longValue();
    }

    /**
     * _get_number_of_features(orig_height, orig_width, height, width) with the processor's
     * num_image_tokens = patches², vision_aspect_ratio = "anyres_max_" + maxNumPatches (0: the LLaVA-NeXT variant
     * without the downscale).
     */
    static long numberOfFeatures(
            long origHeight, long origWidth, int tile, int patchesPerSide, int[][] pinpoints, int maxNumPatches) {
        int[] best = selectBestResolution(origHeight, origWidth, pinpoints);
        long heightBestResolution = best[0];
        long widthBestResolution = best[1];
        long scaleHeight = heightBestResolution / tile;
        long scaleWidth = widthBestResolution / tile;
        long patchesHeight = patchesPerSide;
        long patchesWidth = patchesPerSide;
        long[] unpaddedAndNewline = unpaddedFeatures(
                origHeight, origWidth, patchesHeight, patchesWidth, scaleHeight, scaleWidth, maxNumPatches);
        long baseFeatures = patchesHeight * patchesWidth;
        return unpaddedAndNewline[0] + unpaddedAndNewline[1] + baseFeatures;
    }

    /** _get_unpadded_features(height, width, patches_height, patches_width, scale_height, scale_width). */
    static long[] unpaddedFeatures(
            long height,
            long width,
            long patchesHeight,
            long patchesWidth,
            long scaleHeight,
            long scaleWidth,
            int maxNumPatches) {
        long currentHeight = patchesHeight * scaleHeight;
        long currentWidth = patchesWidth * scaleWidth;

        double originalAspectRatio = (double) width / height;
        double currentAspectRatio = (double) currentWidth / currentHeight;
        if (originalAspectRatio > currentAspectRatio) {
            long newHeight = intOfRound7(height * ((double) currentWidth / width));
            long padding = Math.floorDiv(currentHeight - newHeight, 2);
            currentHeight -= padding * 2;
        } else {
            long newWidth = intOfRound7(width * ((double) currentHeight / height));
            long padding = Math.floorDiv(currentWidth - newWidth, 2);
            currentWidth -= padding * 2;
        }

        long unpaddedFeatures = currentHeight * currentWidth;
        long newlineFeatures = currentHeight;

        if (maxNumPatches > 0) {
            double ratio = Math.sqrt(
                    (double) (currentHeight * currentWidth) / (double) (maxNumPatches * patchesHeight * patchesHeight));
            if (ratio > 1.1) {
                unpaddedFeatures = intOfFloorDiv(currentHeight, ratio) * intOfFloorDiv(currentWidth, ratio);
                newlineFeatures = intOfFloorDiv(currentHeight, ratio);
            }
        }
        return new long[] {unpaddedFeatures, newlineFeatures};
    }

    /** LlavaGuard v1.2 / LLaVA-OneVision (SigLIP-384, anyres_max_9). */
    static long oneVision(long width, long height) {
        return numberOfFeatures(height, width, 384, 27, ONEVISION_PINPOINTS, 9);
    }

    /** LLaVA-NeXT (CLIP-336, plain anyres; the "default" strategy's CLS token already excluded). */
    static long llavaNext(long width, long height) {
        return numberOfFeatures(height, width, 336, 24, LLAVA_NEXT_PINPOINTS, 0);
    }
}
