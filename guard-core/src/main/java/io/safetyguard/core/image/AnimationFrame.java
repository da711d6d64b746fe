package io.safetyguard.core.image;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * One frame of an animation as a viewer sees it: the whole canvas after the frame was drawn over
 * what the earlier frames left (offsets, transparency, blending and disposal applied).
 *
 * @param index           0-based position in the animation
 * @param timestampMillis when the frame appears, in milliseconds from the start (the sum of the
 *                        durations of the frames before it)
 * @param image           the composed canvas, {@code TYPE_INT_ARGB}; pixels nothing was drawn on
 *                        are transparent black
 */
public record AnimationFrame(int index, long timestampMillis, BufferedImage image) {
    public AnimationFrame {
        Objects.requireNonNull(image, "image");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, got " + index);
        }
    }
}
