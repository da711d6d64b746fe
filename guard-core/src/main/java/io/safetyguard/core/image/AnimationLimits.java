package io.safetyguard.core.image;

/**
 * Bounds on decoding an animation, on top of {@link ImageLimits} (which bound the canvas and every
 * frame like a still image). An animated file can be small and still cost a lot: thousands of tiny
 * frames, each of which has to be drawn onto the full canvas before the next one. Both bounds are
 * checked from the headers, before any frame is composed.
 *
 * <p>Memory: every sampled frame is kept as a full canvas of 4 bytes per pixel until it is judged,
 * and composing holds two more canvases (the current one and, for GIF "restore to previous", a copy).
 *
 * @param maxFrames         most frames an animation may have
 * @param maxComposedPixels most canvas pixels drawn in total: canvas width x height x the number of
 *                          frames composed (every frame up to the last one sampled)
 */
public record AnimationLimits(int maxFrames, long maxComposedPixels) {

    /** 10,000 frames; 256 Mi composed pixels (e.g. 256 frames of 1024x1024, or 1,000 of 512x512). */
    public static final AnimationLimits DEFAULT = new AnimationLimits(10_000, 256L << 20);

    public AnimationLimits {
        if (maxFrames < 1) {
            throw new IllegalArgumentException("maxFrames must be >= 1, got " + maxFrames);
        }
        if (maxComposedPixels < 1) {
            throw new IllegalArgumentException("maxComposedPixels must be >= 1, got " + maxComposedPixels);
        }
    }

    public AnimationLimits withMaxFrames(int value) {
        return new AnimationLimits(value, maxComposedPixels);
    }

    public AnimationLimits withMaxComposedPixels(long value) {
        return new AnimationLimits(maxFrames, value);
    }
}
