package io.safetyguard.cli.bench;

/**
 * Batch throughput with a pool of llama.cpp contexts.
 *
 * @param parallelism       contexts in the pool and images assessed at once
 * @param threadsPerContext CPU threads each context (and the shared image encoder) uses
 * @param images            images in the timed batch
 * @param wallMillis        wall time of {@code assessAll} over the batch
 * @param cpuMillis         CPU time this JVM used meanwhile (all threads), or -1 when the JVM cannot tell
 * @param peakRssKib        this JVM's peak RSS after the run, or -1
 */
public record Throughput(
        int parallelism, int threadsPerContext, int images, double wallMillis, double cpuMillis, long peakRssKib) {

    /**
     * Cores this process actually got on average: CPU time over wall time. Near the pool's thread count when the
     * machine has cores to spare; far below it when other work holds them, and then more contexts cannot help.
     */
    public double coresUsed() {
        return cpuMillis >= 0 && wallMillis > 0 ? cpuMillis / wallMillis : -1;
    }

    /** Images per second. */
    public double imagesPerSecond() {
        return wallMillis > 0 ? images * 1000.0 / wallMillis : 0;
    }
}
