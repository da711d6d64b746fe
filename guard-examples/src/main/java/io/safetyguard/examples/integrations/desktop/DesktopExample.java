package io.safetyguard.examples.integrations.desktop;

import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.examples.integrations.ExampleCommandLine;
import io.safetyguard.examples.integrations.ExampleException;
import io.safetyguard.examples.integrations.GuardFlags;
import java.awt.GraphicsEnvironment;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.swing.SwingUtilities;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Example 3: an in-process check inside a desktop tool. Opens a window; drop an image on it or use
 * File &gt; Open, and it shows the image and its verdict. The model runs in this process, off the
 * event dispatch thread. Returns when the window is closed.
 */
@Command(name = "desktop",
        description = {"A small window that checks dropped or opened images in-process and shows the verdict.",
                "Needs a display (on a server: xvfb-run)."})
public final class DesktopExample implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Mixin
    GuardFlags guardFlags = new GuardFlags();

    @Parameters(arity = "0..1", paramLabel = "IMAGE", description = "An image to check at start-up.")
    Path image;

    public static void main(String[] args) {
        System.exit(ExampleCommandLine.execute(new DesktopExample(), args));
    }

    @Override
    public Integer call() throws InterruptedException {
        CommandLine cmd = spec.commandLine();
        try {
            if (GraphicsEnvironment.isHeadless()) {
                throw ExampleException.badInput("no display: this example opens a window. Run it in a desktop session "
                        + "(DISPLAY set), or on a server under 'xvfb-run -a'.");
            }
            try (SafetyGuard guard = guardFlags.openGuard(CacheConfig.defaults(), cmd.getErr())) {
                showAndWait(guard);
            }
            return ExampleCommandLine.EXIT_OK;
        } catch (ExampleException e) {
            return ExampleCommandLine.report(cmd, e);
        }
    }

    /** Shows the window and blocks until it is closed, so the guard outlives every check it runs. */
    private void showAndWait(SafetyGuard guard) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        try {
            SwingUtilities.invokeAndWait(() -> {
                VerdictPresenter presenter = new VerdictPresenter(guard, new SwingBackgroundTasks());
                VerdictWindow window = new VerdictWindow(presenter);
                window.frame().addWindowListener(new WindowAdapter() {
                    @Override
                    public void windowClosed(WindowEvent e) {
                        closed.countDown();
                    }
                });
                window.frame().setLocationByPlatform(true);
                window.frame().setVisible(true);
                if (image != null) {
                    presenter.open(image);
                }
            });
        } catch (InvocationTargetException e) {
            throw new ExampleException("cannot open the window: " + e.getCause(), e.getCause());
        }
        closed.await();
    }
}
