package io.safetyguard.examples.desktop;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Runs slow work (reading an image, running the model) away from the UI thread and hands the
 * result back on it. {@link SwingBackgroundTasks} does this with {@code SwingWorker}; tests can
 * supply their own, which is what keeps {@link VerdictPresenter} testable without a display.
 */
public interface BackgroundTasks {

    /**
     * Starts {@code work} in the background; later calls exactly one of {@code onSuccess} (with its
     * result) or {@code onFailure} (with what it threw) on the UI thread.
     */
    <T> void run(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure);
}
