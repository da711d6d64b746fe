/**
 * Safety policies for LlavaGuard models: the taxonomy, the shipped presets, policy exceptions,
 * custom categories, the exact prompt text, a stable fingerprint, policy files, and the verdict
 * grammar and schema.
 *
 * <ul>
 *   <li>{@link io.safetyguard.policy.Policy} — an immutable policy; {@code
 *       Policy.llavaGuardDefault()}, {@code Policy.preset(name)}, {@code toBuilder()}, {@code
 *       render()}, {@code fingerprint()}, label and id lookups.
 *   <li>{@link io.safetyguard.policy.Category} and {@link io.safetyguard.policy.Treatment} — a
 *       category and how a policy treats it (default, non-violating, sensitive).
 *   <li>{@link io.safetyguard.policy.PolicyFiles} — JSON and YAML policy files.
 *   <li>{@link io.safetyguard.policy.VerdictGrammar} — llama.cpp GBNF and JSON Schema of the
 *       verdict.
 *   <li>{@link io.safetyguard.policy.PolicyException} — every problem, naming source, field and
 *       what is wrong.
 * </ul>
 *
 * <p>The preset texts are verbatim from ml-research/LlavaGuard (Apache-2.0).
 */
package io.safetyguard.policy;
