package io.safetyguard.core.spi;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.policy.Policy;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One evaluation: an image, the policy prompt, the policy whose verdict format constrains the answer,
 * and the generation options.
 *
 * <p>The request names no constraint language: each backend derives its own from {@link #policy()}
 * (llama.cpp a GBNF grammar, a remote server a grammar, JSON Schema or regex), so the answer can only
 * be a verdict under that policy.
 *
 * @param image        the decoded 8-bit RGB image
 * @param policyPrompt the rendered policy text, exactly as the model was trained to read it
 * @param options      sampling and limits
 * @param cancelled    polled by the backend between steps; true aborts with a CancellationException
 * @param policy       the policy the prompt was rendered from, which constrains the answer to its
 *                     verdict format; null for unconstrained generation (see {@link #unconstrained})
 */
public record ModelRequest(
        DecodedImage image, String policyPrompt, GenerationOptions options, BooleanSupplier cancelled, Policy policy) {

    public ModelRequest {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(policyPrompt, "policyPrompt");
        Objects.requireNonNull(options, "options");
        if (cancelled == null) {
            cancelled = () -> false;
        }
    }

    /** A request constrained to {@code policy}'s verdict format, prompted with its rendered text. */
    public static ModelRequest of(
            DecodedImage image, Policy policy, GenerationOptions options, BooleanSupplier cancelled) {
        Objects.requireNonNull(policy, "policy");
        return new ModelRequest(image, policy.render(), options, cancelled, policy);
    }

    /**
     * A request whose answer is free text: no verdict format is enforced. For measuring raw decoding
     * and for prompts that are not a policy; the answer may not parse as a verdict.
     */
    public static ModelRequest unconstrained(
            DecodedImage image, String prompt, GenerationOptions options, BooleanSupplier cancelled) {
        return new ModelRequest(image, prompt, options, cancelled, null);
    }

    /** True when the answer must follow {@link #policy()}'s verdict format. */
    public boolean constrained() {
        return policy != null;
    }

    /** This request without the verdict-format constraint (same prompt, image and options). */
    public ModelRequest withoutConstraint() {
        return new ModelRequest(image, policyPrompt, options, cancelled, null);
    }

    public boolean verdictOnly() {
        return options.verdictOnly();
    }

    public Duration timeout() {
        return options.timeout();
    }
}
