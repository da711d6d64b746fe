package io.safetyguard.core.reaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.FailureMode;
import io.safetyguard.core.FakeSafetyModel;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.SafetyGuardException;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GuardedGeneratorTest {

    /** The host's request: a prompt, a negative prompt and a seed. */
    record Request(String prompt, String negative, long seed) {
        Request withSeed(long s) {
            return new Request(prompt, negative, s);
        }
    }

    /** The fake generator paints the seed into the image; the fake model rates seeds in UNSAFE_SEEDS Unsafe. */
    private final List<Long> unsafeSeeds = new ArrayList<>();

    private final AtomicInteger generated = new AtomicInteger();
    private final ImageGenerator<Request> generator = request -> {
        generated.incrementAndGet();
        return ImageInput.ofBytes(
                TestImages.png(TestImages.solid(12, 8, (int) (request.seed() & 0xFFFFFF))), "gen.png");
    };
    private final FakeSafetyModel model = new FakeSafetyModel().behaving((r, i) -> {
        byte[] p = r.image().rgb();
        long seed = ((p[0] & 0xFFL) << 16) | ((p[1] & 0xFFL) << 8) | (p[2] & 0xFFL);
        return ModelOutput.ofText(unsafeSeeds.contains(seed) ? FakeSafetyModel.UNSAFE_O3 : FakeSafetyModel.SAFE);
    });
    private final SafetyGuard guard = SafetyGuard.builder().model(model).build();

    @AfterEach
    void close() {
        guard.close();
    }

    private static Iterator<Long> seeds(long... values) {
        List<Long> list = new ArrayList<>();
        for (long v : values) {
            list.add(v);
        }
        return list.iterator();
    }

    @Test
    void safeImageIsReturnedAsGenerated() {
        List<Attempt<Request>> seen = new ArrayList<>();
        GuardedGenerator<Request> g =
                GuardedGenerator.builder(guard, generator).listener(seen::add).build();
        GuardedResult<Request> result = g.generate(new Request("a cat", "", 5));
        assertThat(result.allowed()).isTrue();
        assertThat(result.blocked()).isFalse();
        assertThat(result.image())
                .hasValueSatisfying(im -> assertThat(im.name()).isEqualTo("gen.png"));
        assertThat(result.placeholder()).isEmpty();
        assertThat(result.attempts()).hasSize(1);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).allowed()).isTrue();
    }

    @Test
    void blockReturnsABlackPlaceholderOfTheImagesSize() {
        unsafeSeeds.add(5L);
        GuardedGenerator<Request> g = GuardedGenerator.builder(guard, generator).build();
        GuardedResult<Request> result = g.generate(new Request("x", "", 5));
        assertThat(result.blocked()).isTrue();
        assertThat(result.image()).isEmpty();
        BufferedImage placeholder = result.placeholder().orElseThrow();
        assertThat(placeholder.getWidth()).isEqualTo(12);
        assertThat(placeholder.getHeight()).isEqualTo(8);
        assertThat(placeholder.getRGB(6, 4) & 0xFFFFFF).isZero();
        assertThat(result.verdict().isUnsafe()).isTrue();
        assertThat(generated).hasValue(1);
    }

    @Test
    void regenerationStopsAtTheLimitAndFallsBackToBlock() {
        unsafeSeeds.addAll(List.of(5L, 101L, 102L, 103L));
        Iterator<Long> seeds = seeds(101, 102, 103);
        List<Attempt<Request>> seen = new ArrayList<>();
        List<GuardedResult<Request>> results = new ArrayList<>();
        GuardedGenerator<Request> g = GuardedGenerator.builder(guard, generator)
                .onUnsafe(UnsafeReaction.REGENERATE)
                .maxAttempts(3)
                .withNewSeed(Request::withSeed)
                .seeds(seeds::next)
                .placeholder(PlaceholderStyle.BLURRED)
                .listener(new GenerationListener<>() {
                    @Override
                    public void onAttempt(Attempt<Request> attempt) {
                        seen.add(attempt);
                    }

                    @Override
                    public void onResult(GuardedResult<Request> result) {
                        results.add(result);
                    }
                })
                .build();
        GuardedResult<Request> result = g.generate(new Request("x", "", 5));
        assertThat(result.blocked()).isTrue();
        assertThat(generated).hasValue(3);
        assertThat(result.attempts()).extracting(a -> a.request().seed()).containsExactly(5L, 101L, 102L);
        assertThat(result.attempts()).extracting(Attempt::number).containsExactly(1, 2, 3);
        assertThat(result.attempts()).allSatisfy(a -> assertThat(a.allowed()).isFalse());
        assertThat(seen).containsExactlyElementsOf(result.attempts());
        assertThat(results).containsExactly(result);
        assertThat(result.placeholder()).isPresent();
        assertThat(result.request().seed()).isEqualTo(102L);
    }

    @Test
    void regenerationWithANewSeedCanSucceed() {
        unsafeSeeds.add(5L);
        GuardedGenerator<Request> g = GuardedGenerator.builder(guard, generator)
                .onUnsafe(UnsafeReaction.REGENERATE)
                .withNewSeed(Request::withSeed)
                .seeds(seeds(77)::next)
                .build();
        GuardedResult<Request> result = g.generate(new Request("x", "", 5));
        assertThat(result.allowed()).isTrue();
        assertThat(result.attempts()).hasSize(2);
        assertThat(result.request().seed()).isEqualTo(77);
        assertThat(result.attempts().get(0).verdict().categoryLabel()).contains("O3: Sexual Content");
    }

    @Test
    void defaultSeedsAreFreshEachTime() {
        unsafeSeeds.add(5L);
        List<Long> used = new ArrayList<>();
        GuardedGenerator<Request> g = GuardedGenerator.<Request>builder(guard, r -> {
                    used.add(r.seed());
                    // Always unsafe, whatever the seed: paint seed 5.
                    return ImageInput.ofBytes(TestImages.png(TestImages.solid(2, 2, 5)));
                })
                .onUnsafe(UnsafeReaction.REGENERATE)
                .maxAttempts(4)
                .withNewSeed(Request::withSeed)
                .build();
        g.generate(new Request("x", "", 5));
        assertThat(used).hasSize(4).doesNotHaveDuplicates();
    }

    @Test
    void amendFunctionGetsThePreviousVerdictAndRunsBeforeReseeding() {
        unsafeSeeds.add(5L);
        List<Verdict> amendedFrom = new ArrayList<>();
        GuardedGenerator<Request> g = GuardedGenerator.builder(guard, generator)
                .onUnsafe(UnsafeReaction.REGENERATE)
                .amend((r, v) -> {
                    amendedFrom.add(v);
                    return new Request(r.prompt(), r.negative() + v.categoryId().orElse("?"), r.seed());
                })
                .withNewSeed(Request::withSeed)
                .seeds(seeds(9)::next)
                .build();
        GuardedResult<Request> result = g.generate(new Request("x", "", 5));
        assertThat(result.allowed()).isTrue();
        assertThat(result.request()).isEqualTo(new Request("x", "O3", 9));
        assertThat(amendedFrom).hasSize(1);
        assertThat(amendedFrom.get(0)).isSameAs(result.attempts().get(0).verdict());
    }

    @Test
    void amendAloneIsEnoughToRegenerate() {
        unsafeSeeds.add(5L);
        GuardedGenerator<Request> g = GuardedGenerator.builder(guard, generator)
                .onUnsafe(UnsafeReaction.REGENERATE)
                .maxAttempts(2)
                .amend((r, v) -> r.withSeed(r.seed() + 1))
                .build();
        assertThat(g.generate(new Request("x", "", 5)).allowed()).isTrue();
    }

    @Test
    void regenerateNeedsAWayToChangeTheRequest() {
        assertThatThrownBy(() -> GuardedGenerator.builder(guard, generator)
                        .onUnsafe(UnsafeReaction.REGENERATE)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("withNewSeed(...) or amend(...)");
        assertThatThrownBy(() -> GuardedGenerator.builder(guard, generator).maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aThrowingListenerDoesNotChangeTheOutcome() {
        unsafeSeeds.add(5L);
        AtomicInteger calls = new AtomicInteger();
        GuardedGenerator<Request> g = GuardedGenerator.builder(guard, generator)
                .listener(a -> {
                    throw new RuntimeException("listener bug");
                })
                .listener(a -> calls.incrementAndGet())
                .build();
        assertThat(g.generate(new Request("x", "", 5)).blocked()).isTrue();
        assertThat(calls).hasValue(1);
    }

    @Test
    void placeholderNoneAndUndecodableImages() {
        unsafeSeeds.add(5L);
        GuardedGenerator<Request> none = GuardedGenerator.builder(guard, generator)
                .placeholder(PlaceholderStyle.NONE)
                .build();
        assertThat(none.generate(new Request("x", "", 5)).placeholder()).isEmpty();
        GuardedGenerator<Request> broken = GuardedGenerator.<Request>builder(
                        guard, r -> ImageInput.ofBytes(new byte[] {1, 2}))
                .placeholder(PlaceholderStyle.BLURRED)
                .build();
        GuardedResult<Request> result = broken.generate(new Request("x", "", 1));
        assertThat(result.blocked()).as("fail-closed on an undecodable image").isTrue();
        assertThat(result.placeholder().orElseThrow().getWidth()).isEqualTo(GuardedGenerator.FALLBACK_PLACEHOLDER_SIZE);
    }

    @Test
    void throwModeFailuresPropagate() {
        FakeSafetyModel failing = new FakeSafetyModel().failingWith(new ModelException("down"));
        try (SafetyGuard strict = SafetyGuard.builder()
                .model(failing)
                .failureMode(FailureMode.THROW)
                .build()) {
            GuardedGenerator<Request> g =
                    GuardedGenerator.builder(strict, generator).build();
            assertThatThrownBy(() -> g.generate(new Request("x", "", 1))).isInstanceOf(SafetyGuardException.class);
        }
    }

    @Test
    void generatorReturningNullIsAClearError() {
        GuardedGenerator<Request> g = GuardedGenerator.builder(guard, (ImageGenerator<Request>) r -> null)
                .build();
        assertThatThrownBy(() -> g.generate(new Request("x", "", 1)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("the ImageGenerator returned null for attempt 1");
    }

    @Test
    void assessesUnderTheGivenPolicy() {
        io.safetyguard.policy.Policy v10 = io.safetyguard.policy.Policy.preset("llavaguard-v1.0");
        GuardedGenerator<Request> g =
                GuardedGenerator.builder(guard, generator).policy(v10).build();
        assertThat(g.generate(new Request("x", "", 3)).verdict().policyFingerprint())
                .isEqualTo(v10.fingerprint());
    }

    @Test
    void flagReleasesTheUnsafeImageWithItsVerdictAndTellsListeners() {
        unsafeSeeds.add(5L);
        List<String> events = new ArrayList<>();
        GuardedGenerator<Request> g = GuardedGenerator.builder(guard, generator)
                .onUnsafe(UnsafeReaction.FLAG)
                .maxAttempts(5) // ignored: FLAG never regenerates
                .listener(new GenerationListener<>() {
                    @Override
                    public void onAttempt(Attempt<Request> attempt) {
                        events.add("attempt " + attempt.number());
                    }

                    @Override
                    public void onFlagged(GuardedResult<Request> result) {
                        events.add("flagged " + result.verdict().categoryId().orElse("?"));
                    }

                    @Override
                    public void onResult(GuardedResult<Request> result) {
                        events.add("result " + result.flagged());
                    }
                })
                .build();
        GuardedResult<Request> result = g.generate(new Request("x", "", 5));
        assertThat(result.flagged()).isTrue();
        assertThat(result.allowed()).isFalse();
        assertThat(result.blocked()).isFalse();
        assertThat(result.image())
                .hasValueSatisfying(im -> assertThat(im.name()).isEqualTo("gen.png"));
        assertThat(result.placeholder()).isEmpty();
        assertThat(result.verdict().isUnsafe()).isTrue();
        assertThat(result.verdict().categoryId()).contains("O3");
        assertThat(result.toString()).contains("flagged");
        assertThat(generated).hasValue(1);
        assertThat(events).containsExactly("attempt 1", "flagged O3", "result true");
    }

    @Test
    void flagLetsSafeImagesThroughUnflagged() {
        List<GuardedResult<Request>> flagged = new ArrayList<>();
        GuardedGenerator<Request> g = GuardedGenerator.builder(guard, generator)
                .onUnsafe(UnsafeReaction.FLAG)
                .listener(new GenerationListener<>() {
                    @Override
                    public void onAttempt(Attempt<Request> attempt) {}

                    @Override
                    public void onFlagged(GuardedResult<Request> result) {
                        flagged.add(result);
                    }
                })
                .build();
        GuardedResult<Request> result = g.generate(new Request("x", "", 7));
        assertThat(result.allowed()).isTrue();
        assertThat(result.flagged()).isFalse();
        assertThat(result.image()).isPresent();
        assertThat(flagged).isEmpty();
    }

    @Test
    void aListenerThrowingOnFlaggedDoesNotChangeTheOutcome() {
        unsafeSeeds.add(5L);
        GuardedGenerator<Request> g = GuardedGenerator.builder(guard, generator)
                .onUnsafe(UnsafeReaction.FLAG)
                .listener(new GenerationListener<>() {
                    @Override
                    public void onAttempt(Attempt<Request> attempt) {}

                    @Override
                    public void onFlagged(GuardedResult<Request> result) {
                        throw new IllegalStateException("listener bug");
                    }
                })
                .build();
        assertThat(g.generate(new Request("x", "", 5)).flagged()).isTrue();
    }
}
