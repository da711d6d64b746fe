package io.safetyguard.core.reaction;

/** What {@link GuardedGenerator} does with an image rated Unsafe. */
public enum UnsafeReaction {
    /** Withhold the image and return a placeholder. */
    BLOCK,
    /**
     * Generate again with a new seed and/or an amended request, up to the attempt limit; if every
     * attempt is Unsafe, block.
     */
    REGENERATE,
    /**
     * Release the image as generated, marked as flagged: {@link GuardedResult#flagged()} is true,
     * {@link GuardedResult#image()} holds the image and {@link GuardedResult#verdict()} the Unsafe
     * verdict, and listeners are told through {@link GenerationListener#onFlagged}. For hosts that
     * hide, review or label images rather than destroy them (the verdict can travel with the file:
     * {@link io.safetyguard.core.metadata.VerdictMetadata#write}). One attempt, like BLOCK.
     */
    FLAG
}
