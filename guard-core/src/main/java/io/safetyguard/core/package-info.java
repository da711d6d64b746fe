/**
 * The SafetyGuard API: {@link io.safetyguard.core.SafetyGuard} assesses an
 * {@link io.safetyguard.core.ImageInput} under a {@code Policy} and returns a
 * {@link io.safetyguard.core.Verdict}; {@link io.safetyguard.core.FailureMode} says what happens when
 * no verdict can be produced, {@link io.safetyguard.core.CacheConfig} how verdicts are reused.
 * Backends implement {@link io.safetyguard.core.spi.SafetyModel}; images are decoded in Java by
 * {@link io.safetyguard.core.image.ImageDecoder}; generated images are guarded by
 * {@link io.safetyguard.core.reaction.GuardedGenerator}.
 */
package io.safetyguard.core;
