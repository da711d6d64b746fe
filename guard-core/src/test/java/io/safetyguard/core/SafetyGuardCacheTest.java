package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.policy.Policy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SafetyGuardCacheTest {

    private static final Policy V12 = Policy.llavaGuardDefault();
    private static final Policy V10 = Policy.preset("llavaguard-v1.0");

    private static SafetyGuard guard(FakeSafetyModel model) {
        return SafetyGuard.builder().model(model).build();
    }

    @Test
    void cacheHitReturnsWithoutCallingTheModel() {
        FakeSafetyModel model = new FakeSafetyModel().answering(FakeSafetyModel.UNSAFE_O3);
        try (SafetyGuard guard = guard(model)) {
            byte[] png = TestImages.pngOfColour(0x102030);
            Verdict first = guard.assess(ImageInput.ofBytes(png, "a.png"));
            Verdict second = guard.assess(ImageInput.ofBytes(png.clone(), "copy-of-a.png"));
            assertThat(model.calls()).isEqualTo(1);
            assertThat(first.source()).isEqualTo(VerdictSource.MODEL);
            assertThat(second.source()).isEqualTo(VerdictSource.CACHE);
            assertThat(second.rating()).isEqualTo(Rating.UNSAFE);
            assertThat(second.categoryLabel()).contains("O3: Sexual Content");
            assertThat(second.category()).isEqualTo(first.category()); // the policy's Category survives the cache
            assertThat(second.rationale()).isEqualTo(first.rationale());
            assertThat(second.imageDigest()).isEqualTo(first.imageDigest());
            assertThat(second.modelMillis()).isZero();
            CacheStats stats = guard.cacheStats();
            assertThat(stats.hitCount()).isEqualTo(1);
            assertThat(stats.missCount()).isEqualTo(1);
            assertThat(stats.loadSuccessCount()).isEqualTo(1);
            assertThat(stats.loadCount()).isEqualTo(1);
            assertThat(stats.size()).isEqualTo(1);
            assertThat(stats.hitRate()).isEqualTo(0.5);
        }
    }

    @Test
    void differentImagesAreDifferentEntries() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = guard(model)) {
            guard.assess(ImageInput.ofBytes(TestImages.pngOfColour(1)));
            guard.assess(ImageInput.ofBytes(TestImages.pngOfColour(2)));
            assertThat(model.calls()).isEqualTo(2);
        }
    }

    @Test
    void twoPoliciesNeverShareAnEntry() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = guard(model)) {
            ImageInput image = ImageInput.ofBytes(TestImages.pngOfColour(0xABCDEF));
            Verdict a = guard.assess(image, V12);
            Verdict b = guard.assess(image, V10);
            assertThat(model.calls()).isEqualTo(2);
            assertThat(a.policyFingerprint()).isEqualTo(V12.fingerprint());
            assertThat(b.policyFingerprint()).isEqualTo(V10.fingerprint()).isNotEqualTo(a.policyFingerprint());
            assertThat(model.requests().get(0).policyPrompt()).isEqualTo(V12.render());
            assertThat(model.requests().get(1).policyPrompt()).isEqualTo(V10.render());
            assertThat(guard.assess(image, V12).source()).isEqualTo(VerdictSource.CACHE);
            assertThat(guard.assess(image, V10).source()).isEqualTo(VerdictSource.CACHE);
            assertThat(model.calls()).isEqualTo(2);
        }
    }

    @Test
    void policyWithAnExceptionIsAnotherPolicy() {
        Policy allowWeapons = V12.toBuilder().allow("O6").build();
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = guard(model)) {
            ImageInput image = ImageInput.ofBytes(TestImages.pngOfColour(0x0F0F0F));
            guard.assess(image, V12);
            guard.assess(image, allowWeapons);
            assertThat(model.calls()).isEqualTo(2);
        }
    }

    @Test
    void keysDifferByModelIdAndGenerationSettingsButNotTimeout() {
        PolicyContext policy = PolicyContext.of(V12);
        GenerationOptions base = GenerationOptions.DEFAULT;
        CacheKey key = CacheKey.of("abc", policy, "model-a", base);
        assertThat(CacheKey.of("abc", policy, "model-b", base)).isNotEqualTo(key);
        assertThat(CacheKey.of("abc", policy, "model-a", base.withSeed(7))).isNotEqualTo(key);
        assertThat(CacheKey.of("abc", policy, "model-a", base.withVerdictOnly(true)))
                .isNotEqualTo(key);
        assertThat(CacheKey.of("abc", policy, "model-a", base.withMaxNewTokens(200)))
                .isNotEqualTo(key);
        assertThat(CacheKey.of("abc", policy, "model-a", base.withGreedy(true))).isNotEqualTo(key);
        assertThat(CacheKey.of("abc", policy, "model-a", base.withTimeout(Duration.ofSeconds(3))))
                .as("the timeout decides whether an answer comes, not which")
                .isEqualTo(key);
        assertThat(CacheKey.of("abd", policy, "model-a", base)).isNotEqualTo(key);
    }

    @Test
    void sameImageWithAnotherModelIdOrOptionsDoesNotShareAnEntry() throws Exception {
        VerdictCache cache = new VerdictCache(CacheConfig.defaults());
        PolicyContext policy = PolicyContext.of(V12);
        AtomicInteger loads = new AtomicInteger();
        List<CacheKey> keys = List.of(
                CacheKey.of("img", policy, "model-a", GenerationOptions.DEFAULT),
                CacheKey.of("img", policy, "model-b", GenerationOptions.DEFAULT),
                CacheKey.of("img", policy, "model-a", GenerationOptions.DEFAULT.withSeed(1)),
                CacheKey.of("img", policy, "model-a", GenerationOptions.DEFAULT.withVerdictOnly(true)));
        for (CacheKey key : keys) {
            VerdictCache.Lookup lookup = cache.lookup(key, () -> {
                loads.incrementAndGet();
                return modelVerdict(key.modelId());
            });
            assertThat(lookup.loadedHere()).isTrue();
            assertThat(lookup.future().get().modelId()).isEqualTo(key.modelId());
        }
        assertThat(loads).hasValue(4);
        assertThat(cache.lookup(keys.get(1), () -> modelVerdict("never")).loadedHere())
                .isFalse();
    }

    @Test
    void guardsOverDifferentModelsOrOptionsEachRunTheirModel() {
        byte[] png = TestImages.pngOfColour(0x445566);
        FakeSafetyModel a = new FakeSafetyModel("model-a");
        FakeSafetyModel b = new FakeSafetyModel("model-b");
        try (SafetyGuard ga = guard(a);
                SafetyGuard gb = guard(b);
                SafetyGuard gc = SafetyGuard.builder()
                        .model(a)
                        .generationOptions(GenerationOptions.DEFAULT.withSeed(99))
                        .build()) {
            assertThat(ga.assess(ImageInput.ofBytes(png)).modelId()).isEqualTo("model-a");
            assertThat(gb.assess(ImageInput.ofBytes(png)).modelId()).isEqualTo("model-b");
            assertThat(gc.assess(ImageInput.ofBytes(png)).source()).isEqualTo(VerdictSource.MODEL);
            assertThat(a.calls()).isEqualTo(2);
            assertThat(b.calls()).isEqualTo(1);
            assertThat(a.requests().get(1).options().seed()).isEqualTo(99);
        }
    }

    @Test
    @Timeout(20)
    void concurrentIdenticalRequestsRunTheModelOnce() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeSafetyModel model =
                new FakeSafetyModel().answering(FakeSafetyModel.UNSAFE_O3).blockedBy(gate);
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (SafetyGuard guard = guard(model)) {
            byte[] png = TestImages.pngOfColour(0x777777);
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<Verdict>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return guard.assess(ImageInput.ofBytes(png));
                }));
            }
            assertThat(model.awaitCalls(1, Duration.ofSeconds(10))).isTrue();
            // Every other thread has found the in-progress entry (a hit) before the model answers.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (guard.cacheStats().hitCount() < threads - 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            gate.countDown();
            int fromModel = 0;
            for (Future<Verdict> f : futures) {
                Verdict v = f.get(10, TimeUnit.SECONDS);
                assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
                fromModel += v.source() == VerdictSource.MODEL ? 1 : 0;
            }
            assertThat(model.calls()).isEqualTo(1);
            assertThat(fromModel).isEqualTo(1);
            assertThat(guard.cacheStats().hitCount()).isEqualTo(threads - 1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(20)
    void aWaiterDoesNotInheritTheCancellationOfTheCallItWaitedFor() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeSafetyModel model =
                new FakeSafetyModel().answering(FakeSafetyModel.UNSAFE_O3).blockedBy(gate);
        try (SafetyGuard guard = guard(model)) {
            byte[] png = TestImages.pngOfColour(0x345678);
            var first = guard.assessAsync(ImageInput.ofBytes(png, "first.png"));
            assertThat(model.awaitCalls(1, Duration.ofSeconds(10))).isTrue();
            var second = guard.assessAsync(ImageInput.ofBytes(png.clone(), "second.png"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (guard.cacheStats().hitCount() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5); // the second call waits on the first one's entry
            }
            first.cancel(true);
            assertThat(model.awaitCalls(2, Duration.ofSeconds(10)))
                    .as("the waiter runs the model itself")
                    .isTrue();
            gate.countDown();
            Verdict v = second.get(10, TimeUnit.SECONDS);
            assertThat(v.isFailure()).as("%s", v).isFalse();
            assertThat(v.source()).isEqualTo(VerdictSource.MODEL);
            assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
        }
    }

    @Test
    void modelFailuresAreNotCached() {
        AtomicInteger calls = new AtomicInteger();
        FakeSafetyModel model = new FakeSafetyModel().behaving((r, i) -> {
            if (calls.getAndIncrement() == 0) {
                throw new ModelException("context out of memory", null, true);
            }
            return ModelOutput.ofText(FakeSafetyModel.SAFE);
        });
        try (SafetyGuard guard = guard(model)) {
            ImageInput image = ImageInput.ofBytes(TestImages.pngOfColour(0x010101));
            Verdict failed = guard.assess(image);
            assertThat(failed.source()).isEqualTo(VerdictSource.FAILURE);
            Verdict retried = guard.assess(image);
            assertThat(retried.source()).isEqualTo(VerdictSource.MODEL);
            assertThat(retried.rating()).isEqualTo(Rating.SAFE);
            assertThat(guard.assess(image).source()).isEqualTo(VerdictSource.CACHE);
            assertThat(model.calls()).isEqualTo(2);
            assertThat(guard.cacheStats().loadFailureCount()).isEqualTo(1);
            assertThat(guard.cacheStats().loadSuccessCount()).isEqualTo(1);
        }
    }

    @Test
    void unparseableAnswersAndTimeoutsAreNotCached() {
        FakeSafetyModel model = new FakeSafetyModel().answeringInOrder("garbage", FakeSafetyModel.SAFE);
        try (SafetyGuard guard = guard(model)) {
            ImageInput image = ImageInput.ofBytes(TestImages.pngOfColour(0x020202));
            assertThat(guard.assess(image).failureKind()).contains(FailureKind.UNPARSEABLE_OUTPUT);
            assertThat(guard.assess(image).source()).isEqualTo(VerdictSource.MODEL);
        }
        FakeSafetyModel slow = new FakeSafetyModel().withLatency(Duration.ofSeconds(5));
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(slow)
                .generationOptions(GenerationOptions.DEFAULT.withTimeout(Duration.ofMillis(100)))
                .build()) {
            ImageInput image = ImageInput.ofBytes(TestImages.pngOfColour(0x030303));
            assertThat(guard.assess(image).failureKind()).contains(FailureKind.TIMEOUT);
            slow.withLatency(Duration.ZERO);
            assertThat(guard.assess(image).source()).isEqualTo(VerdictSource.MODEL);
            assertThat(slow.calls()).isEqualTo(2);
        }
    }

    @Test
    void imageRejectionsAreNotCached() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = guard(model)) {
            ImageInput bad = ImageInput.ofBytes("not an image".getBytes());
            guard.assess(bad);
            guard.assess(bad);
            assertThat(guard.cacheStats().size()).isZero();
            assertThat(model.calls()).isZero();
        }
    }

    @Test
    void disabledCacheRunsTheModelEveryTime() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).cache(CacheConfig.disabled()).build()) {
            ImageInput image = ImageInput.ofBytes(TestImages.pngOfColour(0x040404));
            assertThat(guard.assess(image).source()).isEqualTo(VerdictSource.MODEL);
            assertThat(guard.assess(image).source()).isEqualTo(VerdictSource.MODEL);
            assertThat(model.calls()).isEqualTo(2);
            assertThat(guard.cacheStats()).isEqualTo(CacheStats.EMPTY);
        }
    }

    @Test
    void sizeLimitEvicts() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .cache(CacheConfig.maximumSize(2))
                .build()) {
            for (int i = 0; i < 10; i++) {
                guard.assess(ImageInput.ofBytes(TestImages.pngOfColour(0x100000 + i)));
            }
            CacheStats stats = guard.cacheStats();
            assertThat(stats.size()).isLessThanOrEqualTo(2);
            assertThat(stats.evictionCount()).isGreaterThanOrEqualTo(8);
        }
    }

    @Test
    void entriesExpire() throws Exception {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .cache(CacheConfig.defaults().withExpireAfterWrite(Duration.ofMillis(50)))
                .build()) {
            ImageInput image = ImageInput.ofBytes(TestImages.pngOfColour(0x050505));
            guard.assess(image);
            Thread.sleep(120);
            assertThat(guard.assess(image).source()).isEqualTo(VerdictSource.MODEL);
            assertThat(model.calls()).isEqualTo(2);
        }
    }

    @Test
    void invalidateDropsEntries() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = guard(model)) {
            ImageInput image = ImageInput.ofBytes(TestImages.pngOfColour(0x060606));
            guard.assess(image);
            guard.invalidateCache();
            assertThat(guard.assess(image).source()).isEqualTo(VerdictSource.MODEL);
        }
    }

    @Test
    void bufferedImagesAreCachedByPixels() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = guard(model)) {
            guard.assess(ImageInput.ofImage(TestImages.solid(5, 5, 0x123123)));
            assertThat(guard.assess(ImageInput.ofImage(TestImages.solid(5, 5, 0x123123)))
                            .source())
                    .isEqualTo(VerdictSource.CACHE);
            assertThat(model.calls()).isEqualTo(1);
        }
    }

    private static Verdict modelVerdict(String modelId) {
        return Verdict.builder()
                .rating(Rating.SAFE)
                .category("NA: None applying", null)
                .policyFingerprint("p")
                .modelId(modelId)
                .imageDigest("img")
                .source(VerdictSource.MODEL)
                .build();
    }
}
