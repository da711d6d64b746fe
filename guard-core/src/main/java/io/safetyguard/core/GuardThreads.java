package io.safetyguard.core;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Named daemon threads: a guard the host forgot to close must not keep the JVM alive. */
final class GuardThreads implements ThreadFactory {
    private static final AtomicInteger GUARDS = new AtomicInteger();

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    GuardThreads(String role) {
        this.prefix = "safetyguard-" + GUARDS.incrementAndGet() + "-" + role + "-";
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, prefix + count.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
