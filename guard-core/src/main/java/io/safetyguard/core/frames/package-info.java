/**
 * Animated GIF/WebP files and video clips judged frame by frame: {@link io.safetyguard.core.frames.FrameJudge}
 * samples frames ({@link io.safetyguard.core.frames.FrameSampling}), assesses each with a
 * {@link io.safetyguard.core.SafetyGuard}, and rates the whole by a
 * {@link io.safetyguard.core.frames.FrameRule} into a {@link io.safetyguard.core.frames.FramesVerdict}.
 */
package io.safetyguard.core.frames;
