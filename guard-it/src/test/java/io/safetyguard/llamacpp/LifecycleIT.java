package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.FREE_TEXT;
import static io.safetyguard.llamacpp.TestSupport.POLICY;
import static io.safetyguard.llamacpp.TestSupport.VERDICT_ONLY;
import static io.safetyguard.llamacpp.TestSupport.assertValidVerdict;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.decode;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.greedy;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static io.safetyguard.llamacpp.TestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** close(): frees everything once, never under a running evaluation; everything after it fails clearly. */
class LifecycleIT {

    @TempDir
    static Path dir;

    static TinyModelPair pair;
    static DecodedImage image;

    @BeforeAll
    static void generate() {
        pair = TestSupport.generate(TinyModelFlavor.LLAMA_CLIP, dir);
        image = decode(encode(pattern(40, 40, 1), "png"), "life.png");
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsAnIllegalStateException() throws Exception {
        LlamaCppModel model = LlamaCppModel.open(config(pair).build());
        assertValidVerdict(
                model.evaluate(request(image, VERDICT_ONLY, greedy(100))).text(), true);
        model.close();
        model.close();
        assertThat(model.info().id()).hasSize(64); // plain data stays readable
        assertThatThrownBy(() -> model.evaluate(request(image, VERDICT_ONLY, greedy(10))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has been closed")
                .hasMessageContaining("LlamaCppModel.open");
        assertThatThrownBy(() -> model.promptTextTokens(POLICY.render())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeWaitsForRunningEvaluationsWithinItsTimeout() throws Exception {
        LlamaCppModel model = LlamaCppModel.open(config(pair)
                .parallelContexts(2)
                .closeTimeout(Duration.ofSeconds(60))
                .build());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch started = new CountDownLatch(2);
            List<Future<ModelOutput>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                results.add(pool.submit(() -> {
                    started.countDown();
                    return model.evaluate(request(image, FREE_TEXT, greedy(120)));
                }));
            }
            started.await();
            Thread.sleep(100);
            model.close();
            for (Future<ModelOutput> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS).generatedTokens()).isEqualTo(120);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeAbortsEvaluationsThatOutlastItsTimeoutAndFailsWaitingOnes() throws Exception {
        LlamaCppModel model = LlamaCppModel.open(
                config(pair).parallelContexts(2).closeTimeout(Duration.ZERO).build());
        int threads = 4; // two run, two wait for a context
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            CountDownLatch started = new CountDownLatch(threads);
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    started.countDown();
                    int done = 0;
                    while (!stop.get()) {
                        try {
                            // no grammar: runs until the context is full (over a thousand tokens)
                            model.evaluate(request(image, FREE_TEXT, greedy(5000)));
                            done++;
                        } catch (IllegalStateException e) {
                            return "closed after " + done; // called after close: the documented exception
                        }
                    }
                    return "stopped";
                }));
            }
            started.await();
            Thread.sleep(300);
            long t0 = System.nanoTime();
            model.close();
            long closeMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(closeMillis)
                    .as("close aborts instead of waiting for >1000 tokens")
                    .isLessThan(5000);
            for (Future<?> f : results) {
                try {
                    assertThat(f.get(30, TimeUnit.SECONDS)).asString().startsWith("closed");
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(ModelException.class).hasMessageContaining("closed");
                    assertThat(((ModelException) e.getCause()).isTransient()).isFalse();
                }
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        // the JVM is fine: a new model works
        try (LlamaCppModel again = LlamaCppModel.open(config(pair).build())) {
            assertValidVerdict(
                    again.evaluate(request(image, VERDICT_ONLY, greedy(100))).text(), true);
        }
    }
}
