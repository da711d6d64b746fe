package io.safetyguard.cli.bench;

import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.FailureMode;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.policy.Policy;
import java.nio.file.Path;

/**
 * Times SafetyGuard on one image at a time, in one decoding mode, on an already loaded model. The verdict cache is
 * off, so every call runs the model.
 */
final class GuardRunner implements AutoCloseable {
    private final RecordingModel model;
    private final SafetyGuard guard;
    private final GuardRun.Mode mode;

    GuardRunner(SafetyModel loaded, Policy policy, GenerationOptions options, GuardRun.Mode mode, boolean withGrammar) {
        this.model = new RecordingModel(loaded, withGrammar);
        this.mode = mode;
        this.guard = SafetyGuard.builder()
                .model(model)
                .ownsModel(false)
                .policy(policy)
                .generationOptions(options)
                .failureMode(FailureMode.FAIL_CLOSED)
                .cache(CacheConfig.disabled())
                .parallelism(1)
                .build();
    }

    GuardRun run(Path image) {
        Verdict v = guard.assess(ImageInput.ofPath(image));
        ModelOutput out = model.takeLast()
                .orElseThrow(() -> new BenchException("SafetyGuard produced no model output for " + image + ": "
                        + v.failureReason().orElse("unknown reason")));
        return new GuardRun(
                image.getFileName().toString(),
                mode,
                v.totalMillis(),
                out.encodeMillis(),
                out.prefillMillis(),
                out.decodeMillis(),
                out.decodeForwardMillis(),
                out.promptTokens(),
                out.generatedTokens(),
                out.text(),
                v.failureReason().orElse(null));
    }

    @Override
    public void close() {
        guard.close();
    }
}
