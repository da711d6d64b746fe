package io.safetyguard.examples.desktop;

import io.safetyguard.examples.ExampleMain;
import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.examples.ExampleCommandLine;
import io.safetyguard.examples.ExampleException;
import java.awt.GraphicsEnvironment;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.lang.reflect.InvocationTargetException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import javax.swing.SwingUtilities;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Example 3: an in-process check inside a desktop tool. Opens a window; drop an image on it or use
 * File &gt; Open, and it shows the image and its verdict. The model runs in this process, off the
 * event dispatch thread. Returns when the window is closed.
 */
@Command(name = "desktop",
        description = {"A small window that checks dropped or opened images in-process and shows the verdict.",
                "Needs a display (on a server: xvfb-run)."})
public final class DesktopExample extends ExampleMain {

    @Parameters(arity = "0..1", paramLabel = "IMAGE", description = "An image to check at start-up.")
    Path image;

    public static void main(String[] args) {
        System.exit(ExampleCommandLine.execute(new DesktopExample(), args));
    }

    @Override
    protected int run(PrintWriter stdout, PrintWriter stderr) throws InterruptedException {
        if (GraphicsEnvironment.isHeadless()) {
            throw ExampleException.badInput("no display: this example opens a window. Run it in a desktop session "
                    + "(DISPLAY set), or on a server under 'xvfb-run -a'.");
        }
        try (SafetyGuard guard = guardFlags.openGuard(CacheConfig.defaults(), stderr)) {
            showAndWait(guard);
        }
        return ExampleCommandLine.EXIT_OK;
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
