package io.safetyguard.core;

final class Timing {
    private Timing() {}

    static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
