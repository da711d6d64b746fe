package io.safetyguard.core.frames;

import io.safetyguard.core.Verdict;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The verdict on one judged frame.
 *
 * @param index           the frame's position in the animation or in the list of frames, from 0
 * @param timestampMillis when the frame appears, in milliseconds from the start; -1 when unknown
 * @param verdict         the guard's verdict on the composed frame (a failure verdict when it could
 *                        not be judged)
 */
public record FrameVerdict(int index, long timestampMillis, Verdict verdict) {
    public FrameVerdict {
        Objects.requireNonNull(verdict, "verdict");
    }

    /** The time, when known. */
    public OptionalLong timestamp() {
        return timestampMillis < 0 ? OptionalLong.empty() : OptionalLong.of(timestampMillis);
    }

    /** Judged (not a failure) and rated Unsafe. */
    public boolean isUnsafe() {
        return !verdict.isFailure() && verdict.isUnsafe();
    }
}
