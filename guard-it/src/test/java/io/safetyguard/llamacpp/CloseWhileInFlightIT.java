package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.FREE_TEXT;
import static io.safetyguard.llamacpp.TestSupport.POLICY;
import static io.safetyguard.llamacpp.TestSupport.VERDICT_ONLY;
import static io.safetyguard.llamacpp.TestSupport.assertValidVerdict;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.greedy;
import static io.safetyguard.llamacpp.TestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * close() on the real native backend while threads are evaluating, at random moments: each call
 * in flight finishes with a verdict or fails with a ModelException saying the model was closed,
 * each later call is refused with the documented IllegalStateException, and nothing crashes (a
 * use-after-free or double free would take the JVM and the test run down with it). Native memory
 * is freed each time: the resident set does not grow over the rounds.
 */
class CloseWhileInFlightIT {

    private static final int ROUNDS = 10;
    /** Rounds before the resident-set baseline: allocator arenas and JIT settle over the first few. */
    private static final int WARM_UP_ROUNDS = 4;

    private static final int THREADS = 4;
    /** A one-line prompt keeps each evaluation short, so many finish between the closes. */
    private static final String SHORT_PROMPT = "Rate the image under the policy categories as JSON.";

    @TempDir
    static Path dir;

    @Test
    void closeAtRandomMomentsEndsEveryCallCleanly() throws Exception {
        TinyModelPair pair = TestSupport.generate(TinyModelFlavor.LLAMA_CLIP, dir);
        List<DecodedImage> images = TestSupport.mixedImages(6);
        Random random = new Random(20261128);
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        long rssWarm = -1;
        List<Long> rssByRound = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Duration closeTimeout = random.nextBoolean() ? Duration.ZERO : Duration.ofMillis(random.nextInt(200));
            LlamaCppModel model = LlamaCppModel.open(
                    config(pair).parallelContexts(2).closeTimeout(closeTimeout).build());
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
            try {
                CountDownLatch started = new CountDownLatch(THREADS);
                List<Future<?>> calls = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    long seed = random.nextLong();
                    calls.add(pool.submit(() -> {
                        started.countDown();
                        callUntilRefused(model, images, new Random(seed), outcomes, unexpected);
                        return null;
                    }));
                }
                started.await();
                Thread.sleep(random.nextInt(1500));
                // two closers at once: one frees, the other returns; both must be harmless
                Future<?> otherCloser = pool.submit(model::close);
                model.close();
                otherCloser.get(60, TimeUnit.SECONDS);
                for (Future<?> f : calls) {
                    f.get(60, TimeUnit.SECONDS); // no thread is left stuck
                }
                assertThatThrownBy(() -> model.evaluate(request(images.get(0), VERDICT_ONLY, greedy(10))))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("has been closed");
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
            rssByRound.add(TestSupport.rssKib().orElse(-1) / 1024);
            if (round == WARM_UP_ROUNDS - 1) {
                rssWarm = TestSupport.rssKib().orElse(-1);
            }
        }
        long rssEnd = TestSupport.rssKib().orElse(-1);
        System.out.println("CloseWhileInFlightIT: " + ROUNDS + " rounds x " + THREADS + " threads, outcomes "
                + new TreeMap<>(outcomes) + ", RSS after round " + WARM_UP_ROUNDS + " " + rssWarm / 1024
                + " MiB, at the end "
                + rssEnd / 1024 + " MiB (by round: " + rssByRound + ")");
        assertThat(unexpected).as("calls that ended in another way").isEmpty();
        assertThat(outcomes).containsKeys("refused after close");
        // the close checks above ran; the memory check needs an RSS reading, else the test says it skipped it
        TestSupport.rssKibOrSkip("The RSS growth check (the close checks passed)");
        assertThat(rssEnd - rssWarm)
                .as("RSS growth in KiB over %d open/close rounds", ROUNDS - WARM_UP_ROUNDS)
                .isLessThan(64 * 1024);
    }

    /** Evaluates (short verdicts, long free answers, token counts) until the model refuses. */
    private static void callUntilRefused(
            LlamaCppModel model,
            List<DecodedImage> images,
            Random random,
            Map<String, AtomicInteger> outcomes,
            ConcurrentLinkedQueue<String> unexpected) {
        while (true) {
            DecodedImage image = images.get(random.nextInt(images.size()));
            int kind = random.nextInt(4);
            try {
                switch (kind) {
                    case 0, 1 -> {
                        assertValidVerdict(
                                model.evaluate(request(image, SHORT_PROMPT, VERDICT_ONLY, greedy(60), null))
                                        .text(),
                                true);
                        count(outcomes, "verdict");
                    }
                    case 2 -> {
                        // no grammar: hundreds of tokens, so close() often lands mid-generation
                        model.evaluate(request(image, SHORT_PROMPT, FREE_TEXT, greedy(400), null));
                        count(outcomes, "answer");
                    }
                    default -> {
                        assertThat(model.promptTextTokens(POLICY.render())).isPositive();
                        count(outcomes, "token count");
                    }
                }
            } catch (ModelException e) {
                if (e.getMessage() != null && e.getMessage().contains("closed")) {
                    count(outcomes, "failed: closed");
                } else {
                    unexpected.add("ModelException: " + e.getMessage());
                }
            } catch (IllegalStateException e) {
                if (e.getMessage() != null && e.getMessage().contains("has been closed")) {
                    count(outcomes, "refused after close");
                    return;
                }
                unexpected.add(e.toString());
                return;
            } catch (Throwable t) {
                unexpected.add(t.toString());
                return;
            }
        }
    }

    private static void count(Map<String, AtomicInteger> outcomes, String what) {
        outcomes.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }
}
