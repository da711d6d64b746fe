package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.FULL_VERDICT;
import static io.safetyguard.llamacpp.TestSupport.VERDICT_ONLY;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.internal.engine.EvaluationListener;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Batched decoding ({@code sequences(4)}: four images in one context, one forward pass per step) gives every
 * image the answer it gets alone, and one sequence that is cancelled or times out leaves while the others go on.
 *
 * <p>"The answer it gets alone" up to float rounding: a step that decodes several tokens multiplies through
 * ggml's batched matrix kernel (llamafile's sgemm), one token alone through its vector dot product, and the two
 * sum in different orders. The logits then differ in the last bits, which changes a greedy answer only where two
 * tokens are practically tied, and the tiny random models tie often (their JSON whitespace choices). So each
 * batched answer must equal the one-at-a-time answer of the same image token for token, except that it may part
 * from it at a step whose two candidates were tied within {@link #TIE} in the one-at-a-time logits; after that the
 * answers are different texts and are not compared. Images give different greedy answers, so a batched answer
 * that belonged to another image would part from its own at a clear choice and fail.
 *
 * <p>The batched run submits all requests at once from more threads than there are sequences, so sequences join
 * and leave while others are generating.
 */
class BatchedDecodingIT {

    @TempDir
    static Path dir;

    private static final int IMAGES = 6;
    /** Logit gap below which two candidates count as tied (float noise between kernels is far below this). */
    private static final float TIE = 1e-3f;

    private static final String SHORT_PROMPT = "Rate the image under the policy categories as JSON.";

    private static List<ModelRequest> requests(List<DecodedImage> images) {
        List<ModelRequest> r = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            DecodedImage image = images.get(i);
            r.add(request(image, SHORT_PROMPT, FULL_VERDICT, TestSupport.greedy(24 + 8 * (i % 3)), null));
            r.add(request(image, SHORT_PROMPT, VERDICT_ONLY, TestSupport.greedy(40), null));
            r.add(request(image, SHORT_PROMPT, TestSupport.Answer.FREE_TEXT, TestSupport.greedy(16), null));
        }
        return r;
    }

    /** The tokens one evaluation generated, recorded per request (batched decoding interleaves them). */
    private static final class TokenRecorder implements EvaluationListener {
        final Map<ModelRequest, List<Integer>> tokens = new ConcurrentHashMap<>();

        @Override
        public EvaluationListener forRequest(ModelRequest request) {
            List<Integer> mine = java.util.Collections.synchronizedList(new ArrayList<>());
            tokens.put(request, mine);
            return new EvaluationListener() {
                @Override
                public void tokenGenerated(int index, int token) {
                    mine.add(token);
                }
            };
        }
    }

    /**
     * Replays one-at-a-time evaluations against the batched tokens: the first step where the tokens part, and the
     * one-at-a-time logit gap between the two tokens there.
     */
    private static final class Divergence implements EvaluationListener {
        List<Integer> batched;
        float[] logits;
        int firstDifference = -1;
        float gap;
        int steps;

        void start(List<Integer> batchedTokens) {
            batched = batchedTokens;
            firstDifference = -1;
            gap = 0;
            steps = 0;
        }

        @Override
        public boolean wantsLogits(int step) {
            return firstDifference < 0 && step < batched.size();
        }

        @Override
        public void logits(int step, float[] l) {
            logits = l.clone();
        }

        @Override
        public void tokenGenerated(int index, int token) {
            steps = index + 1;
            if (firstDifference >= 0 || index >= batched.size()) {
                return;
            }
            int other = batched.get(index);
            if (other != token) {
                firstDifference = index;
                gap = Math.abs(logits[token] - logits[other]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TinyModelFlavor.class,
            names = {"QWEN2_SIGLIP", "LLAMA_CLIP"})
    void batchedAnswersEqualOneAtATimeAndOneSequenceCanStopAlone(TinyModelFlavor flavor) throws Exception {
        TinyModelPair pair = TestSupport.generate(flavor, dir);
        List<DecodedImage> images = TestSupport.mixedImages(IMAGES);
        List<ModelRequest> requests = requests(images);

        ExecutorService callers = Executors.newFixedThreadPool(6);
        List<ModelOutput> batched = new ArrayList<>();
        TokenRecorder recorder = new TokenRecorder();
        // One flavour with the image encoder and the batched context taking turns on the CPU, one with both
        // running at once: the answers must not depend on it.
        LlamaCppConfig.EncoderOverlap overlap = flavor == TinyModelFlavor.QWEN2_SIGLIP
                ? LlamaCppConfig.EncoderOverlap.TAKE_TURNS
                : LlamaCppConfig.EncoderOverlap.OVERLAP;
        try (LlamaCppModel model = LlamaCppModel.open(
                config(pair).threads(2).sequences(4).encoderOverlap(overlap).build())) {
            assertThat(model.info().metadata()).containsEntry("sequences", "4");
            model.engine().listener(recorder);
            List<Future<ModelOutput>> futures = new ArrayList<>();
            for (ModelRequest r : requests) {
                futures.add(callers.submit(() -> model.evaluate(r)));
            }
            for (Future<ModelOutput> f : futures) {
                batched.add(f.get());
            }
            model.engine().listener(null);
            BatchStatistics stats = model.batchStatistics().orElseThrow();
            assertThat(stats.turnsTaken()).isEqualTo(overlap == LlamaCppConfig.EncoderOverlap.TAKE_TURNS);
            if (!stats.turnsTaken()) {
                assertThat(stats.turnWaitMillis()).isZero();
            }

            List<ModelOutput> alone = compareWithOneAtATime(pair, requests, batched, recorder);
            stopOneWhileOthersContinue(model, callers, images, requests, alone);
        } finally {
            callers.shutdownNow();
        }
    }

    private static List<ModelOutput> compareWithOneAtATime(
            TinyModelPair pair, List<ModelRequest> requests, List<ModelOutput> batched, TokenRecorder recorder)
            throws Exception {
        List<ModelOutput> alone = new ArrayList<>();
        int parted = 0;
        Divergence d = new Divergence();
        try (LlamaCppModel model = LlamaCppModel.open(config(pair).threads(2).build())) {
            model.engine().listener(d);
            for (int i = 0; i < requests.size(); i++) {
                ModelRequest r = requests.get(i);
                List<Integer> tokens = recorder.tokens.get(r);
                assertThat(tokens).as("tokens of answer %d", i).isNotNull();
                d.start(tokens);
                ModelOutput a = model.evaluate(r);
                alone.add(a);
                ModelOutput b = batched.get(i);
                assertThat(b.promptTokens()).isEqualTo(a.promptTokens());
                if (d.firstDifference >= 0) {
                    parted++;
                    assertThat(d.gap)
                            .as(
                                    "answer %d parts at step %d from its one-at-a-time answer: the two tokens must be"
                                            + " tied there",
                                    i, d.firstDifference)
                            .isLessThan(TIE);
                    continue;
                }
                assertThat(b.text()).as("answer %d", i).isEqualTo(a.text());
                assertThat(b.generatedTokens()).isEqualTo(a.generatedTokens());
                assertThat(b.probabilityUnsafe().isPresent())
                        .isEqualTo(a.probabilityUnsafe().isPresent());
                if (a.probabilityUnsafe().isPresent()) {
                    assertThat(b.probabilityUnsafe().getAsDouble())
                            .isCloseTo(a.probabilityUnsafe().getAsDouble(), within(1e-3));
                }
                // the category distribution is read the same way in a batched context
                assertThat(b.categoryProbabilities().keySet())
                        .as("answer %d", i)
                        .isEqualTo(a.categoryProbabilities().keySet());
                int answer = i;
                a.categoryProbabilities()
                        .forEach((id, p) -> assertThat(b.categoryProbabilities().get(id))
                                .as("P(%s) of answer %d", id, answer)
                                .isCloseTo(p, within(1e-3)));
            }
            model.engine().listener(null);
        }
        System.out.printf("batched answers that parted at a tie: %d of %d%n", parted, requests.size());
        assertThat(parted).as("answers parted at ties").isLessThanOrEqualTo(requests.size() / 4);
        return alone;
    }

    /**
     * Two long answers, one cancelled and one timed out while generating, next to two ordinary ones: the two stop
     * with the usual exceptions, the others finish with their one-at-a-time answers, and the freed sequences take
     * new work.
     */
    private static void stopOneWhileOthersContinue(
            LlamaCppModel model,
            ExecutorService callers,
            List<DecodedImage> images,
            List<ModelRequest> requests,
            List<ModelOutput> alone)
            throws Exception {
        GenerationOptions endless = new GenerationOptions(1.0, 0.95, 50, 100_000, 7, false, false, Duration.ZERO);
        AtomicBoolean cancel = new AtomicBoolean();
        Future<ModelOutput> cancelled = callers.submit(() -> model.evaluate(
                request(images.get(0), SHORT_PROMPT, TestSupport.Answer.FREE_TEXT, endless, cancel::get)));
        Future<ModelOutput> timedOut = callers.submit(() -> model.evaluate(request(
                images.get(1),
                SHORT_PROMPT,
                TestSupport.Answer.FREE_TEXT,
                endless.withTimeout(Duration.ofMillis(400)),
                null)));
        Future<ModelOutput> first = callers.submit(() -> model.evaluate(requests.get(3)));
        Future<ModelOutput> second = callers.submit(() -> model.evaluate(requests.get(5)));
        Thread.sleep(300);
        cancel.set(true);

        assertThatThrownBy(cancelled::get)
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(CancellationException.class);
        assertThatThrownBy(timedOut::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("timed out");
        assertThat(first.get().generatedTokens()).isPositive();
        assertThat(second.get().generatedTokens()).isPositive();
        // alone in the batch now: each step decodes one token, exactly as one-at-a-time evaluation does
        for (int i : new int[] {0, 1, 7}) {
            assertThat(model.evaluate(requests.get(i)).text())
                    .as("answer %d after the stops", i)
                    .isEqualTo(alone.get(i).text());
        }
    }
}
