package io.safetyguard.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import io.safetyguard.policy.Policy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints images/s through SafetyGuard with 1 and with 2 llama-server processes (one thread, one slot
 * each) on the tiny LLAVA/CLIP pair. A measurement, not a speed test: only the verdicts are asserted.
 * Run with {@code -Dsafetyguard.remote.throughput=true} (about 1-2 minutes on 2 cores); the image count
 * with {@code -Dsafetyguard.remote.throughput.images=N} (default 24).
 */
@EnabledIfSystemProperty(named = "safetyguard.remote.throughput", matches = "true")
class RemoteThroughputIT {

    @TempDir
    Path dir;

    @Test
    void oneServerThenTwo() throws Exception {
        Path binary = LlamaServerProcess.binary();
        TinyModelPair pair = TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir.resolve("model"));
        int n = Integer.getInteger("safetyguard.remote.throughput.images", 24);
        boolean[] modes = Boolean.getBoolean("safetyguard.remote.throughput.fullOnly")
                ? new boolean[] {false}
                : new boolean[] {true, false};
        for (boolean verdictOnly : modes) {
            for (int servers = 1; servers <= 2; servers++) {
                List<LlamaServerProcess> procs = new ArrayList<>();
                try {
                    for (int i = 0; i < servers; i++) {
                        procs.add(LlamaServerProcess.start(binary, pair, 1, dir));
                    }
                    measure(procs, n, verdictOnly);
                } finally {
                    for (LlamaServerProcess p : procs) {
                        p.close();
                    }
                }
            }
        }
    }

    private static void measure(List<LlamaServerProcess> servers, int n, boolean verdictOnly) throws Exception {
        RemoteSafetyModel.Builder b = RemoteSafetyModel.builder().endpointConcurrency(1);
        servers.forEach(s -> b.endpoint(s.url()));
        GenerationOptions options = GenerationOptions.DEFAULT.withVerdictOnly(verdictOnly);
        try (RemoteSafetyModel model = b.build();
                SafetyGuard guard = SafetyGuard.builder()
                        .model(model)
                        .ownsModel(false)
                        .policy(Policy.llavaGuardDefault())
                        .generationOptions(options)
                        .parallelism(2 * servers.size())
                        .build()) {
            guard.assess(ImageInput.ofBytes(LlamaServerIT.png(LlamaServerIT.solid(16, 16, 1)), "warm-up.png"));
            List<ImageInput> images = LlamaServerIT.images(n, "throughput-" + servers.size() + "-" + verdictOnly);
            long t0 = System.nanoTime();
            List<Verdict> verdicts = guard.assessAll(images);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(verdicts).hasSize(n);
            // the only failure the random model may cause: llama-server rejecting non-UTF-8 rationale text
            List<Verdict> failed = verdicts.stream().filter(Verdict::isFailure).toList();
            assertThat(failed)
                    .allSatisfy(v -> assertThat(v.failureReason().orElse("")).contains("valid UTF-8"));
            System.out.printf(
                    "THROUGHPUT servers=%d verdictOnly=%b images=%d seconds=%.2f images/s=%.2f "
                            + "(%d answers rejected by llama-server's parser)%n",
                    servers.size(), verdictOnly, n, seconds, n / seconds, failed.size());
        }
    }
}
