package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.FREE_TEXT;
import static io.safetyguard.llamacpp.TestSupport.FULL_VERDICT;
import static io.safetyguard.llamacpp.TestSupport.VERDICT_ONLY;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.decode;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.greedy;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static io.safetyguard.llamacpp.TestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.reference.EvaluationCapture;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The greedy fast path on real llama.cpp: the token chosen natively is the argmax of the logits the model produced,
 * a context with a persistent CPU thread pool answers exactly as one whose threads ggml starts per forward pass, the
 * time inside the forward passes is reported, and the generation loop allocates nothing per token.
 */
class GreedyDecodingIT {

    @TempDir
    static Path dir;

    private static DecodedImage image(int i) {
        return decode(encode(pattern(40 + 17 * i, 30 + 11 * i, 300 + i), "png"), "g" + i + ".png");
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void everyGreedyTokenWithoutGrammarIsTheFirstArgmaxOfTheRawLogits(TinyModelFlavor flavor) throws Exception {
        TinyModelPair pair = TestSupport.generate(flavor, dir);
        try (LlamaCppModel model = LlamaCppModel.open(config(pair).build())) {
            EvaluationCapture capture = new EvaluationCapture();
            capture.everyStep = true;
            model.engine().listener(capture);
            ModelOutput out = model.evaluate(request(image(0), FREE_TEXT, greedy(24)));
            assertThat(capture.generated).isNotEmpty();
            for (int k = 0; k < capture.generated.size(); k++) {
                assertThat(capture.generated.get(k))
                        .as("token %d of %s", k, out.text())
                        .isEqualTo(firstArgmax(capture.stepLogits.get(k)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void persistentThreadPoolGivesTheSameAnswersAndReportsForwardTime(TinyModelFlavor flavor) throws Exception {
        TinyModelPair pair = TestSupport.generate(flavor, dir);
        List<ModelRequest> requests = new ArrayList<>();
        // two threads, so that the pool has a worker; kept short: on a busy 2-core machine every barrier of a
        // two-thread forward pass waits for a descheduled thread
        requests.add(request(image(0), FULL_VERDICT, greedy(24)));
        requests.add(request(image(1), VERDICT_ONLY, greedy(24).withVerdictOnly(true)));
        requests.add(request(image(1), FREE_TEXT, greedy(16)));
        List<ModelOutput> pooled = answers(pair, true, requests);
        List<ModelOutput> perPass = answers(pair, false, requests);
        for (int i = 0; i < requests.size(); i++) {
            assertThat(pooled.get(i).text())
                    .as("request %d", i)
                    .isEqualTo(perPass.get(i).text());
            assertThat(pooled.get(i).probabilityUnsafe())
                    .isEqualTo(perPass.get(i).probabilityUnsafe());
            ModelOutput o = pooled.get(i);
            assertThat(o.decodeForwardMillis()).isGreaterThan(0).isLessThanOrEqualTo(o.decodeMillis());
        }
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void theGenerationLoopAllocatesNothingPerToken(TinyModelFlavor flavor) throws Exception {
        TinyModelPair pair = TestSupport.generate(flavor, dir);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (LlamaCppModel model = LlamaCppModel.open(config(pair).build())) {
            DecodedImage img = image(0);
            int shortRun = 10;
            int longRun = 130;
            long[] bytes = new long[2];
            int[] tokens = new int[2];
            int[] textBytes = new int[2];
            for (int warm = 0; warm < 3; warm++) { // the last round counts: the JIT has compiled the loop by then
                for (int r = 0; r < 2; r++) {
                    ModelRequest req = request(img, FREE_TEXT, greedy(r == 0 ? shortRun : longRun));
                    long before = threads.getCurrentThreadAllocatedBytes();
                    ModelOutput out = model.evaluate(req);
                    bytes[r] = threads.getCurrentThreadAllocatedBytes() - before;
                    tokens[r] = out.generatedTokens();
                    textBytes[r] = out.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                }
            }
            assertThat(tokens[1]).as("the long run must generate more tokens").isGreaterThan(tokens[0] + 60);
            // What may grow with the answer is its text: the output buffer (doubling, so at most twice the final
            // size plus the copies on the way), the final string (at most two bytes per character) and the
            // evaluation's result copies. Allow six bytes per text byte; a boxed token (16 bytes), a copied logits
            // row or a per-step string would exceed the per-token margin left on top of that.
            double perToken =
                    (double) (bytes[1] - bytes[0] - 6L * (textBytes[1] - textBytes[0])) / (tokens[1] - tokens[0]);
            assertThat(perToken)
                    .as(
                            "bytes allocated per extra token beyond the text (%d vs %d bytes for %d vs %d tokens)",
                            bytes[1], bytes[0], tokens[1], tokens[0])
                    .isLessThan(8);
        }
    }

    private static List<ModelOutput> answers(TinyModelPair pair, boolean persistent, List<ModelRequest> requests)
            throws Exception {
        List<ModelOutput> out = new ArrayList<>();
        try (LlamaCppModel model = LlamaCppModel.open(
                config(pair).threads(2).persistentThreadPool(persistent).build())) {
            for (ModelRequest r : requests) {
                out.add(model.evaluate(r));
            }
        }
        return out;
    }

    private static int firstArgmax(float[] logits) {
        int best = 0;
        for (int t = 1; t < logits.length; t++) {
            if (logits[t] > logits[best]) {
                best = t;
            }
        }
        return best;
    }
}
