package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.FREE_TEXT;
import static io.safetyguard.llamacpp.TestSupport.FULL_VERDICT;
import static io.safetyguard.llamacpp.TestSupport.POLICY;
import static io.safetyguard.llamacpp.TestSupport.VERDICT_ONLY;
import static io.safetyguard.llamacpp.TestSupport.assertValidVerdict;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.decode;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.greedy;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static io.safetyguard.llamacpp.TestSupport.request;
import static io.safetyguard.llamacpp.TestSupport.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** LlamaCppModel on real llama.cpp with both tiny model flavours. */
class LlamaCppModelIT {

    @TempDir
    static Path dir;

    private static final Map<TinyModelFlavor, TinyModelPair> PAIRS = new EnumMap<>(TinyModelFlavor.class);
    private static final Map<TinyModelFlavor, LlamaCppModel> MODELS = new EnumMap<>(TinyModelFlavor.class);

    @BeforeAll
    static void open() throws ModelException {
        for (TinyModelFlavor f : TinyModelFlavor.values()) {
            TinyModelPair pair = TestSupport.generate(f, dir);
            PAIRS.put(f, pair);
            MODELS.put(f, LlamaCppModel.open(config(pair).build()));
        }
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(LlamaCppModel::close);
    }

    private static Map<String, DecodedImage> formats() {
        Map<String, DecodedImage> images = new LinkedHashMap<>();
        images.put("png", decode(encode(pattern(64, 48, 1), "png"), "a.png"));
        images.put("jpeg", decode(encode(pattern(50, 70, 2), "jpeg"), "b.jpg"));
        images.put("webp", decode(resource("gradient-lossy.webp"), "gradient-lossy.webp"));
        return images;
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void everyImageFormatGivesAVerdictThatParsesWithThePolicysCategories(TinyModelFlavor flavor) throws Exception {
        LlamaCppModel model = MODELS.get(flavor);
        int textTokens = model.promptTextTokens(POLICY.render());
        assertThat(textTokens).as("the full default policy is ~1.1-1.4k tokens").isBetween(900, 1700);
        for (Map.Entry<String, DecodedImage> e : formats().entrySet()) {
            // the authors' serving settings: temperature 0.2, top_p 0.95, top_k 50, up to 500 tokens
            ModelOutput out = model.evaluate(request(e.getValue(), FULL_VERDICT, GenerationOptions.DEFAULT));
            assertValidVerdict(out.text(), false);
            int imageTokens = out.promptTokens() - textTokens;
            assertThat(imageTokens)
                    .as("%s image tokens", e.getKey())
                    .isBetween(4, Integer.parseInt(model.info().metadata().get("image.maxTokens")));
            assertThat(out.generatedTokens()).isPositive();
            assertThat(out.encodeMillis()).isGreaterThanOrEqualTo(0);
            assertThat(out.prefillMillis()).isGreaterThan(0);
            assertThat(out.decodeMillis()).isGreaterThan(0);
        }
    }

    @Test
    void anyresProjectorTilesLargeImages() throws Exception {
        // qwen2-siglip has pinpoints up to 2x2 tiles of 28 px (2x2 patches each). The reference layout: the base
        // tile's 4 tokens, then the unpadded feature grid with one newline per row.
        LlamaCppModel model = MODELS.get(TinyModelFlavor.QWEN2_SIGLIP);
        int textTokens = model.promptTextTokens(POLICY.render());
        ModelOutput small =
                model.evaluate(request(decode(encode(pattern(20, 20, 3), "png"), "s.png"), VERDICT_ONLY, greedy(4)));
        ModelOutput large =
                model.evaluate(request(decode(encode(pattern(120, 120, 3), "png"), "l.png"), VERDICT_ONLY, greedy(4)));
        assertThat(small.promptTokens() - textTokens)
                .as("4 base + 2x2 grid + 2 newlines")
                .isEqualTo(10);
        assertThat(large.promptTokens() - textTokens)
                .as("4 base + 4x4 grid + 4 newlines")
                .isEqualTo(24)
                .isEqualTo(model.maxImageTokens());
        assertThat(model.info().metadata())
                .containsEntry("image.pipeline", "REFERENCE")
                .containsEntry("image.maxTokens", "24");
    }

    @Test
    void libmtmdPipelineTilesLargeImagesItsOwnWay() throws Exception {
        // ImagePipeline.LLAMA_CPP, as llama-mtmd-cli: no tiles for an image that fits one tile (4 tokens), else
        // every tile of the best pinpoint then the overview, no newlines: (2x2 + 1) x 4 = 20 tokens
        try (LlamaCppModel model = LlamaCppModel.open(config(PAIRS.get(TinyModelFlavor.QWEN2_SIGLIP))
                .imagePipeline(ImagePipeline.LLAMA_CPP)
                .build())) {
            int textTokens = model.promptTextTokens(POLICY.render());
            ModelOutput small = model.evaluate(request(
                    decode(encode(pattern(20, 20, 3), "png"), "s.png"), VERDICT_ONLY, greedy(4)));
            ModelOutput large = model.evaluate(request(
                    decode(encode(pattern(120, 120, 3), "png"), "l.png"), VERDICT_ONLY, greedy(4)));
            assertThat(small.promptTokens() - textTokens).isEqualTo(4);
            assertThat(large.promptTokens() - textTokens).isEqualTo(20).isEqualTo(model.maxImageTokens());
            assertThat(model.info().metadata()).containsEntry("image.pipeline", "LLAMA_CPP");
        }
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void greedyDecodingGivesTheSameTextEveryTime(TinyModelFlavor flavor) throws Exception {
        LlamaCppModel model = MODELS.get(flavor);
        DecodedImage image = decode(encode(pattern(40, 30, 5), "png"), "g.png");
        ModelOutput first = model.evaluate(request(image, VERDICT_ONLY, greedy(100)));
        assertValidVerdict(first.text(), true);
        for (int i = 0; i < 3; i++) {
            ModelOutput again = model.evaluate(request(image, VERDICT_ONLY, greedy(100)));
            assertThat(again.text()).isEqualTo(first.text());
            assertThat(again.probabilityUnsafe()).isEqualTo(first.probabilityUnsafe());
            assertThat(again.promptTokens()).isEqualTo(first.promptTokens());
        }
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void seededSamplingIsReproducible(TinyModelFlavor flavor) throws Exception {
        LlamaCppModel model = MODELS.get(flavor);
        DecodedImage image = decode(encode(pattern(40, 30, 6), "jpeg"), "s.jpg");
        GenerationOptions opts = new GenerationOptions(1.0, 0.95, 50, 40, 77, false, false, Duration.ZERO);
        String a = model.evaluate(request(image, FULL_VERDICT, opts)).text();
        String b = model.evaluate(request(image, FULL_VERDICT, opts)).text();
        assertThat(b).isEqualTo(a);
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void verdictOnlyGrammarStopsAfterTheCategory(TinyModelFlavor flavor) throws Exception {
        LlamaCppModel model = MODELS.get(flavor);
        assertThat(model.supportsVerdictOnly()).isTrue();
        DecodedImage image = decode(encode(pattern(30, 30, 7), "png"), "v.png");
        ModelOutput out =
                model.evaluate(request(image, VERDICT_ONLY, greedy(500).withVerdictOnly(true)));
        JsonNode verdict = assertValidVerdict(out.text(), true);
        assertThat(verdict.has("rationale")).isFalse();
        assertThat(out.text()).endsWith("}");
        assertThat(out.generatedTokens()).isLessThan(120);
    }

    @Test
    void probabilityUnsafeIsReadAtTheRatingPosition() throws Exception {
        LlamaCppModel model = MODELS.get(TinyModelFlavor.LLAMA_CLIP);
        ModelOutput out =
                model.evaluate(request(decode(encode(pattern(32, 32, 8), "png"), "p.png"), VERDICT_ONLY, greedy(100)));
        assertThat(out.probabilityUnsafe()).isPresent();
        assertThat(out.probabilityUnsafe().getAsDouble()).isBetween(0.0, 1.0);
        assertValidVerdict(out.text(), true);
        // computed from the logits at that position: the same for the same image, different for another
        ModelOutput again =
                model.evaluate(request(decode(encode(pattern(32, 32, 8), "png"), "p.png"), VERDICT_ONLY, greedy(100)));
        assertThat(again.probabilityUnsafe()).isEqualTo(out.probabilityUnsafe());
        ModelOutput other =
                model.evaluate(request(decode(encode(pattern(90, 20, 99), "png"), "q.png"), VERDICT_ONLY, greedy(100)));
        assertThat(other.probabilityUnsafe()).isPresent().isNotEqualTo(out.probabilityUnsafe());
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void withoutGrammarGenerationStopsAtMaxNewTokens(TinyModelFlavor flavor) throws Exception {
        ModelOutput out = MODELS.get(flavor)
                .evaluate(request(decode(encode(pattern(30, 20, 9), "png"), "n.png"), FREE_TEXT, greedy(6)));
        assertThat(out.generatedTokens()).isBetween(1, 6);
        assertThat(out.probabilityUnsafe()).isEmpty();
    }

    @Test
    void cancellationBeforeAndDuringGenerationLeavesTheModelUsable() throws Exception {
        LlamaCppModel model = MODELS.get(TinyModelFlavor.LLAMA_CLIP);
        DecodedImage image = decode(encode(pattern(36, 36, 11), "png"), "c.png");
        String reference =
                model.evaluate(request(image, FULL_VERDICT, greedy(60))).text();

        assertThatThrownBy(() -> model.evaluate(request(image, FULL_VERDICT, greedy(60), () -> true)))
                .isInstanceOf(CancellationException.class);

        AtomicInteger polls = new AtomicInteger();
        assertThatThrownBy(() ->
                        model.evaluate(request(image, FULL_VERDICT, greedy(60), () -> polls.incrementAndGet() > 12)))
                .isInstanceOf(CancellationException.class);
        assertThat(polls.get()).isGreaterThan(12);

        // the context was reset: the same request gives the same answer as before
        assertThat(model.evaluate(request(image, FULL_VERDICT, greedy(60))).text())
                .isEqualTo(reference);
    }

    @Test
    void aTimeoutIsATransientModelExceptionAndTheModelStaysUsable() throws Exception {
        // through the SPI only: the deadline reaches the backend as GenerationOptions.timeout
        SafetyModel model = MODELS.get(TinyModelFlavor.QWEN2_SIGLIP);
        DecodedImage image = decode(encode(pattern(36, 36, 12), "png"), "t.png");
        String reference =
                model.evaluate(request(image, FULL_VERDICT, greedy(60))).text();

        // 1 ns has always passed by the backend's first check
        assertTimedOut(
                () -> model.evaluate(request(image, FULL_VERDICT, greedy(60).withTimeout(Duration.ofNanos(1)))));

        // A deadline that passes during the evaluation: one poll of the cancel flag (on the evaluating thread)
        // stalls until the deadline is behind us, so the check it belongs to, and every later one, must see the
        // deadline as passed however fast the machine. The stall is put at the middle of a normal run's polls,
        // i.e. while it works (a machine slow enough to pass the deadline before that times out there instead).
        Thread caller = Thread.currentThread();
        AtomicInteger normalPolls = new AtomicInteger();
        model.evaluate(request(image, FULL_VERDICT, greedy(60), () -> {
            if (Thread.currentThread() == caller) {
                normalPolls.incrementAndGet();
            }
            return false;
        }));
        int stallAt = Math.max(1, normalPolls.get() / 2);
        Duration timeout = Duration.ofSeconds(2);
        AtomicInteger polls = new AtomicInteger();
        long start = System.nanoTime();
        assertTimedOut(() ->
                model.evaluate(request(image, FULL_VERDICT, greedy(60).withTimeout(timeout), () -> {
                    if (Thread.currentThread() == caller) {
                        int n = polls.incrementAndGet();
                        if (n == stallAt) {
                            sleepUntil(start + timeout.toNanos() + 20_000_000L);
                        }
                    }
                    return false;
                })));
        assertThat(normalPolls.get()).as("polls of a normal run").isGreaterThan(2);

        // a deadline far away changes nothing, and a timed-out run left the context clean
        assertThat(model.evaluate(request(image, FULL_VERDICT, greedy(60).withTimeout(Duration.ofMinutes(10))))
                        .text())
                .isEqualTo(reference);
        assertThat(model.evaluate(request(image, FULL_VERDICT, greedy(60))).text())
                .isEqualTo(reference);
    }

    private static void assertTimedOut(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("timed out")
                .satisfies(e -> assertThat(((ModelException) e).isTransient())
                        .as("a timeout is transient")
                        .isTrue());
    }

    private static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            try {
                Thread.sleep(left / 1_000_000L + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    void anInterruptedThreadCancels() throws Exception {
        LlamaCppModel model = MODELS.get(TinyModelFlavor.LLAMA_CLIP);
        DecodedImage image = decode(encode(pattern(20, 20, 13), "png"), "i.png");
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> model.evaluate(request(image, FULL_VERDICT, greedy(50))))
                    .isInstanceOf(CancellationException.class);
        } finally {
            Thread.interrupted();
        }
        assertValidVerdict(
                model.evaluate(request(image, VERDICT_ONLY, greedy(100))).text(), true);
    }

    @Test
    void modelInfoIdentifiesTheFilesNotTheirNames() throws Exception {
        LlamaCppModel llama = MODELS.get(TinyModelFlavor.LLAMA_CLIP);
        LlamaCppModel qwen = MODELS.get(TinyModelFlavor.QWEN2_SIGLIP);
        assertThat(llama.info().id())
                .matches("[0-9a-f]{64}")
                .isNotEqualTo(qwen.info().id());
        assertThat(llama.info().metadata())
                .containsEntry("architecture", "llama")
                .containsEntry("promptLayout", "VICUNA_V1")
                .containsEntry("llavaguard.version", "v1.1")
                .containsEntry("llama.cpp.commit", "80fb11ac73e66d89eae2c6a91d8a77428fa733ed")
                .containsKeys("contextSize", "image.maxTokens", "defaultPolicyTokens", "model.file");
        assertThat(qwen.info().metadata())
                .containsEntry("architecture", "qwen2")
                .containsEntry("promptLayout", "CHATML");
        assertThat(qwen.promptLayout()).isEqualTo(PromptLayout.CHATML);

        // a copy under another name is the same model; a fixed seed or another layout is not
        Path copy = dir.resolve("copy");
        java.nio.file.Files.createDirectories(copy);
        TinyModelPair p = PAIRS.get(TinyModelFlavor.LLAMA_CLIP);
        Path m = java.nio.file.Files.copy(p.model(), copy.resolve("renamed.gguf"));
        Path mm = java.nio.file.Files.copy(p.mmproj(), copy.resolve("renamed-mmproj.gguf"));
        try (LlamaCppModel again = LlamaCppModel.open(
                        LlamaCppConfig.builder(m, mm).threads(1).warmup(false).build());
                LlamaCppModel seeded = LlamaCppModel.open(config(p).seed(9).build());
                LlamaCppModel chatml = LlamaCppModel.open(
                        config(p).promptLayout(PromptLayout.CHATML).build())) {
            assertThat(again.info().id()).isEqualTo(llama.info().id());
            assertThat(seeded.info().id()).isNotEqualTo(llama.info().id());
            assertThat(chatml.info().id()).isNotEqualTo(llama.info().id());
            assertThat(chatml.promptLayout()).isEqualTo(PromptLayout.CHATML);
            assertThat(chatml.info().metadata()).containsEntry("promptLayout", "CHATML");
        }
    }

    @Test
    void aContextTooSmallForTheImageAndPolicyFailsWithAnActionableMessage() {
        TinyModelPair p = PAIRS.get(TinyModelFlavor.LLAMA_CLIP);
        assertThatThrownBy(() -> LlamaCppModel.open(config(p).contextSize(512).build()))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("context size 512 is too small")
                .hasMessageContaining("default policy prompt")
                .hasMessageContaining("contextSize(");
        assertThatThrownBy(() -> LlamaCppModel.open(config(p).contextSize(8).build()))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("too small");
    }

    @Test
    void aPolicyTooLongForTheContextFailsPerRequest() throws Exception {
        LlamaCppModel model = MODELS.get(TinyModelFlavor.LLAMA_CLIP);
        DecodedImage image = decode(encode(pattern(20, 20, 14), "png"), "l.png");
        String longPolicy = POLICY.render().repeat(3);
        assertThatThrownBy(() -> model.evaluate(request(image, longPolicy, FULL_VERDICT, greedy(10), null)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("the prompt needs")
                .hasMessageContaining("larger context size");
        assertValidVerdict(
                model.evaluate(request(image, VERDICT_ONLY, greedy(100))).text(), true);
    }
}
