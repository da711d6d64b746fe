package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.VERDICT_ONLY;
import static io.safetyguard.llamacpp.TestSupport.decode;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.greedy;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static io.safetyguard.llamacpp.TestSupport.request;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-image times of the image pipelines on the tiny qwen2-siglip pair (greedy, verdict-only grammar, 640x480
 * images, 2 threads or {@code -Dsafetyguard.bench.threads=N}): libmtmd's, the reference pipeline without and with
 * prompt-prefix reuse. Not part of the default suite (it measures, it does not assert); run it with
 * {@code mvn -o -pl guard-llamacpp -am test -Dtest=ImagePipelineBenchmark -Dsafetyguard.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}. On a machine with fewer free cores than threads, ggml's thread pool
 * stalls at its barriers and the times mostly measure that.
 */
@EnabledIfSystemProperty(named = "safetyguard.bench", matches = "true")
class ImagePipelineBenchmark {

    @TempDir
    Path dir;

    @Test
    void compareThePipelines() throws Exception {
        TinyModelPair pair = TestSupport.generate(TinyModelFlavor.QWEN2_SIGLIP, dir);
        List<DecodedImage> images = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            images.add(decode(encode(pattern(640, 480, 1000 + i), "png"), "bench" + i + ".png"));
        }
        int threads = Integer.getInteger("safetyguard.bench.threads", 2);
        run("LLAMA_CPP", TestSupport.config(pair).threads(threads).imagePipeline(ImagePipeline.LLAMA_CPP), images);
        run(
                "REFERENCE, no prefix reuse",
                TestSupport.config(pair).threads(threads).reusePrefix(false),
                images);
        run("REFERENCE, prefix reuse", TestSupport.config(pair).threads(threads), images);
    }

    private static void run(String name, LlamaCppConfig.Builder config, List<DecodedImage> images) throws Exception {
        try (LlamaCppModel model = LlamaCppModel.open(config.build())) {
            model.evaluate(request(images.get(0), VERDICT_ONLY, greedy(20))); // warm-up
            double[] total = new double[images.size()];
            double encode = 0;
            double prefill = 0;
            double decode = 0;
            int prompt = 0;
            for (int i = 0; i < images.size(); i++) {
                long t0 = System.nanoTime();
                ModelOutput out = model.evaluate(request(images.get(i), VERDICT_ONLY, greedy(20)));
                total[i] = (System.nanoTime() - t0) / 1e6;
                encode += out.encodeMillis();
                prefill += out.prefillMillis();
                decode += out.decodeMillis();
                prompt = out.promptTokens();
            }
            java.util.Arrays.sort(total);
            int n = images.size();
            System.out.printf(
                    "BENCH %-28s prompt %5d tokens (image %4d, prefix %2d): median %7.1f ms/image; mean"
                            + " encode %6.1f, prefill %6.1f, generate %6.1f ms%n",
                    name,
                    prompt,
                    prompt - model.promptTextTokens(TestSupport.POLICY.render()),
                    model.engine().prefixTokenCount(),
                    total[n / 2],
                    encode / n,
                    prefill / n,
                    decode / n);
        }
    }
}
