package io.safetyguard.examples.desktop;

import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageDecodingException;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The logic of the desktop tool, free of Swing components: opening an image reads and decodes it
 * in the background (under the guard's image limits), shows it, then assesses it in the
 * background and shows the verdict. Every step publishes a {@link ViewState} to the listeners.
 *
 * <p>Call {@link #open(Path)} on the UI thread; listeners are called there too. When a new image
 * is opened while another is still being checked, the older result is dropped on arrival, so the
 * window never shows a verdict next to the wrong image.
 */
public final class VerdictPresenter {

    /** Where the current check is. */
    public enum Status {
        /** Nothing opened yet. */
        EMPTY,
        /** Reading and decoding the file. */
        LOADING,
        /** The image is shown; the model is running. */
        CHECKING,
        /** A verdict is shown (possibly a failure verdict, which says why). */
        DONE,
        /** The file could not be opened or checked; the rationale field says why. */
        FAILED
    }

    public static final Color SAFE_COLOR = new Color(0x2E7D32);
    public static final Color UNSAFE_COLOR = new Color(0xC62828);
    /** For "no verdict": neither the model's Safe nor its Unsafe. */
    public static final Color NO_VERDICT_COLOR = new Color(0xEF6C00);

    public static final Color NEUTRAL_COLOR = new Color(0x616161);

    /**
     * Shown above everything while a tiny random-weight test model is loaded; the same words as the
     * note on the {@code guard audit} report, so the warning reads the same everywhere.
     */
    public static final String TINY_MODEL_BANNER =
            "The model is a tiny RANDOM-WEIGHT test model: these verdicts are meaningless.";

    static final String DROP_HINT = "Drop an image here or use File > Open";

    private final SafetyGuard guard;
    private final BackgroundTasks tasks;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private ViewState state = new ViewState(Status.EMPTY, DROP_HINT, null, "No image", NEUTRAL_COLOR, "", "", "");
    /** Bumped by every open(); a background result for an older number is stale. */
    private long ticket;

    /** Told about every new state, on the UI thread. */
    @FunctionalInterface
    public interface Listener {
        void stateChanged(ViewState state);
    }

    public VerdictPresenter(SafetyGuard guard, BackgroundTasks tasks) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.tasks = Objects.requireNonNull(tasks, "tasks");
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * A warning the window shows for as long as it is open, or empty: the tiny test models that
     * {@code guard model tiny} writes carry {@code safetyguard.tiny}, which llama.cpp models report
     * as the {@code tiny} metadata entry.
     */
    public Optional<String> modelWarning() {
        return "true".equals(guard.modelInfo().metadata().get("tiny"))
                ? Optional.of(TINY_MODEL_BANNER)
                : Optional.empty();
    }

    /** The state the view should show now. */
    public ViewState state() {
        return state;
    }

    /** Opens and checks {@code file}; replaces whatever was shown. */
    public void open(Path file) {
        Objects.requireNonNull(file, "file");
        long mine = ++ticket;
        String name = file.getFileName() == null
                ? file.toString()
                : file.getFileName().toString();
        publish(new ViewState(Status.LOADING, name, null, "Reading...", NEUTRAL_COLOR, "", "", file.toString()));
        ImageDecoder decoder = new ImageDecoder(guard.imageLimits());
        tasks.run(
                () -> Loaded.read(decoder, file),
                loaded -> {
                    if (mine == ticket) {
                        check(mine, name, loaded);
                    }
                },
                error -> {
                    if (mine == ticket) {
                        publish(failed(name, null, "Cannot open " + file + ": " + messageOf(error)));
                    }
                });
    }

    private void check(long mine, String name, Loaded loaded) {
        publish(new ViewState(
                Status.CHECKING,
                name,
                loaded.preview(),
                "Checking...",
                NEUTRAL_COLOR,
                "",
                "",
                "running " + guard.modelInfo().displayName()));
        // The same bytes that were shown are assessed: the verdict's digest is of exactly this image.
        ImageInput input = ImageInput.ofBytes(loaded.bytes(), name);
        tasks.run(
                () -> guard.assess(input),
                verdict -> {
                    if (mine == ticket) {
                        publish(done(name, loaded.preview(), verdict));
                    }
                },
                error -> {
                    if (mine == ticket) {
                        publish(failed(name, loaded.preview(), "The check failed: " + messageOf(error)));
                    }
                });
    }

    /** The state showing {@code verdict}. Package-private for the tests of texts and colours. */
    static ViewState done(String name, BufferedImage image, Verdict verdict) {
        if (verdict.isFailure()) {
            return new ViewState(
                    Status.DONE,
                    name,
                    image,
                    verdict.rating().label() + " (no verdict)",
                    NO_VERDICT_COLOR,
                    "",
                    verdict.failureReason().orElse(""),
                    "failure mode decided the rating; model " + verdict.modelId());
        }
        Color color = verdict.isUnsafe() ? UNSAFE_COLOR : SAFE_COLOR;
        String rationale = verdict.rationale().orElse("(the model gave no rationale)")
                + (verdict.rationaleTruncated() ? " [cut off]" : "");
        StringBuilder details =
                new StringBuilder(verdict.source() == VerdictSource.CACHE ? "from the cache" : "from the model");
        details.append(String.format(Locale.ROOT, ", %.0f ms", verdict.totalMillis()));
        verdict.probabilityUnsafe().ifPresent(p -> details.append(String.format(Locale.ROOT, ", P(unsafe) %.2f", p)));
        return new ViewState(
                Status.DONE,
                name,
                image,
                verdict.rating().label(),
                color,
                verdict.categoryLabel().orElse(""),
                rationale,
                details.toString());
    }

    private static ViewState failed(String name, BufferedImage image, String why) {
        return new ViewState(Status.FAILED, name, image, "Not checked", NO_VERDICT_COLOR, "", why, "");
    }

    private void publish(ViewState next) {
        state = next;
        for (Listener l : listeners) {
            l.stateChanged(next);
        }
    }

    private static String messageOf(Throwable error) {
        String m = error.getMessage();
        return m == null || m.isBlank() ? error.getClass().getSimpleName() : m;
    }

    /** A file read and decoded in the background: the bytes to assess and the pixels to show. */
    private record Loaded(byte[] bytes, BufferedImage preview) {
        static Loaded read(ImageDecoder decoder, Path file) throws ImageDecodingException {
            byte[] bytes = decoder.readBytes(file);
            DecodedImage decoded = decoder.decode(bytes, file.toString());
            return new Loaded(bytes, decoded.toBufferedImage());
        }
    }
}
