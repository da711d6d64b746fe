package io.safetyguard.llamacpp.internal.vision;

import java.util.Arrays;

/**
 * Bicubic resampling of 8-bit RGB that reproduces Pillow's {@code Image.resize(size, Image.BICUBIC)} (with
 * {@code reducing_gap=None}, as transformers calls it) bit for bit: a separable convolution with the Keys cubic
 * ({@code a = -0.5}, support 2, widened by the downscale factor for antialiasing), coefficients normalised to sum 1
 * and quantised to 22-bit fixed point, a horizontal pass rounded to 8 bits, then a vertical pass rounded to 8 bits.
 *
 * <p>Like current Pillow (checked bit for bit against Pillow 12.3.0), an image more than 100 times taller than wide
 * that shrinks in height is resampled vertically first; Pillow releases without that rule (which release added it
 * was not verified) start with the horizontal pass, which can differ by a few levels on such images only.
 *
 * <p>The source may be a virtual canvas: an image pasted at an offset on a larger background of one colour. The
 * result equals resampling the materialised canvas, without allocating it (a 1x100000 image padded to a square
 * stays cheap).
 */
final class PilBicubic {
    private PilBicubic() {}

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);
    private static final double SUPPORT = 2.0;
    /** Upper bound on the coefficient table (outSize * taps) so hostile sizes fail cleanly. */
    private static final long MAX_COEFFICIENTS = 1L << 26;

    /** Keys' cubic convolution kernel with a = -0.5, as Pillow defines it. */
    static double cubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Fixed-point filter taps for one axis. */
    static final class Taps {
        final int taps;
        final int[] first;
        final int[] count;
        final int[] weights;
        /** Per output position: the (wrapping) sum of its fixed-point weights. */
        final int[] sums;

        Taps(int taps, int[] first, int[] count, int[] weights) {
            this.taps = taps;
            this.first = first;
            this.count = count;
            this.weights = weights;
            this.sums = new int[first.length];
            for (int i = 0; i < first.length; i++) {
                int sum = 0;
                for (int x = 0; x < count[i]; x++) {
                    sum += weights[i * taps + x];
                }
                sums[i] = sum;
            }
        }
    }

    /** Pillow's {@code precompute_coeffs} followed by {@code normalize_coeffs_8bpc}. */
    static Taps taps(int inSize, int outSize) {
        double scale = (double) ((float) inSize) / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int taps = (int) Math.ceil(support) * 2 + 1;
        if ((long) taps * outSize > MAX_COEFFICIENTS) {
            throw new IllegalArgumentException("cannot resample " + inSize + " px to " + outSize
                    + " px: the filter would need " + ((long) taps * outSize) + " coefficients; downscale in steps");
        }
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * taps];
        double[] k = new double[taps];
        double invScale = 1.0 / filterScale;
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double sum = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = cubic((x + xmin - center + 0.5) * invScale);
                k[x] = w;
                sum += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = sum != 0.0 ? k[x] / sum : k[x];
                weights[xx * taps + x] =
                        w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Taps(taps, first, count, weights);
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Plain resize of {@code src} to {@code outW x outH}. */
    static RgbImage resize(RgbImage src, int outW, int outH) {
        return resizeCanvas(src, src.width(), src.height(), 0, 0, new int[] {0, 0, 0}, outW, outH);
    }

    /**
     * Resizes the {@code canvasW x canvasH} canvas that holds {@code src} at ({@code offX}, {@code offY}) on a
     * {@code background} fill, to {@code outW x outH}.
     */
    static RgbImage resizeCanvas(
            RgbImage src, int canvasW, int canvasH, int offX, int offY, int[] background, int outW, int outH) {
        if (outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("output size must be positive, got " + outW + "x" + outH);
        }
        if ((long) outW * outH * 3 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("output " + outW + "x" + outH + " is too large");
        }
        if (offX < 0 || offY < 0 || (long) offX + src.width() > canvasW || (long) offY + src.height() > canvasH) {
            throw new IllegalArgumentException("image " + src.size() + " at " + offX + "," + offY + " does not fit the "
                    + canvasW + "x" + canvasH + " canvas");
        }
        RgbImage.checkColor(background);
        if ((long) canvasH > (long) canvasW * 100 && outH < canvasH) {
            // Pillow's Image.resize: for an image more than 100 times taller than wide that shrinks in height,
            // resample vertically first (to canvasW x outH), then horizontally, rounding to 8 bits in between.
            RgbImage tall = resizeCanvas2Pass(src, canvasW, canvasH, offX, offY, background, canvasW, outH);
            return resizeCanvas2Pass(tall, canvasW, outH, 0, 0, background, outW, outH);
        }
        return resizeCanvas2Pass(src, canvasW, canvasH, offX, offY, background, outW, outH);
    }

    /** Pillow's {@code ImagingResampleInner}: horizontal pass, then vertical pass. */
    private static RgbImage resizeCanvas2Pass(
            RgbImage src, int canvasW, int canvasH, int offX, int offY, int[] background, int outW, int outH) {
        boolean horizontal = canvasW != outW;
        boolean vertical = canvasH != outH;
        if (!horizontal && !vertical) {
            return paste(src, canvasW, canvasH, offX, offY, background);
        }
        // Pillow computes both tables before resampling; keep the same failure behaviour for huge sizes.
        Taps h = taps(canvasW, outW);
        Taps v = taps(canvasH, outH);

        int rowWidth = horizontal ? outW : canvasW;
        // Rows fed to the vertical pass: the canvas rows, resampled horizontally if needed. Background rows are all
        // alike, so one shared copy stands for all of them.
        byte[] backgroundRow;
        byte[][] contentRows = new byte[src.height()][];
        if (horizontal) {
            backgroundRow = horizontalRow(null, 0, src.width(), canvasW, offX, background, h, outW);
            for (int y = 0; y < src.height(); y++) {
                contentRows[y] =
                        horizontalRow(src.rgb(), y * src.width() * 3, src.width(), canvasW, offX, background, h, outW);
            }
        } else {
            backgroundRow = fillRow(canvasW, background);
            for (int y = 0; y < src.height(); y++) {
                byte[] row = backgroundRow.clone();
                System.arraycopy(src.rgb(), y * src.width() * 3, row, offX * 3, src.width() * 3);
                contentRows[y] = row;
            }
        }

        byte[] out = new byte[outW * outH * 3];
        if (!vertical) {
            for (int y = 0; y < outH; y++) {
                byte[] row = rowAt(y, offY, contentRows, backgroundRow);
                System.arraycopy(row, 0, out, y * rowWidth * 3, rowWidth * 3);
            }
            return new RgbImage(outW, outH, out);
        }
        int n = outW * 3;
        int[] acc = new int[n];
        for (int yy = 0; yy < outH; yy++) {
            int ymin = v.first[yy];
            int ycount = v.count[yy];
            int kOff = yy * v.taps;
            Arrays.fill(acc, HALF);
            // Integer sums in a different order give the same bits: the taps are applied one row at a time.
            for (int y = 0; y < ycount; y++) {
                byte[] row = rowAt(ymin + y, offY, contentRows, backgroundRow);
                int w = v.weights[kOff + y];
                for (int i = 0; i < n; i++) {
                    acc[i] += (row[i] & 0xFF) * w;
                }
            }
            int o = yy * n;
            for (int i = 0; i < n; i++) {
                out[o + i] = (byte) clip8(acc[i]);
            }
        }
        return new RgbImage(outW, outH, out);
    }

    private static byte[] rowAt(int canvasY, int offY, byte[][] contentRows, byte[] backgroundRow) {
        int y = canvasY - offY;
        return y >= 0 && y < contentRows.length ? contentRows[y] : backgroundRow;
    }

    /**
     * One canvas row resampled horizontally. {@code px == null} means a background row; otherwise the row's
     * {@code srcWidth} pixels start at {@code start} in {@code px} and sit at column {@code offX} of the canvas.
     *
     * <p>Only the taps over the image are visited; the background taps contribute
     * {@code background * (sum of all weights - sum of the image taps' weights)}, which in 32-bit integer arithmetic
     * is exactly the sum Pillow accumulates tap by tap.
     */
    private static byte[] horizontalRow(
            byte[] px, int start, int srcWidth, int canvasW, int offX, int[] bg, Taps h, int outW) {
        byte[] row = new byte[outW * 3];
        for (int xx = 0; xx < outW; xx++) {
            int xmin = h.first[xx];
            int xend = xmin + h.count[xx];
            int kOff = xx * h.taps - xmin;
            int total = h.sums[xx];
            int s0 = HALF;
            int s1 = HALF;
            int s2 = HALF;
            int imageWeight = 0;
            if (px != null) {
                int a = Math.max(xmin, offX);
                int b = Math.min(xend, offX + srcWidth);
                for (int x = a; x < b; x++) {
                    int w = h.weights[kOff + x];
                    int i = start + (x - offX) * 3;
                    s0 += (px[i] & 0xFF) * w;
                    s1 += (px[i + 1] & 0xFF) * w;
                    s2 += (px[i + 2] & 0xFF) * w;
                    imageWeight += w;
                }
            }
            int backgroundWeight = total - imageWeight;
            s0 += bg[0] * backgroundWeight;
            s1 += bg[1] * backgroundWeight;
            s2 += bg[2] * backgroundWeight;
            row[xx * 3] = (byte) clip8(s0);
            row[xx * 3 + 1] = (byte) clip8(s1);
            row[xx * 3 + 2] = (byte) clip8(s2);
        }
        return row;
    }

    private static byte[] fillRow(int width, int[] color) {
        byte[] row = new byte[width * 3];
        for (int i = 0; i < row.length; i += 3) {
            row[i] = (byte) color[0];
            row[i + 1] = (byte) color[1];
            row[i + 2] = (byte) color[2];
        }
        return row;
    }

    /** The canvas itself (only called when it is no larger than the requested output). */
    static RgbImage paste(RgbImage src, int canvasW, int canvasH, int offX, int offY, int[] background) {
        if ((long) canvasW * canvasH * 3 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("canvas " + canvasW + "x" + canvasH + " is too large");
        }
        if (canvasW == src.width() && canvasH == src.height()) {
            return new RgbImage(canvasW, canvasH, src.rgb().clone());
        }
        byte[] out = new byte[canvasW * canvasH * 3];
        byte[] bgRow = fillRow(canvasW, background);
        for (int y = 0; y < canvasH; y++) {
            System.arraycopy(bgRow, 0, out, y * canvasW * 3, canvasW * 3);
        }
        for (int y = 0; y < src.height(); y++) {
            System.arraycopy(src.rgb(), y * src.width() * 3, out, ((offY + y) * canvasW + offX) * 3, src.width() * 3);
        }
        return new RgbImage(canvasW, canvasH, out);
    }
}
