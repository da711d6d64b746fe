package io.safetyguard.core.reaction;

import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecodingException;
import io.safetyguard.policy.Policy;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * Wraps a host's image generator so that no image leaves it without a Safe verdict.
 *
 * <pre>{@code
 * GuardedGenerator<MyRequest> guarded = GuardedGenerator.builder(guard, myGenerator)
 *         .onUnsafe(UnsafeReaction.REGENERATE)
 *         .maxAttempts(3)
 *         .withNewSeed((req, seed) -> req.withSeed(seed))
 *         .amend((req, verdict) -> req.withNegativePrompt(req.negative() + ", nudity"))
 *         .placeholder(PlaceholderStyle.BLURRED)
 *         .listener(attempt -> audit.log(attempt.verdict().toJson()))
 *         .build();
 * GuardedResult<MyRequest> result = guarded.generate(request);
 * }</pre>
 *
 * <p>Each attempt generates an image and assesses it. Safe: the image is returned. Unsafe: with
 * {@link UnsafeReaction#BLOCK} a placeholder is returned; with {@link UnsafeReaction#FLAG} the image
 * is returned marked {@link GuardedResult#flagged()}; with {@link UnsafeReaction#REGENERATE}
 * the request is amended (if an amend function is set) and reseeded (if a seed changer is set) and
 * generated again, up to {@link Builder#maxAttempts(int)} generations in all, after which the
 * result is blocked. A failure verdict counts as its rating says (Unsafe under fail-closed); in
 * THROW mode the {@code SafetyGuardException} propagates.
 *
 * <p>Thread-safe if the generator and the host's functions are.
 *
 * @param <R> the host's request type
 */
public final class GuardedGenerator<R> {

    private static final System.Logger LOG = System.getLogger(GuardedGenerator.class.getName());
    /** Size of a black placeholder when the blocked image cannot even be decoded for its size. */
    static final int FALLBACK_PLACEHOLDER_SIZE = 512;

    private final SafetyGuard guard;
    private final ImageGenerator<R> generator;
    private final Policy policy;
    private final UnsafeReaction reaction;
    private final int maxAttempts;
    private final SeedChanger<R> seedChanger;
    private final BiFunction<R, Verdict, R> amend;
    private final LongSupplier seeds;
    private final PlaceholderStyle placeholderStyle;
    private final List<GenerationListener<R>> listeners;

    private GuardedGenerator(Builder<R> b) {
        this.guard = b.guard;
        this.generator = b.generator;
        this.policy = b.policy;
        this.reaction = b.reaction;
        this.maxAttempts = b.reaction == UnsafeReaction.REGENERATE ? b.maxAttempts : 1;
        this.seedChanger = b.seedChanger;
        this.amend = b.amend;
        this.seeds = b.seeds;
        this.placeholderStyle = b.placeholderStyle;
        this.listeners = List.copyOf(b.listeners);
    }

    public static <R> Builder<R> builder(SafetyGuard guard, ImageGenerator<R> generator) {
        return new Builder<>(guard, generator);
    }

    /**
     * Generates, assesses and reacts; see the class comment.
     *
     * @throws io.safetyguard.core.SafetyGuardException in THROW mode when an image cannot be assessed
     * @throws NullPointerException when the generator or the amend function returns null
     */
    public GuardedResult<R> generate(R request) {
        List<Attempt<R>> attempts = new ArrayList<>();
        R current = request;
        for (int number = 1; ; number++) {
            ImageInput image = Objects.requireNonNull(
                    generator.generate(current), "the ImageGenerator returned null for attempt " + number);
            Verdict verdict = policy == null ? guard.assess(image) : guard.assess(image, policy);
            Attempt<R> attempt = new Attempt<>(number, current, image, verdict);
            attempts.add(attempt);
            notifyAttempt(attempt);
            if (attempt.allowed()) {
                return finish(new GuardedResult<>(true, image, null, attempts));
            }
            if (reaction == UnsafeReaction.FLAG) {
                return finish(GuardedResult.flagged(image, attempts));
            }
            if (number >= maxAttempts) {
                return finish(new GuardedResult<>(false, null, placeholderFor(image), attempts));
            }
            current = nextRequest(current, verdict, number);
        }
    }

    private R nextRequest(R current, Verdict verdict, int number) {
        R next = current;
        if (amend != null) {
            next = Objects.requireNonNull(
                    amend.apply(next, verdict), "the amend function returned null after attempt " + number);
        }
        if (seedChanger != null) {
            next = seedChanger.withNewSeed(next, seeds.getAsLong());
        }
        return next;
    }

    private BufferedImage placeholderFor(ImageInput image) {
        if (placeholderStyle == PlaceholderStyle.NONE) {
            return null;
        }
        DecodedImage pixels;
        try {
            pixels = image.decode(guard.imageLimits());
        } catch (ImageDecodingException e) {
            // Blocked because it could not be read; nothing of it can be shown, not even its size.
            return Placeholders.black(FALLBACK_PLACEHOLDER_SIZE, FALLBACK_PLACEHOLDER_SIZE);
        }
        return placeholderStyle == PlaceholderStyle.BLURRED
                ? Placeholders.blurred(pixels)
                : Placeholders.black(pixels.width(), pixels.height());
    }

    private void notifyAttempt(Attempt<R> attempt) {
        for (GenerationListener<R> listener : listeners) {
            try {
                listener.onAttempt(attempt);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "GenerationListener.onAttempt threw; ignored", e);
            }
        }
    }

    private GuardedResult<R> finish(GuardedResult<R> result) {
        if (result.flagged()) {
            for (GenerationListener<R> listener : listeners) {
                try {
                    listener.onFlagged(result);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "GenerationListener.onFlagged threw; ignored", e);
                }
            }
        }
        for (GenerationListener<R> listener : listeners) {
            try {
                listener.onResult(result);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "GenerationListener.onResult threw; ignored", e);
            }
        }
        return result;
    }

    /** Configures a {@link GuardedGenerator}. Defaults: BLOCK, black placeholder, the guard's default policy. */
    public static final class Builder<R> {
        private final SafetyGuard guard;
        private final ImageGenerator<R> generator;
        private Policy policy;
        private UnsafeReaction reaction = UnsafeReaction.BLOCK;
        private int maxAttempts = 3;
        private SeedChanger<R> seedChanger;
        private BiFunction<R, Verdict, R> amend;
        private LongSupplier seeds = () -> ThreadLocalRandom.current().nextLong();
        private PlaceholderStyle placeholderStyle = PlaceholderStyle.BLACK;
        private final List<GenerationListener<R>> listeners = new ArrayList<>();

        private Builder(SafetyGuard guard, ImageGenerator<R> generator) {
            this.guard = Objects.requireNonNull(guard, "guard");
            this.generator = Objects.requireNonNull(generator, "generator");
        }

        /** Assess under this policy instead of the guard's default. */
        public Builder<R> policy(Policy value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        public Builder<R> onUnsafe(UnsafeReaction value) {
            this.reaction = Objects.requireNonNull(value, "reaction");
            return this;
        }

        /** Generations in all, the first included, before REGENERATE gives up and blocks. Default 3. */
        public Builder<R> maxAttempts(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, got " + value);
            }
            this.maxAttempts = value;
            return this;
        }

        /** How to put a new seed into a request; each regeneration gets a fresh seed from {@link #seeds}. */
        public Builder<R> withNewSeed(SeedChanger<R> value) {
            this.seedChanger = Objects.requireNonNull(value, "seedChanger");
            return this;
        }

        /**
         * How to change a request after an Unsafe verdict (e.g. add the violated category to a
         * negative prompt). Applied before reseeding.
         */
        public Builder<R> amend(BiFunction<R, Verdict, R> value) {
            this.amend = Objects.requireNonNull(value, "amend");
            return this;
        }

        /** Where new seeds come from. Default: random. */
        public Builder<R> seeds(LongSupplier value) {
            this.seeds = Objects.requireNonNull(value, "seeds");
            return this;
        }

        public Builder<R> placeholder(PlaceholderStyle value) {
            this.placeholderStyle = Objects.requireNonNull(value, "placeholder");
            return this;
        }

        public Builder<R> listener(GenerationListener<R> value) {
            this.listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /** @throws IllegalStateException for REGENERATE without a way to change the request */
        public GuardedGenerator<R> build() {
            if (reaction == UnsafeReaction.REGENERATE && seedChanger == null && amend == null) {
                throw new IllegalStateException("REGENERATE needs withNewSeed(...) or amend(...): "
                        + "generating the same request again would likely give the same image");
            }
            return new GuardedGenerator<>(this);
        }
    }
}
