package io.safetyguard.core.spi;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.policy.Policy;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One evaluation: an image, the policy prompt, the grammar that constrains the answer, and the
 * generation options.
 *
 * @param image        the decoded 8-bit RGB image
 * @param policyPrompt the rendered policy text, exactly as the model was trained to read it
 * @param grammar      GBNF grammar the answer must follow (full or verdict-only variant), or null for none
 * @param options      sampling and limits
 * @param cancelled    polled by the backend between steps; true aborts with a CancellationException
 * @param policy       the policy the prompt and grammar were rendered from, or null when unknown; backends
 *                     that constrain the answer by other means than GBNF (a JSON Schema, a regex for a
 *                     remote server) derive them from it
 */
public record ModelRequest(
        DecodedImage image,
        String policyPrompt,
        String grammar,
        GenerationOptions options,
        BooleanSupplier cancelled,
        Policy policy) {

    /** A request without the policy object (backends that only need the prompt and the GBNF grammar). */
    public ModelRequest(DecodedImage image, String policyPrompt, String grammar, GenerationOptions options,
            BooleanSupplier cancelled) {
        this(image, policyPrompt, grammar, options, cancelled, null);
    }

    public ModelRequest {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(policyPrompt, "policyPrompt");
        Objects.requireNonNull(options, "options");
        if (cancelled == null) {
            cancelled = () -> false;
        }
    }

    public boolean verdictOnly() {
        return options.verdictOnly();
    }

    public Duration timeout() {
        return options.timeout();
    }
}
