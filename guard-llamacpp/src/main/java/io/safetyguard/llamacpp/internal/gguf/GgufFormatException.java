package io.safetyguard.llamacpp.internal.gguf;

import java.io.IOException;

/**
 * A file is not a GGUF file llama.cpp can load, or a key it needs is missing or has the wrong type.
 *
 * <p>The message always starts with the file name and says what is wrong and, where possible, what to do.
 * This is the only exception {@link GgufReader} throws for bad file content; plain {@link IOException}s
 * signal that the file could not be read at all.
 */
public class GgufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;

    /**
     * @param file    the file name or path as the user gave it
     * @param problem what is wrong, without the file name
     */
    public GgufFormatException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The file name or path this problem concerns, as given to the reader. */
    public String file() {
        return file;
    }
}
