package io.safetyguard.llamacpp.tools.convert;

/** What a conversion reports while it runs; called on the converting thread, so keep it quick. */
@FunctionalInterface
public interface ConvertProgress {
    /** Reports nothing. */
    ConvertProgress NONE = (done, total) -> {};

    /**
     * Bytes of checkpoint tensor data read so far, out of all the conversion reads (both files).
     */
    void bytesRead(long done, long total);

    /** A step without byte progress has started, e.g. {@code "quantizing to Q8_0"}. */
    default void step(String description) {}
}
