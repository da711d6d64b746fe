package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.POLICY;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static io.safetyguard.llamacpp.TestSupport.resource;
import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.FailureMode;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The whole path a host uses: SafetyGuard + LlamaCppModel on both tiny model pairs. */
class SafetyGuardIntegrationIT {

    @TempDir
    static Path dir;

    private static final Map<TinyModelFlavor, LlamaCppModel> MODELS = new EnumMap<>(TinyModelFlavor.class);

    @BeforeAll
    static void open() throws ModelException {
        for (TinyModelFlavor f : TinyModelFlavor.values()) {
            MODELS.put(
                    f,
                    LlamaCppModel.open(config(TestSupport.generate(f, dir))
                            .parallelContexts(2)
                            .build()));
        }
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(LlamaCppModel::close);
    }

    private static SafetyGuard guard(TinyModelFlavor f, GenerationOptions options, CacheConfig cache) {
        return SafetyGuard.builder()
                .model(MODELS.get(f))
                .ownsModel(false)
                .generationOptions(options)
                .cache(cache)
                .failureMode(FailureMode.THROW)
                .parallelism(2)
                .build();
    }

    private static List<ImageInput> inputs() {
        List<ImageInput> in = new ArrayList<>();
        in.add(ImageInput.ofBytes(encode(pattern(64, 48, 21), "png"), "guard.png"));
        in.add(ImageInput.ofBytes(encode(pattern(48, 64, 22), "jpeg"), "guard.jpg"));
        in.add(ImageInput.ofBytes(resource("gradient-lossy.webp"), "gradient-lossy.webp"));
        in.add(ImageInput.ofBytes(resource("pattern-lossless.webp"), "pattern-lossless.webp"));
        in.add(ImageInput.ofImage(pattern(30, 30, 23), "buffered"));
        return in;
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void pngJpegAndWebpGetModelVerdictsInThePolicysTerms(TinyModelFlavor flavor) {
        try (SafetyGuard guard = guard(flavor, GenerationOptions.DEFAULT, CacheConfig.disabled())) {
            for (ImageInput input : inputs()) {
                Verdict v = guard.assess(input);
                assertThat(v.source()).as("%s: %s", input, v).isEqualTo(VerdictSource.MODEL);
                assertThat(v.isFailure()).isFalse();
                assertThat(v.categoryLabel()).isPresent();
                assertThat(POLICY.categoryLabels()).contains(v.categoryLabel().get());
                assertThat(v.category())
                        .isEqualTo(POLICY.categoryForLabel(v.categoryLabel().get()));
                assertThat(v.rationale()).isPresent();
                assertThat(v.modelId()).isEqualTo(MODELS.get(flavor).info().id());
                assertThat(v.policyFingerprint()).isEqualTo(POLICY.fingerprint());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TinyModelFlavor.class)
    void greedyVerdictsAreTheSameEveryTime(TinyModelFlavor flavor) {
        GenerationOptions greedy = GenerationOptions.DEFAULT.withGreedy(true);
        try (SafetyGuard guard = guard(flavor, greedy, CacheConfig.disabled())) {
            ImageInput input = ImageInput.ofBytes(encode(pattern(50, 40, 24), "png"), "same.png");
            Verdict first = guard.assess(input);
            assertThat(first.source()).isEqualTo(VerdictSource.MODEL);
            assertThat(first.rationale()).isPresent();
            for (int i = 0; i < 1; i++) {
                Verdict again = guard.assess(input);
                assertThat(again.source()).isEqualTo(VerdictSource.MODEL);
                assertThat(again.rawText()).isEqualTo(first.rawText());
                assertThat(again.rating()).isEqualTo(first.rating());
                assertThat(again.categoryLabel()).isEqualTo(first.categoryLabel());
                assertThat(again.probabilityUnsafe()).isEqualTo(first.probabilityUnsafe());
            }
        }
    }

    @Test
    void verdictOnlyBatchAndCacheWorkThroughTheGuard() {
        GenerationOptions fast = GenerationOptions.DEFAULT.withGreedy(true).withVerdictOnly(true);
        try (SafetyGuard guard = guard(TinyModelFlavor.LLAMA_CLIP, fast, CacheConfig.defaults())) {
            List<Verdict> first = guard.assessAll(inputs());
            assertThat(first).allSatisfy(v -> {
                assertThat(v.source()).isEqualTo(VerdictSource.MODEL);
                assertThat(v.rationale()).isEmpty();
                assertThat(v.categoryLabel()).isPresent();
            });
            List<Verdict> second = guard.assessAll(inputs());
            assertThat(second).allSatisfy(v -> assertThat(v.source()).isEqualTo(VerdictSource.CACHE));
            for (int i = 0; i < first.size(); i++) {
                assertThat(second.get(i).rating()).isEqualTo(first.get(i).rating());
            }
        }
    }

    @Test
    void aTimeoutBecomesAFailClosedVerdictAndTheModelKeepsWorking() {
        GenerationOptions tooShort = GenerationOptions.DEFAULT.withTimeout(Duration.ofNanos(1));
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(MODELS.get(TinyModelFlavor.LLAMA_CLIP))
                .generationOptions(tooShort)
                .cache(CacheConfig.disabled())
                .build()) {
            Verdict v = guard.assess(ImageInput.ofBytes(encode(pattern(20, 20, 25), "png"), "slow.png"));
            assertThat(v.isFailure()).isTrue();
            assertThat(v.isUnsafe()).isTrue();
        }
        try (SafetyGuard guard = guard(
                TinyModelFlavor.LLAMA_CLIP, GenerationOptions.DEFAULT.withVerdictOnly(true), CacheConfig.disabled())) {
            assertThat(guard.assess(ImageInput.ofBytes(encode(pattern(20, 20, 25), "png"), "ok.png"))
                            .source())
                    .isEqualTo(VerdictSource.MODEL);
        }
    }
}
