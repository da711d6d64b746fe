package io.safetyguard.core.reaction;

/**
 * Makes a copy of a request with another sampling seed, so a regeneration draws a different image.
 *
 * @param <R> the host's request type
 */
@FunctionalInterface
public interface SeedChanger<R> {
    R withNewSeed(R request, long seed);
}
