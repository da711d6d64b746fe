/**
 * Runnable examples of the three ways a host integrates SafetyGuard, each with a {@code main}; the
 * {@code guard} command (guard-cli) also runs them as {@code guard example t2i|filter|desktop}:
 *
 * <ul>
 *   <li>{@link io.safetyguard.examples.t2i} — a {@code GuardedGenerator} around a
 *       Stable Diffusion WebUI-style HTTP API: block, regenerate with a new seed, amend the prompt;</li>
 *   <li>{@link io.safetyguard.examples.filter} — split a folder of images into
 *       safe/unsafe/errors with a manifest, served from the verdict cache on repeated runs;</li>
 *   <li>{@link io.safetyguard.examples.desktop} — a Swing window that checks a dropped
 *       or opened image in-process, off the event dispatch thread.</li>
 * </ul>
 *
 * <p>The shared pieces here load the model from command-line flags and run a command with
 * consistent exit codes: 0 ok, 1 the task failed (message on stderr), 2 bad input or usage,
 * 3 the image was blocked (t2i only).
 */
package io.safetyguard.examples;
