package io.safetyguard.core.reaction;

/** What {@link GuardedGenerator} does with an image rated Unsafe. */
public enum UnsafeReaction {
    /** Withhold the image and return a placeholder. */
    BLOCK,
    /**
     * Generate again with a new seed and/or an amended request, up to the attempt limit; if every
     * attempt is Unsafe, block.
     */
    REGENERATE
}
