package io.safetyguard.examples.desktop;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import javax.swing.SwingWorker;

/**
 * {@link BackgroundTasks} on {@link SwingWorker}: the work runs on a worker thread, the callback on
 * the event dispatch thread, so the window stays responsive while the model runs. Works headless
 * too (the event queue exists without a display), which the presenter tests rely on.
 */
public final class SwingBackgroundTasks implements BackgroundTasks {

    @Override
    public <T> void run(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure) {
        new SwingWorker<T, Void>() {
            @Override
            protected T doInBackground() throws Exception {
                return work.call();
            }

            @Override
            protected void done() {
                T result;
                try {
                    result = get(); // done() runs only once the work has finished: get() does not block
                } catch (ExecutionException e) {
                    onFailure.accept(e.getCause() != null ? e.getCause() : e);
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    onFailure.accept(e);
                    return;
                }
                onSuccess.accept(result);
            }
        }.execute();
    }
}
