package io.safetyguard.core.reaction;

import io.safetyguard.core.ImageInput;

/**
 * The host's text-to-image step: turns a request (prompt, seed, settings, of the host's own type)
 * into an image. Return encoded bytes with {@link ImageInput#ofBytes(byte[], String)} or a decoded
 * image with {@link ImageInput#ofImage(java.awt.image.BufferedImage)}. Exceptions propagate
 * unchanged out of {@link GuardedGenerator#generate}.
 *
 * @param <R> the host's request type
 */
@FunctionalInterface
public interface ImageGenerator<R> {
    ImageInput generate(R request);
}
