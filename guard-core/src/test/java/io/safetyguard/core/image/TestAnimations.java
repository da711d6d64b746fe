package io.safetyguard.core.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Builds animated GIFs (written byte by byte, with per-frame offsets and disposal) and animated WebPs (a
 * RIFF container assembled here around VP8L frames encoded here, or the cwebp-made frames of
 * {@link TestImages}), so every frame's pixels, offset and disposal are known. Nothing is read
 * from disk and no external tool is needed.
 */
public final class TestAnimations {

    /** The GIF palette: index 0 is the transparent one when a frame asks for transparency. */
    public static final int[] PALETTE = {0x000000, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x808080, 0x404040, 0xC0C0C0
    };

    public static final int TRANSPARENT = 0;
    public static final int RED = 1;
    public static final int GREEN = 2;
    public static final int BLUE = 3;
    public static final int WHITE = 4;

    private TestAnimations() {}

    /** GIF disposal methods, with their codes in the graphic control extension. */
    public enum Disposal {
        NONE(0),
        KEEP(1),
        BACKGROUND(2),
        PREVIOUS(3);

        final int code;

        Disposal(int code) {
            this.code = code;
        }
    }

    /**
     * One GIF frame: a rectangle of palette indices at an offset.
     *
     * @param pixels row-major palette indices, {@code width * height} of them
     */
    public record GifFrame(
            int left,
            int top,
            int width,
            int height,
            byte[] pixels,
            Disposal disposal,
            int delayCentis,
            boolean transparent) {

        /** A frame of one palette colour. */
        public static GifFrame solid(int left, int top, int width, int height, int colour, Disposal disposal) {
            byte[] p = new byte[width * height];
            Arrays.fill(p, (byte) colour);
            return new GifFrame(left, top, width, height, p, disposal, 10, true);
        }
    }

    /**
     * An animated GIF with a {@code width x height} logical screen and {@link #PALETTE} as its
     * global colour table, written byte by byte (the JDK's writer replaces the palette of
     * multi-frame sequences with a default one). The image data is LZW with a clear code before the
     * code table grows, so every code is 4 bits: valid for any decoder, just not compressed.
     */
    public static byte[] gif(int width, int height, List<GifFrame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
        le16(out, width);
        le16(out, height);
        out.write(0x80 | 0x70 | 2); // global colour table of 2^(2+1) = 8 entries, 8-bit colour resolution
        out.write(0); // background colour index
        out.write(0); // pixel aspect ratio
        for (int rgb : PALETTE) {
            out.write((rgb >> 16) & 0xFF);
            out.write((rgb >> 8) & 0xFF);
            out.write(rgb & 0xFF);
        }
        for (GifFrame f : frames) {
            out.write(0x21); // graphic control extension
            out.write(0xF9);
            out.write(4);
            out.write((f.disposal.code << 2) | (f.transparent ? 1 : 0));
            le16(out, f.delayCentis);
            out.write(TRANSPARENT);
            out.write(0);
            out.write(0x2C); // image descriptor, no local colour table, not interlaced
            le16(out, f.left);
            le16(out, f.top);
            le16(out, f.width);
            le16(out, f.height);
            out.write(0);
            out.write(3); // LZW minimum code size
            byte[] lzw = uncompressedLzw(f.pixels);
            for (int pos = 0; pos < lzw.length; pos += 255) {
                int n = Math.min(255, lzw.length - pos);
                out.write(n);
                out.write(lzw, pos, n);
            }
            out.write(0);
        }
        out.write(0x3B);
        return out.toByteArray();
    }

    /** Codes of 4 bits: clear (8), up to 6 literal indices, clear, ..., end of information (9). */
    private static byte[] uncompressedLzw(byte[] pixels) {
        BitWriter w = new BitWriter();
        for (int i = 0; i < pixels.length; i++) {
            if (i % 6 == 0) {
                w.write(8, 4);
            }
            w.write(pixels[i], 4);
        }
        w.write(9, 4);
        return w.toByteArray();
    }

    private static void le16(ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write((v >> 8) & 0xFF);
    }

    // ---- WebP ----

    /**
     * One ANMF frame.
     *
     * @param image the frame's image chunks as they go inside ANMF: a {@code VP8L} chunk, a
     *              {@code VP8 } chunk, or {@code ALPH} + {@code VP8 } (see {@link #imageChunks(byte[])})
     */
    public record WebpFrame(
            int x, int y, int width, int height, int durationMillis, boolean blend, boolean dispose, byte[] image) {}

    /**
     * A solid-colour lossless frame. The VP8L bitstream uses one single-symbol prefix code per
     * channel, so every pixel costs zero bits: the smallest valid lossless image of any size.
     */
    public static byte[] vp8lSolid(int width, int height, int argb) {
        BitWriter w = new BitWriter();
        w.write(0x2F, 8); // signature
        w.write(width - 1, 14);
        w.write(height - 1, 14);
        w.write((argb >>> 24) != 0xFF ? 1 : 0, 1); // alpha is used
        w.write(0, 3); // version
        w.write(0, 1); // no transform
        w.write(0, 1); // no colour cache
        w.write(0, 1); // no meta prefix codes
        int[] symbols = {(argb >> 8) & 0xFF, (argb >> 16) & 0xFF, argb & 0xFF, (argb >>> 24), 0};
        for (int symbol : symbols) { // green, red, blue, alpha, distance
            w.write(1, 1); // simple code
            w.write(0, 1); // one symbol
            w.write(1, 1); // 8-bit symbol
            w.write(symbol, 8);
        }
        return chunk("VP8L", w.toByteArray());
    }

    /** The image chunks of a still WebP file (everything after VP8X, or the single VP8/VP8L chunk). */
    public static byte[] imageChunks(byte[] stillWebp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int pos = 12; pos + 8 <= stillWebp.length; ) {
            String fourCc = new String(stillWebp, pos, 4, StandardCharsets.ISO_8859_1);
            int size = le32(stillWebp, pos + 4);
            int total = 8 + size + (size & 1);
            if (!fourCc.equals("VP8X")) {
                out.write(stillWebp, pos, Math.min(total, stillWebp.length - pos));
            }
            pos += total;
        }
        return out.toByteArray();
    }

    /** An animated WebP: VP8X (animation flag), ANIM, then one ANMF per frame. */
    public static byte[] webp(int canvasWidth, int canvasHeight, List<WebpFrame> frames) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ByteArrayOutputStream vp8x = new ByteArrayOutputStream();
        vp8x.write(0x02 | 0x10); // animation, alpha
        vp8x.writeBytes(new byte[3]);
        le24(vp8x, canvasWidth - 1);
        le24(vp8x, canvasHeight - 1);
        body.writeBytes(chunk("VP8X", vp8x.toByteArray()));
        body.writeBytes(chunk("ANIM", new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0}));
        for (WebpFrame f : frames) {
            ByteArrayOutputStream anmf = new ByteArrayOutputStream();
            le24(anmf, f.x / 2);
            le24(anmf, f.y / 2);
            le24(anmf, f.width - 1);
            le24(anmf, f.height - 1);
            le24(anmf, f.durationMillis);
            anmf.write((f.blend ? 0 : 0x02) | (f.dispose ? 0x01 : 0));
            anmf.writeBytes(f.image);
            body.writeBytes(chunk("ANMF", anmf.toByteArray()));
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        le32(file, 4 + body.size());
        file.writeBytes("WEBP".getBytes(StandardCharsets.US_ASCII));
        file.writeBytes(body.toByteArray());
        return file.toByteArray();
    }

    /** A RIFF chunk with its padding byte. */
    public static byte[] chunk(String fourCc, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(fourCc.getBytes(StandardCharsets.US_ASCII));
        le32(out, payload.length);
        out.writeBytes(payload);
        if ((payload.length & 1) != 0) {
            out.write(0);
        }
        return out.toByteArray();
    }

    private static void le24(ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write((v >> 8) & 0xFF);
        out.write((v >> 16) & 0xFF);
    }

    private static void le32(ByteArrayOutputStream out, int v) {
        le24(out, v);
        out.write((v >>> 24) & 0xFF);
    }

    private static int le32(byte[] b, int pos) {
        return (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
    }

    /** Writes bits least significant first, as VP8L reads them. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int used;

        void write(int value, int bits) {
            for (int i = 0; i < bits; i++) {
                current |= ((value >> i) & 1) << used;
                if (++used == 8) {
                    out.write(current);
                    current = 0;
                    used = 0;
                }
            }
        }

        byte[] toByteArray() {
            if (used > 0) {
                out.write(current);
                current = 0;
                used = 0;
            }
            return out.toByteArray();
        }
    }
}
