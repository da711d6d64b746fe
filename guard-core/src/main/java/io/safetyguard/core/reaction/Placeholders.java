package io.safetyguard.core.reaction;

import io.safetyguard.core.image.DecodedImage;
import java.awt.image.BufferedImage;
import java.util.Objects;

/** Images to show in place of a blocked one. */
public final class Placeholders {

    /**
     * Cells along the longer side when blurring. Eight cells keep the overall colours and layout
     * (so a UI does not jump) while no face, body or text survives.
     */
    static final int BLUR_CELLS = 8;

    private Placeholders() {}

    /** An all-black RGB image. */
    public static BufferedImage black(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("placeholder size must be positive, got " + width + "x" + height);
        }
        return new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB); // zero-filled: black
    }

    /**
     * A copy blurred past recognition, same size: the image is averaged down to at most
     * {@value #BLUR_CELLS} cells along its longer side, then smoothly interpolated back up.
     */
    public static BufferedImage blurred(DecodedImage image) {
        Objects.requireNonNull(image, "image");
        return blurred(image.width(), image.height(), image.rgb());
    }

    /** {@link #blurred(DecodedImage)} for a {@link BufferedImage} (alpha ignored). */
    public static BufferedImage blurred(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0, o = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                rgb[o++] = (byte) (row[x] >> 16);
                rgb[o++] = (byte) (row[x] >> 8);
                rgb[o++] = (byte) row[x];
            }
        }
        return blurred(w, h, rgb);
    }

    private static BufferedImage blurred(int w, int h, byte[] rgb) {
        int cell = Math.max(1, (Math.max(w, h) + BLUR_CELLS - 1) / BLUR_CELLS);
        int gw = (w + cell - 1) / cell;
        int gh = (h + cell - 1) / cell;
        float[][] grid = cellAverages(w, h, rgb, cell, gw, gh);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            // Position in cell units, measured from the first cell's centre.
            float gy = clamp((y + 0.5f) / cell - 0.5f, 0, gh - 1);
            int y0 = (int) gy;
            int y1 = Math.min(y0 + 1, gh - 1);
            float fy = gy - y0;
            for (int x = 0; x < w; x++) {
                float gx = clamp((x + 0.5f) / cell - 0.5f, 0, gw - 1);
                int x0 = (int) gx;
                int x1 = Math.min(x0 + 1, gw - 1);
                float fx = gx - x0;
                int pixel = 0;
                for (int c = 0; c < 3; c++) {
                    float top = lerp(grid[y0 * gw + x0][c], grid[y0 * gw + x1][c], fx);
                    float bottom = lerp(grid[y1 * gw + x0][c], grid[y1 * gw + x1][c], fx);
                    int v = Math.round(lerp(top, bottom, fy));
                    pixel = (pixel << 8) | Math.max(0, Math.min(255, v));
                }
                row[x] = pixel;
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    private static float[][] cellAverages(int w, int h, byte[] rgb, int cell, int gw, int gh) {
        double[][] sums = new double[gw * gh][3];
        int[] counts = new int[gw * gh];
        for (int y = 0, o = 0; y < h; y++) {
            int cy = y / cell;
            for (int x = 0; x < w; x++, o += 3) {
                int i = cy * gw + x / cell;
                sums[i][0] += rgb[o] & 0xFF;
                sums[i][1] += rgb[o + 1] & 0xFF;
                sums[i][2] += rgb[o + 2] & 0xFF;
                counts[i]++;
            }
        }
        float[][] avg = new float[gw * gh][3];
        for (int i = 0; i < avg.length; i++) {
            for (int c = 0; c < 3; c++) {
                avg[i][c] = (float) (sums[i][c] / counts[i]);
            }
        }
        return avg;
    }

    private static float lerp(float a, float b, float t) {
        return a + (b - a) * t;
    }

    private static float clamp(float v, float lo, float hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
