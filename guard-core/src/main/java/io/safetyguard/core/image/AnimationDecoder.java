package io.safetyguard.core.image;

import io.safetyguard.core.image.ImageDecodingException.Problem;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Decodes the frames of animated GIF and WebP files as a viewer shows them: each frame composed
 * onto the canvas over what the frames before it left (see {@link AnimationFrame}). Still images,
 * and formats without animation (PNG, JPEG, BMP), have one frame.
 *
 * <p>Every frame is checked like a still image against {@link ImageLimits}, the canvas too, and
 * the whole animation against {@link AnimationLimits}: the frame count as the headers are scanned,
 * and the pixels to compose before the first frame is decoded. Errors are
 * {@link ImageDecodingException}s that name the input, the frame and the byte offset.
 *
 * <p>Thread-safe: each call works on its own state.
 */
public final class AnimationDecoder {

    private final ImageDecoder decoder;
    private final AnimationLimits animationLimits;

    public AnimationDecoder(ImageLimits limits, AnimationLimits animationLimits) {
        this.decoder = new ImageDecoder(Objects.requireNonNull(limits, "limits"));
        this.animationLimits = Objects.requireNonNull(animationLimits, "animationLimits");
    }

    public ImageLimits limits() {
        return decoder.limits();
    }

    public AnimationLimits animationLimits() {
        return animationLimits;
    }

    /**
     * How many frames the file has, from its headers (no pixel is decoded): more than 1 for an
     * animation, 1 for a still image.
     */
    public int frameCount(byte[] bytes, String name) throws ImageDecodingException {
        AnimationReader animation = open(bytes, name);
        return animation == null ? 1 : animation.frameCount();
    }

    /**
     * Composes the frames {@code select} picks and returns them in order.
     *
     * @param select given the frame count, the frame indices wanted (any order; duplicates are
     *               dropped); it is called once, before any frame is decoded
     * @throws ImageDecodingException when the file is not an animation (one frame: decode it with
     *               {@link ImageDecoder}), is corrupt, or exceeds a limit
     */
    public List<AnimationFrame> decode(byte[] bytes, String name, IntFunction<int[]> select)
            throws ImageDecodingException {
        Objects.requireNonNull(select, "select");
        AnimationReader animation = open(bytes, name);
        if (animation == null) {
            throw new ImageDecodingException(Problem.UNSUPPORTED_FORMAT, name, "not an animated GIF or WebP");
        }
        int count = animation.frameCount();
        int[] indices = Arrays.stream(select.apply(count)).sorted().distinct().toArray();
        if (indices.length == 0) {
            return List.of();
        }
        if (indices[0] < 0 || indices[indices.length - 1] >= count) {
            throw new IllegalArgumentException(
                    "frame indices must be in [0, " + count + "), got " + Arrays.toString(indices));
        }
        long composed = (long) animation.canvasWidth() * animation.canvasHeight() * (indices[indices.length - 1] + 1);
        if (composed > animationLimits.maxComposedPixels()) {
            throw new ImageDecodingException(
                    Problem.TOO_LARGE,
                    name,
                    "composing " + (indices[indices.length - 1] + 1) + " frames of a " + animation.canvasWidth() + "x"
                            + animation.canvasHeight() + " canvas draws " + composed
                            + " pixels, more than the limit of "
                            + animationLimits.maxComposedPixels() + " (AnimationLimits.maxComposedPixels)");
        }
        return animation.compose(indices);
    }

    /** The animation in the bytes, or null for a still image or a format without animation. */
    private AnimationReader open(byte[] bytes, String name) throws ImageDecodingException {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(name, "name");
        decoder.checkByteCount(bytes.length, name);
        AnimationReader animation = switch (ImageFormat.detect(bytes)) {
            case GIF -> GifAnimation.parse(bytes, name, decoder, animationLimits);
            case WEBP -> WebpAnimation.parse(bytes, name, decoder, animationLimits);
            default -> null;
        };
        return animation == null || animation.frameCount() < 2 ? null : animation;
    }
}
