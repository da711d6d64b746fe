package io.safetyguard.examples.bench;

/**
 * Batch throughput with a pool of llama.cpp contexts.
 *
 * @param parallelism       contexts in the pool and images assessed at once
 * @param threadsPerContext CPU threads each context (and the shared image encoder) uses
 * @param images            images in the timed batch
 * @param wallMillis        wall time of {@code assessAll} over the batch
 * @param peakRssKib        this JVM's peak RSS after the run, or -1
 */
public record Throughput(int parallelism, int threadsPerContext, int images, double wallMillis, long peakRssKib) {

    /** Images per second. */
    public double imagesPerSecond() {
        return wallMillis > 0 ? images * 1000.0 / wallMillis : 0;
    }
}
