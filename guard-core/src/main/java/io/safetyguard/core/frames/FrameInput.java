package io.safetyguard.core.frames;

import io.safetyguard.core.ImageInput;
import java.util.Objects;

/**
 * One frame a video tool extracted (e.g. {@code ffmpeg -i clip.mp4 -vf fps=1 frame-%04d.png}),
 * with its time in the clip when known.
 *
 * @param image           the frame
 * @param timestampMillis when it appears, in milliseconds from the start; -1 when unknown
 */
public record FrameInput(ImageInput image, long timestampMillis) {
    public FrameInput {
        Objects.requireNonNull(image, "image");
        if (timestampMillis < -1) {
            throw new IllegalArgumentException(
                    "timestampMillis must be >= 0, or -1 for unknown; got " + timestampMillis);
        }
    }

    /** A frame whose time is unknown. */
    public static FrameInput of(ImageInput image) {
        return new FrameInput(image, -1);
    }
}
