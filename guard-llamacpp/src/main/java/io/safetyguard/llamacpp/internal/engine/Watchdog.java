package io.safetyguard.llamacpp.internal.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread for the whole process that looks at every running evaluation every 10 ms and raises its
 * context's abort flag once it should stop, so that a cancel, interrupt or timeout also ends a long prompt
 * decode inside llama.cpp (which polls the flag), not only the next check between tokens.
 */
final class Watchdog {

    private static final Set<Run> WATCHED = ConcurrentHashMap.newKeySet();
    private static final Object LOCK = new Object();
    private static boolean started;

    private Watchdog() {}

    static void watch(Run run) {
        WATCHED.add(run);
        ensureStarted();
    }

    static void forget(Run run) {
        WATCHED.remove(run);
    }

    private static void ensureStarted() {
        synchronized (LOCK) {
            if (started) {
                return;
            }
            started = true;
            ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "safetyguard-llamacpp-watchdog");
                t.setDaemon(true);
                return t;
            });
            ex.setRemoveOnCancelPolicy(true);
            ex.scheduleWithFixedDelay(Watchdog::sweep, 10, 10, TimeUnit.MILLISECONDS);
        }
    }

    private static void sweep() {
        for (Run r : WATCHED) {
            try {
                StopReason reason = r.reasonToStop();
                if (reason != null) {
                    r.abort(reason);
                }
            } catch (Throwable t) {
                // keep watching the others
            }
        }
    }
}
