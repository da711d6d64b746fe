package io.safetyguard.llamacpp.tools.convert;

import java.io.IOException;

/**
 * A Hugging Face checkpoint that cannot be converted: a missing or damaged file, a tensor or setting the
 * converter does not support, or a target it may not write. The message names the file, tensor or key and
 * what was found, so the user can act on it.
 */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    /** With a message naming what is wrong and where. */
    public CheckpointException(String message) {
        super(message);
    }

    /** With a message and the failure that revealed the problem. */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
