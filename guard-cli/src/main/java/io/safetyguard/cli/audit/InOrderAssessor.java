package io.safetyguard.cli.audit;

import io.safetyguard.core.Verdict;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Runs assessments concurrently but hands their results on in input order, as soon as each is next
 * in line. At most {@code window} assessments are submitted and not yet handed on, which bounds
 * memory and keeps the guard's workers busy (a window of about twice its parallelism is enough).
 *
 * <p>Why not {@code SafetyGuard.assessAll}: it returns only when the whole batch is done, and an
 * audit must write each verdict as it comes so that a killed run loses nothing.
 */
public final class InOrderAssessor {

    /** Receives each item's outcome, in input order, on the calling thread. */
    @FunctionalInterface
    public interface Sink<T> {
        /**
         * @param verdict the verdict, or null when the assessment ended with an exception
         * @param error   that exception, or null
         */
        void accept(T item, Verdict verdict, Throwable error) throws IOException;
    }

    private InOrderAssessor() {}

    /**
     * Submits {@code items} through {@code submit} and passes each outcome to {@code sink} in input
     * order. If the sink throws or the thread is interrupted, the assessments not yet handed on are
     * cancelled.
     *
     * @param window how many assessments may be in flight at once, at least 1
     */
    public static <T> void run(List<T> items, int window, Function<T, CompletableFuture<Verdict>> submit, Sink<T> sink)
            throws IOException, InterruptedException {
        runOrdered(items, window, submit, sink::accept);
    }

    /** Receives each item's outcome of any type, in input order, on the calling thread. */
    @FunctionalInterface
    public interface OutcomeSink<T, R> {
        /**
         * @param result the result, or null when the assessment ended with an exception
         * @param error  that exception, or null
         */
        void accept(T item, R result, Throwable error) throws IOException;
    }

    /** {@link #run} for assessments with results other than one {@link Verdict} (animations judged frame by frame). */
    public static <T, R> void runOrdered(
            List<T> items, int window, Function<T, CompletableFuture<R>> submit, OutcomeSink<T, R> sink)
            throws IOException, InterruptedException {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        Deque<CompletableFuture<R>> pending = new ArrayDeque<>();
        int next = 0;
        try {
            for (int done = 0; done < items.size(); done++) {
                while (next < items.size() && pending.size() < window) {
                    pending.addLast(submit.apply(items.get(next++)));
                }
                CompletableFuture<R> head = pending.removeFirst();
                R verdict = null;
                Throwable error = null;
                try {
                    verdict = head.get();
                } catch (ExecutionException e) {
                    error = e.getCause() == null ? e : e.getCause();
                } catch (java.util.concurrent.CancellationException e) {
                    error = e;
                }
                sink.accept(items.get(done), verdict, error);
            }
        } finally {
            pending.forEach(f -> f.cancel(true));
        }
    }
}
