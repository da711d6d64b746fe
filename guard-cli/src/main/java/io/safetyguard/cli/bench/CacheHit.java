package io.safetyguard.cli.bench;

/**
 * What a verdict-cache hit costs for one image file.
 *
 * @param image         the image's file name
 * @param bytes         its size
 * @param hitMicros     median {@code assess} time of a hit (read the file, SHA-256 it, look up the key)
 * @param hashMicros    median time to read and SHA-256 the same file alone
 */
public record CacheHit(String image, long bytes, double hitMicros, double hashMicros) {

    private static final double MIB = 1024.0 * 1024.0;

    /** Hit cost per MiB of image file. */
    public double hitMicrosPerMib() {
        return hitMicros / (bytes / MIB);
    }

    /** Hashing cost per MiB. */
    public double hashMicrosPerMib() {
        return hashMicros / (bytes / MIB);
    }

    /** The share of a hit spent reading and hashing the file. */
    public double hashShare() {
        return hitMicros > 0 ? Math.min(1, hashMicros / hitMicros) : 0;
    }
}
