package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.safetyguard.core.image.ImageDecodingException;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FailureModeTest {

    private static final GenerationOptions QUICK_TIMEOUT =
            GenerationOptions.DEFAULT.withTimeout(Duration.ofMillis(200));

    private static SafetyGuard guard(FakeSafetyModel model, FailureMode mode) {
        return guard(model, mode, GenerationOptions.DEFAULT);
    }

    private static SafetyGuard guard(FakeSafetyModel model, FailureMode mode, GenerationOptions options) {
        return SafetyGuard.builder()
                .model(model)
                .failureMode(mode)
                .generationOptions(options)
                .build();
    }

    private static ImageInput image() {
        return ImageInput.ofBytes(TestImages.pngOfColour(0x5A5A5A), "cat.png");
    }

    // ---- model exception ------------------------------------------------------------------

    @Test
    void failClosedIsTheDefaultAndRatesModelErrorsUnsafe() {
        FakeSafetyModel model = new FakeSafetyModel().failingWith(new ModelException("GPU out of memory"));
        try (SafetyGuard guard = SafetyGuard.builder().model(model).build()) {
            assertThat(guard.failureMode()).isEqualTo(FailureMode.FAIL_CLOSED);
            Verdict v = guard.assess(image());
            assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
            assertThat(v.isUnsafe()).isTrue();
            assertThat(v.source()).isEqualTo(VerdictSource.FAILURE);
            assertThat(v.isFailure()).isTrue();
            assertThat(v.failureKind()).contains(FailureKind.MODEL_ERROR);
            assertThat(v.failureReason()).contains("cat.png: the model failed: GPU out of memory");
            assertThat(v.category()).isEmpty();
            assertThat(v.imageDigest()).isPresent();
            assertThat(v.modelId()).isEqualTo("fake-model");
        }
    }

    @Test
    void failOpenRatesModelErrorsSafe() {
        FakeSafetyModel model = new FakeSafetyModel().failingWith(new ModelException("GPU out of memory"));
        try (SafetyGuard guard = guard(model, FailureMode.FAIL_OPEN)) {
            Verdict v = guard.assess(image());
            assertThat(v.rating()).isEqualTo(Rating.SAFE);
            assertThat(v.source()).isEqualTo(VerdictSource.FAILURE);
            assertThat(v.failureReason()).hasValueSatisfying(r -> assertThat(r).contains("GPU out of memory"));
        }
    }

    @Test
    void throwModeThrowsOnModelErrors() {
        ModelException cause = new ModelException("GPU out of memory");
        FakeSafetyModel model = new FakeSafetyModel().failingWith(cause);
        try (SafetyGuard guard = guard(model, FailureMode.THROW)) {
            SafetyGuardException e = catchThrowableOfType(SafetyGuardException.class, () -> guard.assess(image()));
            assertThat(e.kind()).isEqualTo(FailureKind.MODEL_ERROR);
            assertThat(e.getMessage()).isEqualTo("cat.png: the model failed: GPU out of memory");
            assertThat(e.getCause()).isSameAs(cause);
        }
    }

    @Test
    void unexpectedRuntimeExceptionsAndNullOutputsAreModelErrors() {
        FakeSafetyModel throwing = new FakeSafetyModel().behaving((r, i) -> {
            throw new IllegalArgumentException("bad tensor shape");
        });
        try (SafetyGuard guard = guard(throwing, FailureMode.FAIL_CLOSED)) {
            Verdict v = guard.assess(image());
            assertThat(v.failureKind()).contains(FailureKind.MODEL_ERROR);
            assertThat(v.failureReason()).hasValueSatisfying(r -> assertThat(r).contains("bad tensor shape"));
        }
        FakeSafetyModel nothing = new FakeSafetyModel().behaving((r, i) -> null);
        try (SafetyGuard guard = guard(nothing, FailureMode.FAIL_CLOSED)) {
            assertThat(guard.assess(image()).failureReason()).contains("cat.png: the model returned no output");
        }
    }

    // ---- garbage output -------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(
            value = FailureMode.class,
            names = {"FAIL_CLOSED", "FAIL_OPEN"})
    void garbageOutputIsAFailureWithTheRawTextKept(FailureMode mode) {
        FakeSafetyModel model = new FakeSafetyModel().answering("I cannot help with that.");
        try (SafetyGuard guard = guard(model, mode)) {
            Verdict v = guard.assess(image());
            assertThat(v.rating()).isEqualTo(mode == FailureMode.FAIL_OPEN ? Rating.SAFE : Rating.UNSAFE);
            assertThat(v.failureKind()).contains(FailureKind.UNPARSEABLE_OUTPUT);
            assertThat(v.failureReason())
                    .hasValueSatisfying(r ->
                            assertThat(r).startsWith("cat.png: the model's answer is not a verdict: no JSON object"));
            assertThat(v.rawText()).contains("I cannot help with that.");
        }
    }

    @Test
    void garbageOutputThrowsInThrowMode() {
        FakeSafetyModel model =
                new FakeSafetyModel().answering("{\"rating\": \"Unsafe\", \"category\": \"O99: Nope\"}");
        try (SafetyGuard guard = guard(model, FailureMode.THROW)) {
            SafetyGuardException e = catchThrowableOfType(SafetyGuardException.class, () -> guard.assess(image()));
            assertThat(e.kind()).isEqualTo(FailureKind.UNPARSEABLE_OUTPUT);
            assertThat(e.getMessage()).contains("unknown category \"O99: Nope\"");
        }
    }

    @Test
    void hugeOutputIsCappedInTheVerdict() {
        FakeSafetyModel model = new FakeSafetyModel().answering("z".repeat(1_000_000));
        try (SafetyGuard guard = guard(model, FailureMode.FAIL_CLOSED)) {
            Verdict v = guard.assess(image());
            assertThat(v.failureKind()).contains(FailureKind.UNPARSEABLE_OUTPUT);
            assertThat(v.rawText())
                    .hasValueSatisfying(t -> assertThat(t.length()).isLessThan(Assessor.MAX_RAW_TEXT_CHARS + 100));
        }
    }

    // ---- timeout --------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(
            value = FailureMode.class,
            names = {"FAIL_CLOSED", "FAIL_OPEN"})
    @Timeout(10)
    void timeoutIsEnforcedAndTheModelIsToldToStop(FailureMode mode) throws Exception {
        FakeSafetyModel model = new FakeSafetyModel().withLatency(Duration.ofSeconds(30));
        try (SafetyGuard guard = guard(model, mode, QUICK_TIMEOUT)) {
            long start = System.nanoTime();
            Verdict v = guard.assess(image());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).isBetween(150L, 3_000L);
            assertThat(v.rating()).isEqualTo(mode == FailureMode.FAIL_OPEN ? Rating.SAFE : Rating.UNSAFE);
            assertThat(v.failureKind()).contains(FailureKind.TIMEOUT);
            assertThat(v.failureReason())
                    .contains(
                            "cat.png: no verdict within 200 ms (GenerationOptions.timeout); the model was asked to stop");
            assertThat(model.requests().get(0).cancelled().getAsBoolean())
                    .as("cancel flag seen by the backend")
                    .isTrue();
            waitFor(() -> model.inFlight() == 0);
            assertThat(model.cancellationsSeen() + model.interrupts()).isPositive();
        }
    }

    @Test
    @Timeout(10)
    void timeoutThrowsInThrowMode() {
        FakeSafetyModel model = new FakeSafetyModel().withLatency(Duration.ofSeconds(30));
        try (SafetyGuard guard = guard(model, FailureMode.THROW, QUICK_TIMEOUT)) {
            SafetyGuardException e = catchThrowableOfType(SafetyGuardException.class, () -> guard.assess(image()));
            assertThat(e.kind()).isEqualTo(FailureKind.TIMEOUT);
        }
    }

    @Test
    @Timeout(10)
    void timeoutHoldsEvenWhenTheBackendIgnoresCancellation() {
        FakeSafetyModel model =
                new FakeSafetyModel().withLatency(Duration.ofSeconds(2)).ignoringCancellation();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .generationOptions(QUICK_TIMEOUT)
                .closeTimeout(Duration.ofSeconds(5))
                .build()) {
            long start = System.nanoTime();
            Verdict v = guard.assess(image());
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_500L);
            assertThat(v.failureKind()).contains(FailureKind.TIMEOUT);
        }
    }

    @Test
    @Timeout(10)
    void aWaiterSharesTheLoadersTimeoutFailure() throws Exception {
        FakeSafetyModel model = new FakeSafetyModel().withLatency(Duration.ofSeconds(30));
        try (SafetyGuard guard = guard(model, FailureMode.FAIL_CLOSED, QUICK_TIMEOUT)) {
            ImageInput img = image();
            var first = guard.assessAsync(img);
            assertThat(model.awaitCalls(1, Duration.ofSeconds(5))).isTrue();
            var second = guard.assessAsync(img);
            assertThat(first.get().failureKind()).contains(FailureKind.TIMEOUT);
            assertThat(second.get().failureKind()).contains(FailureKind.TIMEOUT);
            assertThat(model.calls()).isEqualTo(1);
        }
    }

    @Test
    @Timeout(10)
    void aCallForAnImageInProgressWaitsForThatVerdict() throws Exception {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        FakeSafetyModel model = new FakeSafetyModel().blockedBy(gate);
        try (SafetyGuard noTimeout = SafetyGuard.builder().model(model).build()) {
            ImageInput img = image();
            var first = noTimeout.assessAsync(img);
            assertThat(model.awaitCalls(1, Duration.ofSeconds(5))).isTrue();
            var second = noTimeout.assessAsync(img);
            Thread.sleep(100);
            assertThat(second).isNotDone();
            gate.countDown();
            assertThat(first.get().source()).isEqualTo(VerdictSource.MODEL);
            assertThat(second.get().source()).isEqualTo(VerdictSource.CACHE);
            assertThat(model.calls()).isEqualTo(1);
        }
    }

    // ---- image errors ---------------------------------------------------------------------

    @Test
    void undecodableImageIsUnsafeUnderFailClosedWithoutCallingTheModel() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = guard(model, FailureMode.FAIL_CLOSED)) {
            Verdict v = guard.assess(ImageInput.ofBytes(new byte[0], "empty.png"));
            assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
            assertThat(v.failureKind()).contains(FailureKind.IMAGE_REJECTED);
            assertThat(v.failureReason()).contains("empty.png: empty input (0 bytes), not an image");
            Verdict bomb = guard.assess(ImageInput.ofBytes(TestImages.pngHeaderOnly(100_000, 100_000), "bomb.png"));
            assertThat(bomb.failureReason())
                    .hasValueSatisfying(r -> assertThat(r).startsWith("bomb.png: image is 100000x100000"));
            assertThat(bomb.imageDigest())
                    .as("the bytes were read, so they have a digest")
                    .isPresent();
            assertThat(model.calls()).isZero();
        }
    }

    @Test
    void undecodableImageIsSafeUnderFailOpen() {
        try (SafetyGuard guard = guard(new FakeSafetyModel(), FailureMode.FAIL_OPEN)) {
            Verdict v = guard.assess(ImageInput.ofBytes("hello".getBytes(), "note.png"));
            assertThat(v.rating()).isEqualTo(Rating.SAFE);
            assertThat(v.failureKind()).contains(FailureKind.IMAGE_REJECTED);
        }
    }

    @Test
    void undecodableImageThrowsWithTheDecodingErrorAsCauseInThrowMode() {
        try (SafetyGuard guard = guard(new FakeSafetyModel(), FailureMode.THROW)) {
            SafetyGuardException e = catchThrowableOfType(
                    SafetyGuardException.class,
                    () -> guard.assess(ImageInput.ofBytes(new byte[] {'I', 'I', 42, 0}, "scan.tiff")));
            assertThat(e.kind()).isEqualTo(FailureKind.IMAGE_REJECTED);
            assertThat(e.getMessage())
                    .isEqualTo(
                            "scan.tiff: unsupported image format (detected TIFF); supported: PNG, JPEG, GIF, BMP, WebP");
            assertThat(e.getCause()).isInstanceOf(ImageDecodingException.class);
            assertThat(((ImageDecodingException) e.getCause()).problem())
                    .isEqualTo(ImageDecodingException.Problem.UNSUPPORTED_FORMAT);
        }
    }

    @Test
    void oversizedInputUnderTheGuardsLimitsIsRejected() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .imageLimits(ImageLimits.DEFAULT.withMaxBytes(500))
                .build()) {
            byte[] png = TestImages.png(TestImages.gradient(64, 64));
            Verdict v = guard.assess(ImageInput.ofBytes(png, "large.png"));
            assertThat(v.failureKind()).contains(FailureKind.IMAGE_REJECTED);
            assertThat(v.failureReason()).hasValueSatisfying(r -> assertThat(r).contains("large.png: input too large"));
            assertThat(v.imageDigest()).as("rejected before hashing").isEmpty();
            assertThat(model.calls()).isZero();
        }
    }

    // ---- other outcomes -------------------------------------------------------------------

    @Test
    void aBackendCancellationIsReportedAsCancelled() {
        FakeSafetyModel model = new FakeSafetyModel().behaving((r, i) -> {
            throw new CancellationException("stopped by the backend");
        });
        try (SafetyGuard guard = guard(model, FailureMode.FAIL_CLOSED)) {
            assertThat(guard.assess(image()).failureKind()).contains(FailureKind.CANCELLED);
        }
    }

    @Test
    void probabilityIsPassedThroughWhenValid() {
        FakeSafetyModel model = new FakeSafetyModel()
                .behaving((r, i) -> new ModelOutput(
                        FakeSafetyModel.UNSAFE_O3, OptionalDouble.of(i == 0 ? 0.93 : Double.NaN), 10, 20, 1, 2, 3));
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).cache(CacheConfig.disabled()).build()) {
            assertThat(guard.assess(image()).probabilityUnsafe()).hasValue(0.93);
            assertThat(guard.assess(image()).probabilityUnsafe()).isEmpty();
        }
    }

    @Test
    void requestCarriesPromptPolicyOptionsAndPixels() {
        FakeSafetyModel model = new FakeSafetyModel();
        GenerationOptions options = GenerationOptions.DEFAULT.withVerdictOnly(true);
        try (SafetyGuard guard = guard(model, FailureMode.FAIL_CLOSED, options)) {
            guard.assess(ImageInput.ofImage(TestImages.solid(3, 2, 0x112233)));
            var request = model.requests().get(0);
            assertThat(request.policyPrompt()).isEqualTo(guard.defaultPolicy().render());
            // the backend derives its constraint (grammar, schema) from the policy itself
            assertThat(request.policy()).isSameAs(guard.defaultPolicy());
            assertThat(request.constrained()).isTrue();
            assertThat(request.options()).isEqualTo(options);
            assertThat(request.image().width()).isEqualTo(3);
            assertThat(request.image().rgb()).startsWith((byte) 0x11, (byte) 0x22, (byte) 0x33);
            assertThat(request.cancelled().getAsBoolean()).isFalse();
        }
    }

    @Test
    void verdictJsonHasTheFields() throws Exception {
        FakeSafetyModel model = new FakeSafetyModel().answering(FakeSafetyModel.UNSAFE_O3);
        try (SafetyGuard guard = guard(model, FailureMode.FAIL_CLOSED)) {
            Verdict v = guard.assess(image());
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(v.toJson());
            assertThat(json.get("rating").asText()).isEqualTo("Unsafe");
            assertThat(json.get("category").asText()).isEqualTo("O3: Sexual Content");
            assertThat(json.get("categoryId").asText()).isEqualTo("O3");
            assertThat(json.get("source").asText()).isEqualTo("MODEL");
            assertThat(json.get("imageDigest").asText()).hasSize(64);
            assertThat(json.has("failureReason")).isFalse();
            assertThat(v.categoryId()).contains("O3");
            assertThat(v.toString()).contains("Unsafe", "O3: Sexual Content", "MODEL");
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(5);
        }
    }
}
