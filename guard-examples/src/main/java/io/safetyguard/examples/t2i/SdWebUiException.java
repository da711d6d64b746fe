package io.safetyguard.examples.t2i;

import io.safetyguard.examples.ExampleException;

/**
 * The Stable Diffusion WebUI could not be reached or gave an answer that is not a txt2img result.
 * The message names the URL and says what to check.
 */
public final class SdWebUiException extends ExampleException {
    private static final long serialVersionUID = 1L;

    SdWebUiException(String message) {
        super(message, null);
    }

    SdWebUiException(String message, Throwable cause) {
        super(message, cause);
    }
}
