package io.safetyguard.core.reaction;

/**
 * Told about every attempt of a {@link GuardedGenerator}, allowed or not, and about the outcome:
 * for audit logs, metrics, or keeping unsafe images for review. Called on the generating thread;
 * an exception thrown here is logged and does not change the outcome.
 *
 * @param <R> the host's request type
 */
public interface GenerationListener<R> {

    void onAttempt(Attempt<R> attempt);

    /**
     * An Unsafe image was released flagged ({@link UnsafeReaction#FLAG}); called before
     * {@link #onResult}, e.g. to queue the image for review or label it in a gallery.
     */
    default void onFlagged(GuardedResult<R> result) {}

    default void onResult(GuardedResult<R> result) {}
}
