package io.safetyguard.llamacpp;

/** The llama.cpp native libraries could not be found or loaded; the message says why and what to do. */
public class NativeLibraryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
