package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.FULL_VERDICT;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One model shared by many threads: every answer belongs to its own image.
 *
 * <p>The reference answer of each image is computed single-threaded first. The tiny random models
 * answer almost the same to every image under greedy decoding, which would hide a mix-up, so the
 * answers here use seeded sampling at temperature 1: still deterministic for a given image and seed
 * (the test checks that), but different for nearly every image (the test checks that too). The
 * prompt is a one-line instruction instead of the 1.3k-token default policy: what is tested is
 * the sharing of one model by many threads, and the short prompt keeps 400 evaluations quick.
 */
class ConcurrencyIT {

    @TempDir
    static Path dir;

    private static final String SHORT_PROMPT = "Rate the image under the policy categories as JSON.";

    private static GenerationOptions options(int maxNewTokens) {
        return new GenerationOptions(1.0, 0.95, 50, maxNewTokens, 1234, false, false, Duration.ZERO);
    }

    @ParameterizedTest(name = "{0}: {1} threads x {2} images, {3} tokens each")
    @CsvSource({"LLAMA_CLIP, 8, 50, 20, true", "QWEN2_SIGLIP, 8, 4, 24, false"})
    void everyVerdictBelongsToItsImage(
            TinyModelFlavor flavor, int threads, int imageCount, int maxNewTokens, boolean measureRss)
            throws Exception {
        TinyModelPair pair = TestSupport.generate(flavor, dir);
        List<DecodedImage> images = TestSupport.mixedImages(imageCount);
        GenerationOptions options = options(maxNewTokens);
        try (LlamaCppModel model =
                LlamaCppModel.open(config(pair).parallelContexts(2).build())) {
            List<String> reference = new ArrayList<>();
            for (DecodedImage image : images) {
                reference.add(answer(model, image, options));
            }
            assertThat(new HashSet<>(reference))
                    .as("the answers tell the images apart")
                    .hasSizeGreaterThanOrEqualTo((int) (images.stream()
                                    .map(DecodedImage::sha256)
                                    .distinct()
                                    .count()
                            * 8
                            / 10));
            if (!measureRss) {
                runConcurrently(model, images, reference, threads, options);
                return;
            }
            // warm up (JIT, allocator arenas, Java heap sizing) before measuring the resident set
            runConcurrently(model, images.subList(0, 2), reference, threads, options);
            OptionalLong rssBefore = TestSupport.rssKib();
            runConcurrently(model, images, reference, threads, options);
            long rssAfter = TestSupport.rssKibOrSkip("The RSS growth check (the concurrent answers were checked)");
            assertThat(rssAfter - rssBefore.orElseThrow())
                    .as("RSS growth in KiB over %d evaluations", threads * images.size())
                    .isLessThan(150 * 1024);
        }
    }

    private static void runConcurrently(
            LlamaCppModel model,
            List<DecodedImage> images,
            List<String> reference,
            int threads,
            GenerationOptions options)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < images.size(); i++) {
                    order.add(i);
                }
                Collections.shuffle(order, new Random(t));
                done.add(pool.submit(() -> {
                    go.await();
                    int n = 0;
                    for (int i : order) {
                        String got = answer(model, images.get(i), options);
                        if (!got.equals(reference.get(i))) {
                            mismatches.add("image " + i + ": " + got + " instead of " + reference.get(i));
                        }
                        n++;
                    }
                    return n;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get(10, TimeUnit.MINUTES);
            }
            assertThat(total).isEqualTo(threads * images.size());
        } finally {
            pool.shutdownNow();
        }
        assertThat(mismatches).as("answers that belong to another image").isEmpty();
    }

    /** The text and P(Unsafe) of one evaluation: everything the model says about the image. */
    private static String answer(LlamaCppModel model, DecodedImage image, GenerationOptions options) throws Exception {
        ModelOutput out = model.evaluate(request(image, SHORT_PROMPT, FULL_VERDICT, options, null));
        return out.text() + " | p=" + out.probabilityUnsafe() + " | prompt=" + out.promptTokens();
    }

    @Test
    void repeatedOpenEvaluateCloseDoesNotLeak() throws Exception {
        TinyModelPair pair = TestSupport.generate(TinyModelFlavor.LLAMA_CLIP, dir);
        DecodedImage image = TestSupport.mixedImages(1).get(0);
        TestSupport.rssKibOrSkip("This leak check");
        long before = -1;
        for (int i = 0; i < 12; i++) {
            try (LlamaCppModel model = LlamaCppModel.open(config(pair).build())) {
                model.evaluate(request(image, TestSupport.VERDICT_ONLY, TestSupport.greedy(40)));
            }
            if (i == 3) {
                before = TestSupport.rssKibOrSkip("This leak check"); // after allocator and JIT warm-up
            }
        }
        long after = TestSupport.rssKibOrSkip("This leak check");
        assertThat(after - before)
                .as("RSS growth in KiB over 8 open/close cycles")
                .isLessThan(100 * 1024);
    }
}
