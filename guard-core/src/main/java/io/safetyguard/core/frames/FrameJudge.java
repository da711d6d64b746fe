package io.safetyguard.core.frames;

import io.safetyguard.core.FailureKind;
import io.safetyguard.core.FailureMode;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.SafetyGuardException;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.AnimationDecoder;
import io.safetyguard.core.image.AnimationFrame;
import io.safetyguard.core.image.AnimationLimits;
import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageDecodingException;
import io.safetyguard.policy.Policy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Judges animated GIF/WebP files and clips (lists of frames a video tool extracted) frame by frame
 * with a {@link SafetyGuard}, and rates them by a {@link FrameRule}.
 *
 * <pre>{@code
 * FrameJudge judge = FrameJudge.builder(guard)
 *         .sampling(FrameSampling.evenly(8))   // first, last and 6 between: 8 model runs at most
 *         .rule(FrameRule.atLeast(2))
 *         .build();
 * FramesVerdict v = judge.assess(Path.of("reaction.gif"));
 * if (v.isUnsafe()) { v.unsafeFrameVerdicts() ... }
 * }</pre>
 *
 * <p><b>Cost.</b> Each sampled frame is one assessment, so a clip costs up to n model runs where a
 * still image costs one. The frames go to {@link SafetyGuard#assessAll} together, so they run
 * {@code parallelism} at a time, and a llama.cpp model opened with {@code sequences(n)} decodes them
 * in one batch. Frames are cached like any image, by the digest of the composed frame's pixels:
 * repeated identical frames (a GIF that holds still, a loop) run the model once.
 *
 * <p><b>Still images</b> (one frame) are assessed exactly as {@link SafetyGuard#assess} does and
 * reported with {@link FramesVerdict#isAnimated()} false.
 *
 * <p><b>Failures.</b> A file that cannot be decoded gives a verdict with no frames, rated by the
 * guard's failure mode (Unsafe unless FAIL_OPEN; {@link FailureMode#THROW} throws
 * {@link SafetyGuardException}). A frame the model fails on counts as described in
 * {@link FramesVerdict}. Thread-safe.
 */
public final class FrameJudge {

    private final SafetyGuard guard;
    private final FrameSampling sampling;
    private final FrameRule rule;
    private final Policy policy;
    private final AnimationDecoder animations;
    private final ImageDecoder stills;

    private FrameJudge(Builder b) {
        this.guard = b.guard;
        this.sampling = b.sampling;
        this.rule = b.rule;
        this.policy = b.policy != null ? b.policy : guard.defaultPolicy();
        this.animations = new AnimationDecoder(guard.imageLimits(), b.animationLimits);
        this.stills = new ImageDecoder(guard.imageLimits());
    }

    public static Builder builder(SafetyGuard guard) {
        return new Builder(guard);
    }

    public FrameSampling sampling() {
        return sampling;
    }

    public FrameRule rule() {
        return rule;
    }

    /** Reads a file (within the guard's byte limit) and assesses it. */
    public FramesVerdict assess(Path file) {
        Objects.requireNonNull(file, "file");
        byte[] bytes;
        try {
            bytes = stills.readBytes(file);
        } catch (ImageDecodingException e) {
            return notDecoded(file.toString(), null, false, e);
        }
        return assess(bytes, file.toString());
    }

    /**
     * Assesses encoded image bytes: the sampled frames of an animated GIF or WebP, or the image
     * itself when it is still.
     *
     * @param name how the input is called in verdicts and errors
     */
    public FramesVerdict assess(byte[] bytes, String name) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(name, "name");
        String sha256 = ImageDecoder.sha256(bytes);
        List<AnimationFrame> decoded;
        int frameCount;
        try {
            frameCount = animations.frameCount(bytes, name);
            if (frameCount < 2) {
                Verdict v = guard.assess(ImageInput.ofBytes(bytes, name), policy);
                return new FramesVerdict(
                        name, sha256, 1, false, List.of(new FrameVerdict(0, -1, v)), rule, guard.failureMode(), null);
            }
            decoded = animations.decode(bytes, name, sampling::select);
        } catch (ImageDecodingException e) {
            // past the byte-count checks, only an animation's own structure or frames can fail here
            boolean animated = e.problem() != ImageDecodingException.Problem.EMPTY
                    && e.problem() != ImageDecodingException.Problem.TOO_MANY_BYTES;
            return notDecoded(name, sha256, animated, e);
        }
        List<ImageInput> inputs = new ArrayList<>(decoded.size());
        for (AnimationFrame f : decoded) {
            inputs.add(ImageInput.ofImage(f.image(), name + " frame " + f.index()));
        }
        List<Verdict> verdicts = guard.assessAll(inputs, policy);
        List<FrameVerdict> frames = new ArrayList<>(decoded.size());
        for (int i = 0; i < decoded.size(); i++) {
            frames.add(new FrameVerdict(decoded.get(i).index(), decoded.get(i).timestampMillis(), verdicts.get(i)));
        }
        return new FramesVerdict(name, sha256, frameCount, true, frames, rule, guard.failureMode(), null);
    }

    /** {@link #assessFrames(List, String)} for frames whose times are unknown. */
    public FramesVerdict assessImages(List<ImageInput> frames, String name) {
        return assessFrames(frames.stream().map(FrameInput::of).toList(), name);
    }

    /**
     * Assesses a clip given as frames (a video tool's output), sampled like an animation's frames;
     * each frame is decoded and judged as a still image. An empty list is an error.
     */
    public FramesVerdict assessFrames(List<FrameInput> frames, String name) {
        Objects.requireNonNull(name, "name");
        List<FrameInput> all = List.copyOf(frames);
        if (all.isEmpty()) {
            throw new IllegalArgumentException(name + ": no frames to assess");
        }
        int[] picked = sampling.select(all.size());
        List<ImageInput> inputs = new ArrayList<>(picked.length);
        for (int i : picked) {
            inputs.add(all.get(i).image());
        }
        List<Verdict> verdicts = guard.assessAll(inputs, policy);
        List<FrameVerdict> out = new ArrayList<>(picked.length);
        for (int j = 0; j < picked.length; j++) {
            out.add(new FrameVerdict(picked[j], all.get(picked[j]).timestampMillis(), verdicts.get(j)));
        }
        return new FramesVerdict(name, null, all.size(), true, out, rule, guard.failureMode(), null);
    }

    /** @param animated whether the file is known to be an animation (its frames could not be decoded) */
    private FramesVerdict notDecoded(String name, String sha256, boolean animated, ImageDecodingException e) {
        if (guard.failureMode() == FailureMode.THROW) {
            throw new SafetyGuardException(FailureKind.IMAGE_REJECTED, e.getMessage(), e);
        }
        return new FramesVerdict(name, sha256, 0, animated, List.of(), rule, guard.failureMode(), e.getMessage());
    }

    /** Configures a {@link FrameJudge}; only the guard is required. */
    public static final class Builder {
        private final SafetyGuard guard;
        private FrameSampling sampling = FrameSampling.evenly(8);
        private FrameRule rule = FrameRule.any();
        private AnimationLimits animationLimits = AnimationLimits.DEFAULT;
        private Policy policy;

        private Builder(SafetyGuard guard) {
            this.guard = Objects.requireNonNull(guard, "guard");
        }

        /** Which frames are judged. Default: {@link FrameSampling#evenly(int) evenly(8)}. */
        public Builder sampling(FrameSampling value) {
            this.sampling = Objects.requireNonNull(value, "sampling");
            return this;
        }

        /** When the clip is Unsafe. Default: {@link FrameRule#any()}. */
        public Builder rule(FrameRule value) {
            this.rule = Objects.requireNonNull(value, "rule");
            return this;
        }

        /** Bounds on frame count and composition work. Default: {@link AnimationLimits#DEFAULT}. */
        public Builder animationLimits(AnimationLimits value) {
            this.animationLimits = Objects.requireNonNull(value, "animationLimits");
            return this;
        }

        /** The policy the frames are judged under. Default: the guard's default policy. */
        public Builder policy(Policy value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        public FrameJudge build() {
            return new FrameJudge(this);
        }
    }
}
