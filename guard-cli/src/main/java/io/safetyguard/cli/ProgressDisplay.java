package io.safetyguard.cli;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * The progress line of the batch commands, on stderr (stdout stays clean for results): done/total,
 * images (or MiB) per second of this run, elapsed time and ETA. {@code --quiet} turns it off.
 */
final class ProgressDisplay implements AutoCloseable {
    /** Width when stderr is not a terminal (a log file, a test): keeps jline from probing one. */
    private static final int FALLBACK_WIDTH = 100;

    private final ProgressBar bar;

    private ProgressDisplay(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * @param total       images in the whole job
     * @param alreadyDone images done by an earlier run (resume): the bar starts there, and the rate
     *                    and ETA count only this run's work
     */
    static ProgressDisplay start(String task, long total, long alreadyDone, boolean quiet, PrintStream err) {
        if (quiet) {
            return new ProgressDisplay(null);
        }
        ConsoleProgressBarConsumer consumer = System.console() != null
                ? new ConsoleProgressBarConsumer(err)
                : new ConsoleProgressBarConsumer(err, FALLBACK_WIDTH);
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" img", 1)
                .showSpeed(new DecimalFormat("0.00"))
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(500)
                .startsFrom(alreadyDone, Duration.ZERO)
                .setConsumer(consumer)
                .build();
        return new ProgressDisplay(bar);
    }

    /** A bar over bytes, shown in MiB (model conversion). */
    static ProgressDisplay startBytes(String task, long totalBytes, boolean quiet, PrintStream err) {
        if (quiet) {
            return new ProgressDisplay(null);
        }
        ConsoleProgressBarConsumer consumer = System.console() != null
                ? new ConsoleProgressBarConsumer(err)
                : new ConsoleProgressBarConsumer(err, FALLBACK_WIDTH);
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(totalBytes)
                .setUnit(" MiB", 1024 * 1024)
                .showSpeed(new DecimalFormat("0.0"))
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(500)
                .setConsumer(consumer)
                .build();
        return new ProgressDisplay(bar);
    }

    /** Progress is now {@code done} units. */
    void stepTo(long done) {
        if (bar != null) {
            bar.stepTo(done);
        }
    }

    /** One more image done. */
    void step() {
        if (bar != null) {
            bar.step();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
