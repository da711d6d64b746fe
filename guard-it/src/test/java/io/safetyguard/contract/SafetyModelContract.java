package io.safetyguard.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.policy.Policy;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link SafetyModel} must do, whatever runs the model: subclasses open one backend (in-process
 * llama.cpp, a remote server, the test fake) and inherit these tests. What SafetyGuard relies on: a stable
 * identity; answers that follow the policy's verdict grammar, full or verdict-only; {@link ModelRequest#cancelled()}
 * honoured before and during a call (SafetyGuard delivers its deadlines that way) with the model usable after;
 * a closed model refusing with {@link IllegalStateException}; and concurrent calls each getting the answer for
 * their own image.
 *
 * <p>Every request is built by {@link #request}, so a change to {@link ModelRequest} is made in one place.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SafetyModelContract {

    protected static final Policy POLICY = Policy.llavaGuardDefault();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ImageDecoder DECODER = new ImageDecoder(ImageLimits.DEFAULT);
    /** Greedy, so the same request gets the same answer and answers can be compared across calls. */
    protected static final GenerationOptions FULL = GenerationOptions.DEFAULT.withGreedy(true);

    protected static final GenerationOptions VERDICT_ONLY = FULL.withVerdictOnly(true);

    private SafetyModel model;

    /** Opens a new instance of the backend under test. Called once for the shared model, and again by tests that close one. */
    protected abstract SafetyModel openModel() throws Exception;

    /**
     * Whether the backend enforces {@link GenerationOptions#timeout()} itself. Backends that do not leave deadlines
     * to SafetyGuard, which turns them into {@link ModelRequest#cancelled()}.
     */
    protected boolean enforcesOptionsTimeout() {
        return false;
    }

    /** The one place requests are built: the default policy; each backend derives its own constraint from it. */
    protected static ModelRequest request(DecodedImage image, GenerationOptions options, BooleanSupplier cancelled) {
        return ModelRequest.of(image, POLICY, options, cancelled);
    }

    protected static ModelRequest request(DecodedImage image, GenerationOptions options) {
        return request(image, options, null);
    }

    @BeforeAll
    void openShared() throws Exception {
        model = openModel();
    }

    @AfterAll
    void closeShared() {
        if (model != null) {
            model.close();
        }
    }

    protected SafetyModel model() {
        return model;
    }

    @Test
    void infoIsStableAndDescribesTheModel() {
        ModelInfo info = model.info();
        assertThat(info.id()).isNotBlank();
        assertThat(info.displayName()).isNotBlank();
        assertThat(info.metadata()).isNotNull();
        assertThat(model.info()).as("the identity is part of every cache key").isEqualTo(info);
    }

    @Test
    void aFullAnswerFollowsThePolicysGrammar() throws Exception {
        ModelOutput out = model.evaluate(request(image(1), FULL));
        assertVerdict(out.text(), false);
        assertPlausibleNumbers(out);
    }

    @Test
    void aVerdictOnlyAnswerStopsAfterTheCategory() throws Exception {
        Assumptions.assumeTrue(model.supportsVerdictOnly(), "this backend does not support verdict-only answers");
        ModelOutput out = model.evaluate(request(image(2), VERDICT_ONLY));
        assertVerdict(out.text(), true);
        assertPlausibleNumbers(out);
    }

    @Test
    void theSameGreedyRequestGetsTheSameAnswer() throws Exception {
        DecodedImage image = image(3);
        String first = model.evaluate(request(image, VERDICT_ONLY)).text();
        assertThat(model.evaluate(request(image, VERDICT_ONLY)).text()).isEqualTo(first);
    }

    @Test
    void aRequestCancelledBeforeItStartsThrowsCancellationException() {
        assertThatThrownBy(() -> model.evaluate(request(image(4), FULL, () -> true)))
                .isInstanceOf(CancellationException.class);
    }

    @Test
    void aCancelDuringTheCallEndsItAndTheModelStaysUsable() throws Exception {
        DecodedImage image = image(5);
        String before = model.evaluate(request(image, VERDICT_ONLY)).text();
        // false at the first look, true from then on: the cancel arrives while the call runs
        AtomicInteger polls = new AtomicInteger();
        assertThatThrownBy(() -> model.evaluate(request(image, FULL, () -> polls.incrementAndGet() > 1)))
                .isInstanceOf(CancellationException.class);
        assertThat(polls.get()).as("cancelled() polled while the call ran").isGreaterThan(1);
        assertThat(model.evaluate(request(image, VERDICT_ONLY)).text())
                .as("the next call is unaffected")
                .isEqualTo(before);
    }

    @Test
    void aCancelFlagThatThrowsDoesNotLeaveTheModelBroken() throws Exception {
        DecodedImage image = image(6);
        String before = model.evaluate(request(image, VERDICT_ONLY)).text();
        try {
            model.evaluate(request(image, VERDICT_ONLY, () -> {
                throw new IllegalStateException("a caller's cancel flag failed");
            }));
        } catch (RuntimeException | ModelException e) {
            // ending the call is fine; what matters is the next one
        }
        assertThat(model.evaluate(request(image, VERDICT_ONLY)).text()).isEqualTo(before);
    }

    @Test
    void aDeadlineThatHasPassedIsATransientModelException() {
        Assumptions.assumeTrue(
                enforcesOptionsTimeout(),
                "this backend leaves deadlines to SafetyGuard, which "
                        + "delivers them through cancelled() (covered by the cancellation tests)");
        assertThatThrownBy(() -> model.evaluate(request(image(7), FULL.withTimeout(Duration.ofNanos(1)))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("timed out")
                .satisfies(e -> assertThat(((ModelException) e).isTransient()).isTrue());
    }

    @Test
    void aClosedModelRefusesWithAClearException() throws Exception {
        SafetyModel other = openModel();
        DecodedImage image = image(8);
        assertVerdict(other.evaluate(request(image, VERDICT_ONLY)).text(), true);
        other.close();
        assertThatCode(other::close).as("close is idempotent").doesNotThrowAnyException();
        assertThatThrownBy(() -> other.evaluate(request(image, VERDICT_ONLY)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        // closing one instance leaves the others working
        assertVerdict(model.evaluate(request(image, VERDICT_ONLY)).text(), true);
    }

    @Test
    void concurrentCallsEachGetTheAnswerForTheirOwnImage() throws Exception {
        int threads = 4;
        List<DecodedImage> images = List.of(image(10), image(11), image(12));
        List<String> expected = new ArrayList<>();
        for (DecodedImage image : images) {
            expected.add(model.evaluate(request(image, VERDICT_ONLY)).text());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    go.await();
                    List<String> mismatches = new ArrayList<>();
                    for (int i = 0; i < images.size(); i++) {
                        int k = (i + offset) % images.size();
                        String got = model.evaluate(request(images.get(k), VERDICT_ONLY))
                                .text();
                        if (!got.equals(expected.get(k))) {
                            mismatches.add("image " + k + ": " + got + " instead of " + expected.get(k));
                        }
                    }
                    return mismatches;
                }));
            }
            go.countDown();
            for (Future<List<String>> f : results) {
                assertThat(f.get(5, TimeUnit.MINUTES))
                        .as("answers that differ from the sequential ones")
                        .isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** Parses strictly: an object with the trained keys in order, a rating and one of the policy's categories. */
    protected static JsonNode assertVerdict(String text, boolean verdictOnly) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
        assertThat(node != null && node.isObject()).as("an object: %s", text).isTrue();
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        assertThat(keys)
                .as("keys in the trained order: %s", text)
                .containsExactlyElementsOf(
                        verdictOnly ? List.of("rating", "category") : List.of("rating", "category", "rationale"));
        assertThat(node.get("rating").asText()).isIn("Safe", "Unsafe");
        assertThat(node.get("category").asText()).isIn(POLICY.categoryLabels());
        if (!verdictOnly) {
            assertThat(node.get("rationale").isTextual()).isTrue();
        }
        return node;
    }

    private static void assertPlausibleNumbers(ModelOutput out) {
        assertThat(out.promptTokens()).as("prompt tokens, or -1").isNotZero().isGreaterThanOrEqualTo(-1);
        assertThat(out.generatedTokens())
                .as("generated tokens, or -1")
                .isNotZero()
                .isGreaterThanOrEqualTo(-1);
        if (out.probabilityUnsafe().isPresent()) {
            assertThat(out.probabilityUnsafe().getAsDouble()).isBetween(0.0, 1.0);
        }
    }

    /** A small PNG, different for every seed, decoded the way SafetyGuard decodes uploads. */
    protected static DecodedImage image(int seed) {
        int w = 24 + seed % 7;
        int h = 20 + seed % 5;
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                b.setRGB(
                        x,
                        y,
                        ((x * 7 + seed * 31) & 255) << 16 | ((y * 5 + seed * 17) & 255) << 8 | ((x * y + seed) & 255));
            }
        }
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(b, "png", png);
            return DECODER.decode(png.toByteArray(), "contract-" + seed + ".png");
        } catch (Exception e) {
            throw new IllegalStateException("cannot make test image " + seed, e);
        }
    }
}
