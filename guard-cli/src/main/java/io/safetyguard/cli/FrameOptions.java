package io.safetyguard.cli;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.frames.FrameJudge;
import io.safetyguard.core.frames.FrameRule;
import io.safetyguard.core.frames.FrameSampling;
import io.safetyguard.core.frames.FramesVerdict;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Option;

/**
 * {@code --frames}, {@code --frame-step} and {@code --frame-rule} of {@code check} and {@code audit}:
 * judge animated GIF/WebP frame by frame. Without {@code --frames} or {@code --frame-step} nothing
 * changes: an animation is judged by its first frame, as any image.
 */
final class FrameOptions {

    @Option(
            names = "--frames",
            paramLabel = "N",
            description = {
                "Judge animated GIF/WebP frame by frame: the first, the last and evenly spaced frames, N in all",
                "(N model runs per animation; batched with --batch/--parallel). Still images are judged as before."
            })
    Integer frames;

    @Option(
            names = "--frame-step",
            paramLabel = "K",
            description = "Judge every K-th frame (0, K, 2K, ...); with --frames N, at most N of those, evenly spaced.")
    Integer step;

    @Option(
            names = "--frame-rule",
            paramLabel = "RULE",
            description = {
                "When an animation is Unsafe: any (one Unsafe frame; the default), k:N (at least N Unsafe frames),",
                "share:S (at least the share S of the judged frames). A frame that could not be judged makes",
                "the animation Unsafe unless --fail-open."
            })
    String rule;

    /** True when animations are judged frame by frame. */
    boolean enabled() {
        if (!(frames != null || step != null) && rule != null) {
            throw new BadInputException("--frame-rule needs --frames N or --frame-step K");
        }
        return frames != null || step != null;
    }

    FrameSampling sampling() {
        if (frames != null && frames < 1) {
            throw new BadInputException("--frames must be at least 1, got " + frames);
        }
        if (step != null && step < 1) {
            throw new BadInputException("--frame-step must be at least 1, got " + step);
        }
        FrameSampling sampling = FrameSampling.everyKth(step == null ? 1 : step);
        return frames == null ? sampling : sampling.limit(frames);
    }

    FrameRule frameRule() {
        try {
            return rule == null ? FrameRule.any() : FrameRule.parse(rule);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--frame-rule: " + e.getMessage());
        }
    }

    FrameJudge judge(SafetyGuard guard) {
        return FrameJudge.builder(guard).sampling(sampling()).rule(frameRule()).build();
    }

    /** For the report's settings. */
    Map<String, String> describe() {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Frames", enabled() ? sampling() + "; rule " + frameRule() : "first frame only");
        return rows;
    }

    /**
     * Runs {@link FrameJudge#assess(Path)} on threads of its own: the judge waits for the frames it
     * hands to the guard's workers, so it must not take one of them. Daemon threads, closed with it.
     */
    static final class Runner implements AutoCloseable {
        private final FrameJudge judge;
        private final ExecutorService threads;

        Runner(FrameJudge judge, int parallel) {
            this.judge = judge;
            AtomicInteger n = new AtomicInteger();
            this.threads = Executors.newFixedThreadPool(Math.max(1, parallel), r -> {
                Thread t = new Thread(r, "guard-frames-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }

        CompletableFuture<FramesVerdict> submit(Path image) {
            return CompletableFuture.supplyAsync(() -> judge.assess(image), threads);
        }

        @Override
        public void close() {
            threads.shutdownNow();
        }
    }
}
