package io.safetyguard.examples.desktop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@link BackgroundTasks} that run only when the test says so, in the order it chooses: makes
 * races (a result arriving after a newer image was opened) deterministic.
 */
final class ManualTasks implements BackgroundTasks {

    private final List<Runnable> pending = new ArrayList<>();

    @Override
    public <T> void run(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure) {
        pending.add(() -> {
            T result;
            try {
                result = work.call();
            } catch (Exception e) {
                onFailure.accept(e);
                return;
            }
            onSuccess.accept(result);
        });
    }

    int pending() {
        return pending.size();
    }

    /** Runs the {@code index}-th pending task (work and callback) and removes it. */
    void runTask(int index) {
        pending.remove(index).run();
    }

    /** Runs tasks, including those they start, until none is left. */
    void runAll() {
        while (!pending.isEmpty()) {
            runTask(0);
        }
    }
}
