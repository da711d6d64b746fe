package io.safetyguard.core.frames;

import io.safetyguard.core.FailureMode;
import io.safetyguard.core.Rating;
import io.safetyguard.core.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The outcome for an animation or a list of frames: the verdict on each judged frame and the rating
 * the {@link FrameRule} gives them.
 *
 * <p><b>Rating.</b> Unsafe when the rule says so over the frames that were judged; and, unless the
 * guard is {@link FailureMode#FAIL_OPEN}, also when any sampled frame could not be judged or the
 * animation could not be decoded at all: a frame nobody looked at may be the bad one, and a rule
 * such as {@code k:3} tolerates model judgements, not gaps. Under FAIL_OPEN, frames that failed are
 * left out and the rule decides over the rest (Safe when nothing could be judged).
 *
 * <p><b>Category.</b> The most frequent category among the judged frames that share the clip's
 * rating (the Unsafe frames of an Unsafe clip, the Safe frames of a Safe one), ties going to the one
 * that appears first; empty when the rating comes from failures alone. {@link #decisiveFrame()} is
 * the first frame with that category: its rationale explains the clip.
 */
public final class FramesVerdict {

    private final String name;
    private final String sha256;
    private final int frameCount;
    private final boolean animated;
    private final List<FrameVerdict> frames;
    private final FrameRule rule;
    private final String decodeFailure;
    private final Rating rating;
    private final int unsafeFrames;
    private final int judgedFrames;
    private final FrameVerdict decisive;

    FramesVerdict(
            String name,
            String sha256,
            int frameCount,
            boolean animated,
            List<FrameVerdict> frames,
            FrameRule rule,
            FailureMode failureMode,
            String decodeFailure) {
        this.name = Objects.requireNonNull(name, "name");
        this.sha256 = sha256;
        this.frameCount = frameCount;
        this.animated = animated;
        this.frames = List.copyOf(frames);
        this.rule = Objects.requireNonNull(rule, "rule");
        this.decodeFailure = decodeFailure;
        int unsafe = 0;
        int judged = 0;
        for (FrameVerdict f : this.frames) {
            if (!f.verdict().isFailure()) {
                judged++;
                if (f.verdict().isUnsafe()) {
                    unsafe++;
                }
            }
        }
        this.unsafeFrames = unsafe;
        this.judgedFrames = judged;
        boolean gaps = decodeFailure != null || judged < this.frames.size();
        boolean unsafeByRule = rule.isUnsafe(unsafe, judged);
        this.rating = unsafeByRule || (gaps && failureMode != FailureMode.FAIL_OPEN) ? Rating.UNSAFE : Rating.SAFE;
        this.decisive = mostFrequentCategory(this.frames, rating);
    }

    /** The most frequent category among judged frames rated {@code rating}; ties by first appearance. */
    private static FrameVerdict mostFrequentCategory(List<FrameVerdict> frames, Rating rating) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, FrameVerdict> first = new LinkedHashMap<>();
        for (FrameVerdict f : frames) {
            Verdict v = f.verdict();
            if (!v.isFailure() && v.rating() == rating) {
                String label = v.categoryLabel().orElse("");
                counts.merge(label, 1, Integer::sum);
                first.putIfAbsent(label, f);
            }
        }
        String best = null;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (best == null || e.getValue() > counts.get(best)) {
                best = e.getKey(); // strictly greater: an earlier category keeps a tie
            }
        }
        return best == null ? null : first.get(best);
    }

    /** The input's name (file path or the name given). */
    public String name() {
        return name;
    }

    /**
     * Lower-case hex SHA-256 of the encoded input (the file or bytes; frames are cached by their
     * own pixel digests); empty for a list of frames and when the file could not be read.
     */
    public Optional<String> sha256() {
        return Optional.ofNullable(sha256);
    }

    /** Frames in the input: the animation's frame count, or the length of the list of frames. */
    public int frameCount() {
        return frameCount;
    }

    /** True for an animation or a list of frames; false for a still image (one frame, judged as always). */
    public boolean isAnimated() {
        return animated;
    }

    /** The judged frames in order, each with its index, time and verdict. Empty when decoding failed. */
    public List<FrameVerdict> frames() {
        return frames;
    }

    /** The frames rated Unsafe. */
    public List<FrameVerdict> unsafeFrameVerdicts() {
        return frames.stream().filter(FrameVerdict::isUnsafe).toList();
    }

    public FrameRule rule() {
        return rule;
    }

    /** The clip's rating (see the class comment). */
    public Rating rating() {
        return rating;
    }

    public boolean isUnsafe() {
        return rating == Rating.UNSAFE;
    }

    /** How many judged frames are Unsafe. */
    public int unsafeFrames() {
        return unsafeFrames;
    }

    /** How many sampled frames got a verdict (not a failure). */
    public int judgedFrames() {
        return judgedFrames;
    }

    /** The frame whose category and rationale stand for the clip (see the class comment). */
    public Optional<FrameVerdict> decisiveFrame() {
        return Optional.ofNullable(decisive);
    }

    /** The clip's category label, e.g. {@code "O2: Violence, Harm, or Cruelty"}. */
    public Optional<String> categoryLabel() {
        return decisiveFrame().flatMap(f -> f.verdict().categoryLabel());
    }

    /** The highest P(Unsafe) of the judged frames; empty when no frame has one. */
    public OptionalDouble maxProbabilityUnsafe() {
        return frames.stream()
                .filter(f -> !f.verdict().isFailure())
                .map(f -> f.verdict().probabilityUnsafe())
                .filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble)
                .max();
    }

    /** The sampled frames that could not be judged. */
    public List<FrameVerdict> failedFrames() {
        return frames.stream().filter(f -> f.verdict().isFailure()).toList();
    }

    /** True when nothing could be judged: the input could not be decoded, or every sampled frame failed. */
    public boolean isFailure() {
        return judgedFrames == 0;
    }

    /**
     * Why frames are missing: the decoding error, or the first failed frame's reason; empty when
     * every sampled frame was judged.
     */
    public Optional<String> failureReason() {
        if (decodeFailure != null) {
            return Optional.of(decodeFailure);
        }
        return failedFrames().stream()
                .findFirst()
                .map(f -> (animated ? "frame " + f.index() + ": " : "")
                        + f.verdict().failureReason().orElse("no verdict"));
    }

    /** Wall-clock time of the frame assessments, summed (they may overlap when batched). */
    public double totalMillis() {
        return frames.stream().mapToDouble(f -> f.verdict().totalMillis()).sum();
    }

    @Override
    public String toString() {
        return "FramesVerdict[" + name + ": " + rating.label() + ", " + unsafeFrames + " of " + judgedFrames
                + " judged frames unsafe (" + frames.size() + " sampled of " + frameCount + "), rule " + rule
                + categoryLabel().map(c -> ", " + c).orElse("")
                + failureReason().map(r -> ", failure: " + r).orElse("")
                + "]";
    }
}
