package io.safetyguard.examples.desktop;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.examples.ExampleException;
import io.safetyguard.examples.ExampleGuards;
import java.awt.GraphicsEnvironment;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import javax.swing.SwingUtilities;

/**
 * Example 3: an in-process check inside a desktop tool. Opens a window; drop an image on it or use
 * File &gt; Open, and it shows the image and its verdict. The model runs in this process, off the
 * event dispatch thread ({@link VerdictPresenter} with {@link SwingBackgroundTasks}).
 */
public final class DesktopExample {
    private DesktopExample() {}

    /**
     * Shows the window, checks {@code image} first when it is not null, and blocks until the
     * window is closed, so the guard outlives every check it runs.
     *
     * @throws ExampleException (bad input) without a display
     */
    public static void showAndWait(SafetyGuard guard, Path image) throws InterruptedException {
        requireDisplay();
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

    /** Fails with what to do when there is no display, before anything slow (like loading a model) starts. */
    public static void requireDisplay() {
        if (GraphicsEnvironment.isHeadless()) {
            throw ExampleException.badInput("no display: this example opens a window. Run it in a desktop session "
                    + "(DISPLAY set), or on a server under 'xvfb-run -a'.");
        }
    }

    /** {@code DesktopExample MODEL.gguf MMPROJ.gguf [IMAGE]}. Exits 0 when the window is closed, 2 for bad input. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: DesktopExample MODEL.gguf MMPROJ.gguf [IMAGE]");
            System.exit(2);
        }
        try {
            requireDisplay();
            try (SafetyGuard guard = ExampleGuards.open(Path.of(args[0]), Path.of(args[1]), 1)) {
                showAndWait(guard, args.length == 3 ? Path.of(args[2]) : null);
            }
        } catch (ExampleException e) {
            ExampleGuards.exitWith("DesktopExample", e);
        }
    }
}
