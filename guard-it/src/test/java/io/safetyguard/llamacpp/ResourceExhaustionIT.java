package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.FREE_TEXT;
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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.llamacpp.internal.ContextMemory;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resource exhaustion in llama.cpp: contexts larger than the machine's memory are refused with a
 * message saying what to lower, before llama.cpp allocates anything (it would take up to a minute
 * to fail, or get the process killed when the kernel overcommits); a full context ends generation
 * instead of failing; a failed request leaves the model working.
 */
class ResourceExhaustionIT {

    @TempDir
    static Path dir;

    static TinyModelPair pair;
    static DecodedImage image;

    @BeforeAll
    static void generate() {
        pair = TestSupport.generate(TinyModelFlavor.LLAMA_CLIP, dir);
        image = decode(encode(pattern(40, 40, 7), "png"), "exhaust.png");
    }

    @Test
    void aContextLargerThanMemoryIsRefusedBeforeLlamaCppAllocatesIt() {
        long t0 = System.nanoTime();
        // 2^30 tokens: about 600 GiB on the tiny model; llama.cpp itself needs ~60 s to give up
        assertThatThrownBy(() ->
                        LlamaCppModel.open(config(pair).contextSize(1 << 30).build()))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("1 context of 1073741824 tokens need about")
                .hasMessageContaining("of memory is available")
                .hasMessageContaining("Lower the context size (LlamaCppConfig.Builder.contextSize;");
        assertThat((System.nanoTime() - t0) / 1_000_000)
                .as("refused without trying, in ms")
                .isLessThan(10_000);
    }

    @Test
    void tooManyParallelContextsAreRefusedNamingTheCount() throws Exception {
        OptionalLong available = ContextMemory.availableBytes();
        assumeTrue(available.isPresent(), "the available memory is unknown on this platform");
        ContextMemory memory = ContextMemory.of(pair.model());
        // one context fits in 35% of the memory, four of them do not
        long perToken = (long) memory.kvBytesPerToken() + ContextMemory.OVERHEAD_PER_TOKEN;
        long nCtx = Math.min(
                Integer.MAX_VALUE / 2,
                (long) (available.getAsLong() * 0.35 - ContextMemory.OVERHEAD_PER_CONTEXT) / perToken);
        assertThatThrownBy(() -> LlamaCppModel.open(
                        config(pair).contextSize((int) nCtx).parallelContexts(4).build()))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("4 parallel contexts of " + nCtx + " tokens need about")
                .hasMessageContaining("LlamaCppConfig.Builder.parallelContexts");
    }

    @Test
    void aFullContextEndsGenerationAndTheModelKeepsWorking() throws Exception {
        try (LlamaCppModel model = LlamaCppModel.open(config(pair).build())) {
            // a policy that leaves about 40 tokens free after the largest image; no grammar, so the
            // tiny model writes until the context is full
            int imageTokens = Integer.parseInt(model.info().metadata().get("image.maxTokens"));
            String policy = policyOfTokens(model, model.contextSize() - imageTokens - 40);
            ModelOutput out = model.evaluate(request(image, policy, FREE_TEXT, greedy(1_000_000), null));
            assertThat(out.generatedTokens()).isPositive();
            assertThat(out.promptTokens() + out.generatedTokens()).isEqualTo(model.contextSize());
            assertValidVerdict(
                    model.evaluate(request(image, VERDICT_ONLY, greedy(100))).text(), true);
        }
    }

    /** A prompt text of exactly {@code tokens} tokens (as {@link LlamaCppModel#promptTextTokens} counts). */
    private static String policyOfTokens(LlamaCppModel model, int tokens) {
        int words = tokens;
        for (int i = 0; i < 20; i++) {
            int got = model.promptTextTokens(" word".repeat(words));
            if (got == tokens) {
                return " word".repeat(words);
            }
            words += tokens - got;
        }
        throw new AssertionError("cannot make a prompt of " + tokens + " tokens");
    }

    @Test
    void aRequestThatCannotFitFailsAloneAndTheModelKeepsWorking() throws Exception {
        try (LlamaCppModel model = LlamaCppModel.open(config(pair).build())) {
            String hugePolicy = TestSupport.POLICY.render().repeat(8);
            assertThatThrownBy(() -> model.evaluate(request(image, hugePolicy, VERDICT_ONLY, greedy(100), null)))
                    .isInstanceOf(ModelException.class)
                    .hasMessageContaining("the prompt needs")
                    .hasMessageContaining("LlamaCppConfig.Builder.contextSize(");
            assertValidVerdict(
                    model.evaluate(request(image, VERDICT_ONLY, greedy(100))).text(), true);
        }
    }
}
