package io.safetyguard.examples.t2i;

import io.safetyguard.core.reaction.GuardedGenerator;
import io.safetyguard.core.reaction.UnsafeReaction;

/** What the text-to-image example does with an Unsafe image: the three reactions a host usually wants. */
public enum UnsafeStrategy {
    /** Return a placeholder at once. */
    BLOCK,
    /** Generate again with a new seed, up to the attempt limit, then block. */
    RESEED,
    /**
     * Generate again with the violated category's words added to the negative prompt
     * ({@link NegativePromptAmender}) and a new seed, up to the attempt limit, then block.
     */
    AMEND;

    /**
     * Configures {@code builder} for this strategy.
     *
     * @param maxAttempts generations in all for RESEED and AMEND (ignored by BLOCK)
     */
    public GuardedGenerator.Builder<Txt2ImgRequest> configure(
            GuardedGenerator.Builder<Txt2ImgRequest> builder, int maxAttempts) {
        return switch (this) {
            case BLOCK -> builder.onUnsafe(UnsafeReaction.BLOCK);
            case RESEED ->
                builder.onUnsafe(UnsafeReaction.REGENERATE)
                        .maxAttempts(maxAttempts)
                        .withNewSeed(Txt2ImgRequest::withSeed);
            case AMEND ->
                builder.onUnsafe(UnsafeReaction.REGENERATE)
                        .maxAttempts(maxAttempts)
                        .amend(new NegativePromptAmender())
                        .withNewSeed(Txt2ImgRequest::withSeed);
        };
    }
}
