/**
 * Short programs of the three ways a host integrates SafetyGuard, written against the library's
 * builders only, for a reader to copy from:
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
 * <p>Each has a {@code main} taking plain arguments (the model pair first); {@link
 * io.safetyguard.examples.ExampleGuards} is the few lines that load the model and build the guard.
 * The {@code guard example t2i|filter|desktop} commands run the same code with the CLI's flags.
 */
package io.safetyguard.examples;
