package io.safetyguard.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * One {@link SafetyGuard#assessAll} call: submits items as permits free up, at most
 * {@code parallelism} at a time, and fills the result array by index. Never throws for one item.
 */
final class BatchRun {
    private final List<ImageInput> items;
    private final PolicyContext context;
    private final Verdict[] results;
    private final Semaphore permits;
    private final CountDownLatch done;
    private final Cancellation cancel = new Cancellation();
    private final Assessor assessor;
    private final Executor executor;

    BatchRun(List<ImageInput> items, PolicyContext context, Assessor assessor, Executor executor, int parallelism) {
        this.items = items;
        this.context = context;
        this.assessor = assessor;
        this.executor = executor;
        this.permits = new Semaphore(parallelism);
        this.results = new Verdict[items.size()];
        this.done = new CountDownLatch(items.size());
    }

    List<Verdict> run() {
        long start = System.nanoTime();
        int submitted = 0;
        try {
            for (; submitted < items.size(); submitted++) {
                permits.acquire();
                int index = submitted;
                Runnable task = () -> {
                    try {
                        results[index] = assessor.assess(items.get(index), context, cancel, true);
                    } finally {
                        permits.release();
                        done.countDown();
                    }
                };
                try {
                    executor.execute(task);
                } catch (RejectedExecutionException e) {
                    task.run(); // a saturated or shut-down host executor: do the item here
                }
            }
            done.await();
        } catch (InterruptedException e) {
            cancel.cancel();
            for (int i = submitted; i < items.size(); i++) {
                done.countDown(); // never submitted, never counted down by a task
            }
            awaitStarted();
            Thread.currentThread().interrupt();
        }
        List<Verdict> out = new ArrayList<>(items.size());
        for (int i = 0; i < results.length; i++) {
            out.add(results[i] != null ? results[i] : notAssessed(i, i >= submitted, start));
        }
        return List.copyOf(out);
    }

    /** Started items are told to stop; wait for them so nothing runs after the batch returns. */
    private void awaitStarted() {
        while (true) {
            try {
                done.await();
                return;
            } catch (InterruptedException again) {
                // keep waiting; the flag is restored by the caller
            }
        }
    }

    private Verdict notAssessed(int index, boolean neverStarted, long start) {
        String name = items.get(index).name();
        AssessmentFailure failure = neverStarted
                ? new AssessmentFailure(
                        FailureKind.CANCELLED, name + ": not assessed, the batch was interrupted", null, null)
                : new AssessmentFailure(
                        FailureKind.MODEL_ERROR, name + ": the assessment ended without a verdict", null, null);
        return assessor.notAssessed(name, failure, context, start);
    }
}
