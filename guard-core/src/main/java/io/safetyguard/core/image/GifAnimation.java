package io.safetyguard.core.image;

import io.safetyguard.core.image.ImageDecodingException.Problem;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageReader;

/**
 * An animated GIF. The block structure (logical screen, graphic control extensions, image
 * descriptors) is scanned here, so the frame count, offsets, delays and disposal methods are known
 * and checked before any pixel is decoded; the JDK reader then decodes each frame's LZW data.
 *
 * <p>Composition follows browsers: the canvas (the logical screen) starts transparent; each frame
 * is drawn at its offset over what is there, its transparent colour letting the canvas show through;
 * after the frame is shown its disposal method applies: "restore to background" clears its rectangle
 * to transparent (browsers ignore the background colour index), "restore to previous" puts back the
 * canvas as it was before the frame, anything else leaves it. A frame reaching beyond the logical
 * screen is clipped to it; a logical screen of zero width or height takes the frames' extent.
 * Timestamps are the delays as written (browsers stretch delays under 20 ms; the file's values are kept).
 */
final class GifAnimation implements AnimationReader {

    private static final int DISPOSE_TO_BACKGROUND = 2;
    private static final int DISPOSE_TO_PREVIOUS = 3;

    private record Frame(int left, int top, int width, int height, int disposal, long startMillis) {
        FrameCanvas.Placement placement() {
            FrameCanvas.Disposal after = switch (disposal) {
                case DISPOSE_TO_BACKGROUND -> FrameCanvas.Disposal.CLEAR;
                case DISPOSE_TO_PREVIOUS -> FrameCanvas.Disposal.RESTORE_PREVIOUS;
                default -> FrameCanvas.Disposal.KEEP;
            };
            return new FrameCanvas.Placement(left, top, width, height, true, after, startMillis);
        }
    }

    private final byte[] data;
    private final String name;
    private final ImageDecoder decoder;
    private final AnimationLimits animationLimits;
    private final List<Frame> frames = new ArrayList<>();
    private int screenWidth;
    private int screenHeight;
    private int canvasWidth;
    private int canvasHeight;
    private int pos;
    private int descriptorsSeen;

    /**
     * The animation in {@code data}, or null when the file has fewer than two frames. A file whose
     * structure breaks before a second image descriptor is left to {@link ImageDecoder}, which reads the first
     * frame as it does for any GIF.
     */
    static GifAnimation parse(byte[] data, String name, ImageDecoder decoder, AnimationLimits animationLimits)
            throws ImageDecodingException {
        GifAnimation animation = new GifAnimation(data, name, decoder, animationLimits);
        try {
            animation.scanBlocks();
        } catch (ImageDecodingException e) {
            if (e.problem() == ImageDecodingException.Problem.CORRUPT && animation.descriptorsSeen < 2) {
                return null;
            }
            throw e;
        }
        return animation.frames.size() < 2 ? null : animation.withCanvas();
    }

    private GifAnimation(byte[] data, String name, ImageDecoder decoder, AnimationLimits animationLimits) {
        this.data = data;
        this.name = name;
        this.decoder = decoder;
        this.animationLimits = animationLimits;
        this.pos = 6;
    }

    private GifAnimation withCanvas() throws ImageDecodingException {
        int width = screenWidth;
        int height = screenHeight;
        if (width == 0 || height == 0) {
            for (Frame f : frames) {
                width = Math.max(width, f.left + f.width);
                height = Math.max(height, f.top + f.height);
            }
        }
        decoder.checkDimensions(width, height, name);
        canvasWidth = width;
        canvasHeight = height;
        return this;
    }

    private void scanBlocks() throws ImageDecodingException {
        pos = 6;
        screenWidth = u16();
        screenHeight = u16();
        int screenPacked = u8();
        skip(2, "the logical screen descriptor"); // background colour index, pixel aspect ratio
        if ((screenPacked & 0x80) != 0) {
            skip(3 << ((screenPacked & 7) + 1), "the global colour table");
        }
        int disposal = 0;
        int delayCentis = 0;
        long clock = 0;
        while (pos < data.length) {
            int blockStart = pos;
            int introducer = u8();
            if (introducer == 0x3B) {
                return; // trailer
            }
            if (introducer == 0x21) {
                int label = u8();
                if (label == 0xF9) {
                    int size = u8();
                    if (size < 4) {
                        throw corrupt("graphic control extension at byte " + blockStart + " has " + size
                                + " bytes, expected 4");
                    }
                    int gcePacked = u8();
                    delayCentis = u16();
                    disposal = (gcePacked >> 2) & 7;
                    skip(size - 3, "a graphic control extension");
                }
                skipSubBlocks("an extension block at byte " + blockStart);
            } else if (introducer == 0x2C) {
                int left = u16();
                int top = u16();
                int width = u16();
                int height = u16();
                int packed = u8();
                int index = frames.size();
                descriptorsSeen++;
                if (width == 0 || height == 0) {
                    throw corrupt("frame " + index + " (at byte " + blockStart + ") is " + width + "x" + height);
                }
                decoder.checkDimensions(width, height, name + " frame " + index);
                if (frames.size() >= animationLimits.maxFrames()) {
                    throw new ImageDecodingException(
                            Problem.TOO_LARGE,
                            name,
                            "animated GIF has more than " + animationLimits.maxFrames()
                                    + " frames (AnimationLimits.maxFrames)");
                }
                if ((packed & 0x80) != 0) {
                    skip(3 << ((packed & 7) + 1), "frame " + index + "'s colour table");
                }
                u8(); // LZW minimum code size
                skipSubBlocks("frame " + index + "'s image data");
                frames.add(new Frame(left, top, width, height, disposal, clock));
                clock += delayCentis * 10L;
                disposal = 0;
                delayCentis = 0;
            } else {
                throw corrupt("unexpected byte 0x" + Integer.toHexString(introducer) + " at byte " + blockStart
                        + " where a GIF block should start");
            }
        }
        // Many GIFs in the wild lack the trailer; like browsers, accept them when the last frame is complete.
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
        int last = indices[indices.length - 1];
        long framePixels = 0;
        for (int i = 0; i <= last; i++) {
            framePixels += (long) frames.get(i).width * frames.get(i).height;
        }
        ImageReader reader;
        try {
            reader = Readers.create(ImageFormat.GIF);
        } catch (IOException e) {
            throw new ImageDecodingException(Problem.UNREADABLE, name, "no GIF decoder available: " + e, e);
        }
        try (EndGuardedImageInputStream in = new EndGuardedImageInputStream(data)) {
            reader.setInput(in, false, false);
            in.allowPixels(framePixels);
            return FrameCanvas.compose(canvasWidth, canvasHeight, indices, new FrameCanvas.Frames() {
                @Override
                public FrameCanvas.Placement placement(int index) {
                    return frames.get(index).placement();
                }

                @Override
                public BufferedImage pixels(int index) throws ImageDecodingException {
                    return readFrame(reader, index, frames.get(index));
                }
            });
        } catch (IOException e) {
            throw corrupt("cannot decode: " + e.getMessage());
        } finally {
            reader.dispose();
        }
    }

    private BufferedImage readFrame(ImageReader reader, int index, Frame f) throws ImageDecodingException {
        BufferedImage image;
        try {
            image = reader.read(index, reader.getDefaultReadParam());
        } catch (IOException | RuntimeException e) {
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw corrupt("frame " + index + " cannot be decoded (" + detail + ")");
        }
        if (image == null || image.getWidth() != f.width || image.getHeight() != f.height) {
            throw corrupt("frame " + index + " decoded to "
                    + (image == null ? "nothing" : image.getWidth() + "x" + image.getHeight())
                    + ", its descriptor says "
                    + f.width + "x" + f.height);
        }
        return image;
    }

    private ImageDecodingException corrupt(String detail) {
        return new ImageDecodingException(Problem.CORRUPT, name, "corrupt animated GIF: " + detail);
    }

    private int u8() throws ImageDecodingException {
        if (pos >= data.length) {
            throw corrupt("the data ends early, at byte " + data.length + " (truncated file)");
        }
        return data[pos++] & 0xFF;
    }

    private int u16() throws ImageDecodingException {
        return u8() | (u8() << 8);
    }

    private void skip(int count, String what) throws ImageDecodingException {
        if (data.length - pos < count) {
            throw corrupt(what + " at byte " + pos + " needs " + count + " bytes, only " + (data.length - pos)
                    + " are left (truncated file)");
        }
        pos += count;
    }

    private void skipSubBlocks(String what) throws ImageDecodingException {
        while (true) {
            if (pos >= data.length) {
                throw corrupt(what + " ends early, at byte " + data.length + " (truncated file)");
            }
            int size = data[pos++] & 0xFF;
            if (size == 0) {
                return;
            }
            skip(size, what);
        }
    }
}
