/**
 * Reactions for generated images: {@link io.safetyguard.core.reaction.GuardedGenerator} wraps a
 * host's text-to-image step and allows, blocks (with a {@link io.safetyguard.core.reaction.Placeholders
 * placeholder}) or regenerates unsafe images, reporting every attempt to
 * {@link io.safetyguard.core.reaction.GenerationListener}s.
 */
package io.safetyguard.core.reaction;
