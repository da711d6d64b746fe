package io.safetyguard.core.image;

import java.util.List;

/** One animated format: its frame count from the headers, and the composed frames on demand. */
interface AnimationReader {

    /** Frames in the file (at least 1). */
    int frameCount();

    int canvasWidth();

    int canvasHeight();

    /**
     * Composes frames 0..{@code indices[last]} in order and returns the canvases at {@code indices}
     * (sorted, distinct, in range).
     */
    List<AnimationFrame> compose(int[] indices) throws ImageDecodingException;
}
