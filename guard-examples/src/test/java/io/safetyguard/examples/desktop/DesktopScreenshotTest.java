package io.safetyguard.examples.desktop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.examples.ScriptedSafetyModel;
import io.safetyguard.examples.TestImages;
import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import javax.swing.JComponent;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real screenshot of the desktop tool after a check: the window is shown on the display, an
 * image is opened, and the screen is captured with {@link Robot} to
 * {@code target/desktop-screenshot.png}. Runs only where a display exists (a desktop, or CI under
 * {@code xvfb-run -a mvn ...}); skipped in a headless build.
 */
class DesktopScreenshotTest {

    static final Path SCREENSHOT = Path.of("target", "desktop-screenshot.png");

    @TempDir
    Path dir;

    @Test
    void theWindowShowsTheImageARedUnsafeBadgeAndTheTinyModelBanner() throws Exception {
        assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display; run under xvfb-run to include this test");
        Path file = Files.write(dir.resolve("street.png"), TestImages.png(240, 160, 11));
        AtomicReference<VerdictWindow> window = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(new ScriptedSafetyModel(ScriptedSafetyModel.UNSAFE_O3).withMetadata(Map.of("tiny", "true")))
                .ownsModel(true)
                .build()) {
            SwingUtilities.invokeAndWait(() -> {
                VerdictPresenter presenter = new VerdictPresenter(guard, new SwingBackgroundTasks());
                presenter.addListener(s -> {
                    if (s.status() == VerdictPresenter.Status.DONE) {
                        done.countDown();
                    }
                });
                VerdictWindow w = new VerdictWindow(presenter);
                w.frame().setBounds(20, 20, 760, 460);
                w.frame().setVisible(true);
                window.set(w);
                presenter.open(file);
            });
            assertThat(done.await(20, TimeUnit.SECONDS)).as("verdict shown").isTrue();

            Robot robot = new Robot();
            robot.waitForIdle();
            robot.delay(300); // the window manager-less Xvfb still needs a moment to map and paint
            robot.waitForIdle();
            AtomicReference<Rectangle> frameBounds = new AtomicReference<>();
            AtomicReference<Rectangle> badge = new AtomicReference<>();
            AtomicReference<Rectangle> picture = new AtomicReference<>();
            AtomicReference<Rectangle> banner = new AtomicReference<>();
            AtomicReference<String> bannerText = new AtomicReference<>();
            SwingUtilities.invokeAndWait(() -> {
                frameBounds.set(window.get().frame().getBounds());
                badge.set(screenBounds(window.get().ratingLabel()));
                picture.set(screenBounds(window.get().imagePanel()));
                banner.set(screenBounds(window.get().bannerLabel()));
                bannerText.set(window.get().bannerLabel().getText());
            });
            BufferedImage shot = robot.createScreenCapture(frameBounds.get());
            Files.createDirectories(SCREENSHOT.getParent());
            ImageIO.write(shot, "png", SCREENSHOT.toFile());

            Rectangle f = frameBounds.get();
            Rectangle badgeInShot = translate(badge.get(), f);
            Rectangle pictureInShot = translate(picture.get(), f);
            assertThat(share(shot, badgeInShot, DesktopScreenshotTest::isUnsafeRed))
                    .as("the rating badge is mostly the Unsafe red (see %s)", SCREENSHOT)
                    .isGreaterThan(0.5);
            assertThat(share(shot, badgeInShot, c -> c.getRed() > 200 && c.getGreen() > 200 && c.getBlue() > 200))
                    .as("the badge has white text on it")
                    .isGreaterThan(0.005);
            assertThat(bannerText.get()).isEqualTo(VerdictPresenter.TINY_MODEL_BANNER);
            assertThat(share(shot, translate(banner.get(), f), c -> near(c, VerdictPresenter.NO_VERDICT_COLOR)))
                    .as("the tiny-model banner is drawn across the top (see %s)", SCREENSHOT)
                    .isGreaterThan(0.5);
            assertThat(distinctColours(shot, pictureInShot))
                    .as("the image is drawn, not a blank panel")
                    .isGreaterThan(20);
        } finally {
            SwingUtilities.invokeAndWait(() -> {
                if (window.get() != null) {
                    window.get().frame().dispose();
                }
            });
        }
    }

    private static boolean isUnsafeRed(Color c) {
        return near(c, VerdictPresenter.UNSAFE_COLOR);
    }

    private static boolean near(Color c, Color want) {
        return Math.abs(c.getRed() - want.getRed()) < 40
                && Math.abs(c.getGreen() - want.getGreen()) < 40
                && Math.abs(c.getBlue() - want.getBlue()) < 40;
    }

    private static Rectangle screenBounds(JComponent c) {
        Point p = c.getLocationOnScreen();
        return new Rectangle(p.x, p.y, c.getWidth(), c.getHeight());
    }

    private static Rectangle translate(Rectangle r, Rectangle frame) {
        Rectangle inShot = new Rectangle(r.x - frame.x, r.y - frame.y, r.width, r.height);
        assertThat(inShot.width).as("component has a size").isPositive();
        return inShot.intersection(new Rectangle(0, 0, frame.width, frame.height));
    }

    private static double share(BufferedImage img, Rectangle r, Predicate<Color> test) {
        long hits = 0;
        for (int y = r.y; y < r.y + r.height; y++) {
            for (int x = r.x; x < r.x + r.width; x++) {
                if (test.test(new Color(img.getRGB(x, y)))) {
                    hits++;
                }
            }
        }
        return (double) hits / Math.max(1, (long) r.width * r.height);
    }

    private static int distinctColours(BufferedImage img, Rectangle r) {
        Set<Integer> colours = new HashSet<>();
        for (int y = r.y; y < r.y + r.height; y += 2) {
            for (int x = r.x; x < r.x + r.width; x += 2) {
                colours.add(img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return colours.size();
    }
}
