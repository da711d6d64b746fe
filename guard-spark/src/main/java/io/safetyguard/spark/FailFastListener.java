package io.safetyguard.spark;

import org.apache.spark.ExceptionFailure;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Cancels the job group at the first task that failed because the model did not load on its
 * executor. Spark would retry the task ({@code spark.task.maxFailures}) and start every other task
 * of the stage against the same unloadable files; a guard job fails at once, with the loader's message.
 */
final class FailFastListener extends SparkListener {

    private static final String MARKER = ModelUnavailableException.class.getName();

    private final SparkContext sc;
    private final String jobGroup;
    private volatile String failure;

    FailFastListener(SparkContext sc, String jobGroup) {
        this.sc = sc;
        this.jobGroup = jobGroup;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (failure == null && end.reason() instanceof ExceptionFailure f) {
            String message = modelFailure(f);
            if (message != null) {
                failure = message;
                sc.cancelJobGroup(jobGroup);
            }
        }
    }

    /** The loader's message when the task failed because the model did not load, else null. */
    static String modelFailure(ExceptionFailure f) {
        if (MARKER.equals(f.className())) {
            return f.description();
        }
        String trace = f.fullStackTrace() == null ? "" : f.fullStackTrace();
        int at = trace.indexOf(MARKER + ": ");
        if (at < 0) {
            return null;
        }
        int from = at + MARKER.length() + 2;
        int eol = trace.indexOf('\n', from);
        return trace.substring(from, eol < 0 ? trace.length() : eol).strip();
    }

    /** The model failure seen, or null. */
    String failure() {
        return failure;
    }
}
