package io.safetyguard.llamacpp.internal.vision;

/**
 * A size in pixels (or in feature cells), width first.
 *
 * <p>Hugging Face configurations write grid pinpoints as {@code [height, width]} pairs; use
 * {@link #ofHeightWidth(int, int)} when transcribing them.
 *
 * @param width  columns, &gt; 0
 * @param height rows, &gt; 0
 */
public record Resolution(int width, int height) {
    public Resolution {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "a resolution needs a positive width and height, got " + width + "x" + height);
        }
    }

    /** {@code width x height}. */
    public static Resolution of(int width, int height) {
        return new Resolution(width, height);
    }

    /** From a {@code [height, width]} pair as Hugging Face configurations write it. */
    public static Resolution ofHeightWidth(int height, int width) {
        return new Resolution(width, height);
    }

    /** {@code width * height} without overflow. */
    public long area() {
        return (long) width * height;
    }

    /** E.g. {@code 768x384} (width x height). */
    @Override
    public String toString() {
        return width + "x" + height;
    }
}
