package io.safetyguard.core.image;

import io.safetyguard.core.image.ImageDecodingException.Problem;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An animated WebP (a {@code VP8X} chunk with the animation flag, an {@code ANIM} chunk and one
 * {@code ANMF} chunk per frame). The RIFF container is parsed here; each frame's bitstream ({@code
 * VP8L}, or {@code VP8} with an optional {@code ALPH}) is wrapped as a still WebP and decoded by the
 * same reader and limits as any WebP.
 *
 * <p>Composition follows the WebP container specification and libwebp's animation decoder: the
 * canvas starts transparent (the {@code ANIM} background colour is a hint the specification lets
 * viewers ignore, and libwebp does); a frame is alpha-blended over the canvas or replaces its
 * rectangle, by its blending bit; after it is shown, a frame with the dispose bit clears its
 * rectangle to transparent. A frame that reaches beyond the canvas is corrupt (the specification
 * forbids it).
 */
final class WebpAnimation implements AnimationReader {

    private static final int VP8X_ANIMATION = 0x02;
    private static final int VP8X_ALPHA = 0x10;

    private record Frame(
            int x,
            int y,
            int width,
            int height,
            boolean blend,
            boolean dispose,
            long startMillis,
            byte[] bitstream,
            int offset) {
        FrameCanvas.Placement placement() {
            FrameCanvas.Disposal after = dispose ? FrameCanvas.Disposal.CLEAR : FrameCanvas.Disposal.KEEP;
            return new FrameCanvas.Placement(x, y, width, height, blend, after, startMillis);
        }
    }

    private final String name;
    private final ImageDecoder decoder;
    private final List<Frame> frames = new ArrayList<>();
    private final int canvasWidth;
    private final int canvasHeight;

    private WebpAnimation(String name, ImageDecoder decoder, int canvasWidth, int canvasHeight) {
        this.name = name;
        this.decoder = decoder;
        this.canvasWidth = canvasWidth;
        this.canvasHeight = canvasHeight;
    }

    /** The animation in {@code data}, or null when it is a still WebP (no VP8X animation flag). */
    static WebpAnimation parse(byte[] data, String name, ImageDecoder decoder, AnimationLimits animationLimits)
            throws ImageDecodingException {
        // A still WebP (simple format, or VP8X without the animation flag) is ImageDecoder's business.
        if (data.length < 30 || !fourCc(data, 12).equals("VP8X") || (data[20] & VP8X_ANIMATION) == 0) {
            return null;
        }
        long riffEnd = 8 + le32(data, 4);
        if (riffEnd > data.length) {
            throw corrupt(
                    name,
                    "the RIFF header declares " + riffEnd + " bytes, the file has " + data.length
                            + " (truncated file)");
        }
        int end = (int) riffEnd;
        Chunk vp8x = chunk(data, 12, end, name);
        if (vp8x.size < 10) {
            throw corrupt(name, "the VP8X chunk has " + vp8x.size + " bytes, expected 10");
        }
        int canvasWidth = le24(data, vp8x.payload + 4) + 1;
        int canvasHeight = le24(data, vp8x.payload + 7) + 1;
        decoder.checkDimensions(canvasWidth, canvasHeight, name);
        WebpAnimation animation = new WebpAnimation(name, decoder, canvasWidth, canvasHeight);
        long clock = 0;
        boolean sawAnim = false;
        for (int pos = vp8x.next; pos < end; ) {
            Chunk c = chunk(data, pos, end, name);
            switch (c.fourCc) {
                case "ANIM" -> sawAnim = true;
                case "ANMF" -> {
                    if (!sawAnim) {
                        throw corrupt(name, "an ANMF frame at byte " + pos + " comes before the ANIM chunk");
                    }
                    if (animation.frames.size() >= animationLimits.maxFrames()) {
                        throw new ImageDecodingException(
                                Problem.TOO_LARGE,
                                name,
                                "animated WebP has more than " + animationLimits.maxFrames()
                                        + " frames (AnimationLimits.maxFrames)");
                    }
                    Frame f = animation.frame(data, c, clock);
                    animation.frames.add(f);
                    clock += le24(data, c.payload + 12);
                }
                default -> {
                    // ICCP, EXIF, XMP and unknown chunks: the pixels do not depend on them
                }
            }
            pos = c.next;
        }
        if (animation.frames.isEmpty()) {
            throw corrupt(name, "the VP8X chunk says animated, but there is no ANMF frame");
        }
        return animation;
    }

    private Frame frame(byte[] data, Chunk anmf, long startMillis) throws ImageDecodingException {
        int index = frames.size();
        String where = "frame " + index + " (ANMF at byte " + anmf.start + ")";
        if (anmf.size < 16) {
            throw corrupt(name, where + " has " + anmf.size + " bytes, fewer than its 16-byte header");
        }
        int p = anmf.payload;
        int x = 2 * le24(data, p);
        int y = 2 * le24(data, p + 3);
        int width = le24(data, p + 6) + 1;
        int height = le24(data, p + 9) + 1;
        int flags = data[p + 15] & 0xFF;
        decoder.checkDimensions(width, height, name + " " + where);
        if ((long) x + width > canvasWidth || (long) y + height > canvasHeight) {
            throw corrupt(
                    name,
                    where + " covers x " + x + ".." + (x + width) + ", y " + y + ".." + (y + height) + ", beyond the "
                            + canvasWidth + "x" + canvasHeight + " canvas");
        }
        Chunk alpha = null;
        Chunk image = null;
        int end = anmf.payload + anmf.size;
        for (int q = p + 16; q < end && image == null; ) {
            Chunk c = chunk(data, q, end, name);
            if (c.fourCc.equals("ALPH")) {
                alpha = c;
            } else if (c.fourCc.equals("VP8 ") || c.fourCc.equals("VP8L")) {
                image = c;
            }
            q = c.next;
        }
        if (image == null) {
            throw corrupt(name, where + " has no VP8 or VP8L image data");
        }
        byte[] still = image.fourCc.equals("VP8 ") && alpha != null
                ? stillWithAlpha(data, alpha, image, width, height)
                : riff(slice(data, image));
        return new Frame(x, y, width, height, (flags & 0x02) == 0, (flags & 0x01) != 0, startMillis, still, anmf.start);
    }

    @Override
    public int frameCount() {
        return frames.size();
    }

    @Override
    public int canvasWidth() {
        return canvasWidth;
    }

    @Override
    public int canvasHeight() {
        return canvasHeight;
    }

    @Override
    public List<AnimationFrame> compose(int[] indices) throws ImageDecodingException {
        return FrameCanvas.compose(canvasWidth, canvasHeight, indices, new FrameCanvas.Frames() {
            @Override
            public FrameCanvas.Placement placement(int index) {
                return frames.get(index).placement();
            }

            @Override
            public BufferedImage pixels(int index) throws ImageDecodingException {
                return decodeFrame(index);
            }
        });
    }

    private BufferedImage decodeFrame(int i) throws ImageDecodingException {
        Frame f = frames.get(i);
        String frameName = name + " frame " + i + " (ANMF at byte " + f.offset + ")";
        BufferedImage pixels = decoder.readImage(f.bitstream, frameName);
        if (pixels.getWidth() != f.width || pixels.getHeight() != f.height) {
            throw corrupt(
                    name,
                    "frame " + i + " (ANMF at byte " + f.offset + ") declares " + f.width + "x" + f.height
                            + " but its image data is " + pixels.getWidth() + "x" + pixels.getHeight());
        }
        return pixels;
    }

    private record Chunk(String fourCc, int start, int payload, int size, int next) {}

    private static Chunk chunk(byte[] data, int pos, int end, String name) throws ImageDecodingException {
        if (end - pos < 8) {
            throw corrupt(name, "a chunk header at byte " + pos + " is cut off (truncated file)");
        }
        String fourCc = fourCc(data, pos);
        long size = le32(data, pos + 4);
        long next = pos + 8 + size + (size & 1);
        if (pos + 8 + size > end) {
            throw corrupt(
                    name,
                    "the " + fourCc.strip() + " chunk at byte " + pos + " declares " + size + " bytes, only "
                            + (end - pos - 8) + " are left");
        }
        return new Chunk(fourCc, pos, pos + 8, (int) size, (int) Math.min(next, end));
    }

    /** A still WebP of one VP8 or VP8L chunk. */
    private static byte[] riff(byte[] chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.length + 12);
        out.writeBytes("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        writeLe32(out, 4 + chunk.length);
        out.writeBytes("WEBP".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeBytes(chunk);
        return out.toByteArray();
    }

    /** A still WebP of a lossy frame with an alpha plane: VP8X (alpha flag) + ALPH + VP8. */
    private static byte[] stillWithAlpha(byte[] data, Chunk alpha, Chunk image, int width, int height) {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        chunks.writeBytes("VP8X".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        writeLe32(chunks, 10);
        chunks.write(VP8X_ALPHA);
        chunks.writeBytes(new byte[3]);
        writeLe24(chunks, width - 1);
        writeLe24(chunks, height - 1);
        chunks.writeBytes(slice(data, alpha));
        chunks.writeBytes(slice(data, image));
        return riff(chunks.toByteArray());
    }

    /** The chunk's header, payload and padding byte, as it stands in the file. */
    private static byte[] slice(byte[] data, Chunk c) {
        byte[] out = new byte[8 + c.size + (c.size & 1)];
        System.arraycopy(data, c.start, out, 0, Math.min(out.length, data.length - c.start));
        return out;
    }

    private static ImageDecodingException corrupt(String name, String detail) {
        return new ImageDecodingException(Problem.CORRUPT, name, "corrupt animated WebP: " + detail);
    }

    private static String fourCc(byte[] data, int pos) {
        return new String(data, pos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static int le24(byte[] data, int pos) {
        return (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8 | (data[pos + 2] & 0xFF) << 16;
    }

    private static long le32(byte[] data, int pos) {
        return le24(data, pos) | (long) (data[pos + 3] & 0xFF) << 24;
    }

    private static void writeLe24(ByteArrayOutputStream out, int value) {
        out.write(value & 0xFF);
        out.write((value >> 8) & 0xFF);
        out.write((value >> 16) & 0xFF);
    }

    private static void writeLe32(ByteArrayOutputStream out, int value) {
        writeLe24(out, value);
        out.write((value >>> 24) & 0xFF);
    }
}
