package io.safetyguard.core.frames;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Which frames of an animation or clip are judged: every k-th frame ({@link #everyKth(int)}, k = 1
 * for all), then at most n of those ({@link #limit(int)}), chosen evenly spaced so that the first and
 * the last candidate are always in. {@link #evenly(int)} is the usual choice: the first frame, the
 * last, and n - 2 evenly between. Each judged frame is one model run, so n bounds the cost.
 */
public final class FrameSampling {

    private final int step;
    private final int max;

    private FrameSampling(int step, int max) {
        this.step = step;
        this.max = max;
    }

    /** Every frame. */
    public static FrameSampling all() {
        return new FrameSampling(1, Integer.MAX_VALUE);
    }

    /** The first and last frame and evenly spaced ones between, {@code n} in all (fewer when the clip is shorter). */
    public static FrameSampling evenly(int n) {
        return all().limit(n);
    }

    /** Frames 0, k, 2k, ... */
    public static FrameSampling everyKth(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("the frame step must be >= 1, got " + k);
        }
        return new FrameSampling(k, Integer.MAX_VALUE);
    }

    /** At most {@code n} of this sampling's frames: the first, the last, and evenly spaced ones between. */
    public FrameSampling limit(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("the number of frames to judge must be >= 1, got " + n);
        }
        return new FrameSampling(step, n);
    }

    public int step() {
        return step;
    }

    /** The most frames judged; {@link Integer#MAX_VALUE} when unbounded. */
    public int maxFrames() {
        return max;
    }

    /** The indices to judge of {@code frameCount} frames, ascending and distinct. */
    public int[] select(int frameCount) {
        if (frameCount < 0) {
            throw new IllegalArgumentException("frameCount must be >= 0, got " + frameCount);
        }
        int[] candidates =
                IntStream.iterate(0, i -> i < frameCount, i -> i + step).toArray();
        int m = candidates.length;
        if (m <= max) {
            return candidates;
        }
        if (max == 1) {
            return new int[] {candidates[0]};
        }
        // j * (m - 1) / (max - 1), rounded: the spacing is >= 1, so the picks are distinct.
        int[] picked = new int[max];
        for (int j = 0; j < max; j++) {
            long pos = ((long) j * (m - 1) * 2 + (max - 1)) / (2L * (max - 1));
            picked[j] = candidates[(int) pos];
        }
        return picked;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameSampling s && s.step == step && s.max == max;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {step, max});
    }

    @Override
    public String toString() {
        String frames = step == 1 ? "every frame" : "one frame in " + step;
        return max == Integer.MAX_VALUE
                ? frames
                : frames + ", at most " + max + " (evenly spaced, first and last kept)";
    }
}
