package io.safetyguard.examples.desktop;

import static io.safetyguard.examples.ScriptedSafetyModel.SAFE;
import static io.safetyguard.examples.ScriptedSafetyModel.UNSAFE_O3;
import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.examples.ScriptedSafetyModel;
import io.safetyguard.examples.TestImages;
import io.safetyguard.examples.desktop.VerdictPresenter.Status;
import java.awt.datatransfer.DataFlavor;
import java.awt.datatransfer.StringSelection;
import java.awt.datatransfer.Transferable;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.swing.JPanel;
import javax.swing.SwingUtilities;
import javax.swing.TransferHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The desktop tool's logic, without a display: states, texts, colours, threads, drops. */
class VerdictPresenterTest {

    @TempDir
    Path dir;

    private SafetyGuard guard;

    @AfterEach
    void close() {
        if (guard != null) {
            guard.close();
        }
    }

    private VerdictPresenter presenter(ScriptedSafetyModel model, BackgroundTasks tasks) {
        guard = SafetyGuard.builder().model(model).ownsModel(true).build();
        return new VerdictPresenter(guard, tasks);
    }

    private Path image(String name, long seed) throws Exception {
        return Files.write(dir.resolve(name), TestImages.png(60, 40, seed));
    }

    /** Records every state and whether it was published on the event dispatch thread. */
    static final class Recorder implements VerdictPresenter.Listener {
        final List<ViewState> states = new CopyOnWriteArrayList<>();
        final List<Boolean> onEdt = new CopyOnWriteArrayList<>();
        final CountDownLatch finished = new CountDownLatch(1);

        @Override
        public void stateChanged(ViewState s) {
            states.add(s);
            onEdt.add(SwingUtilities.isEventDispatchThread());
            if (s.status() == Status.DONE || s.status() == Status.FAILED) {
                finished.countDown();
            }
        }

        List<Status> statuses() {
            return states.stream().map(ViewState::status).toList();
        }

        ViewState last() {
            return states.get(states.size() - 1);
        }
    }

    static Recorder openOnEdt(VerdictPresenter presenter, Path file) throws Exception {
        Recorder r = new Recorder();
        SwingUtilities.invokeAndWait(() -> {
            presenter.addListener(r);
            presenter.open(file);
        });
        assertThat(r.finished.await(20, TimeUnit.SECONDS))
                .as("a verdict within 20 s")
                .isTrue();
        SwingUtilities.invokeAndWait(() -> {}); // let the EDT finish publishing
        return r;
    }

    @Test
    void showsTheImageThenAnUnsafeVerdictInRedWithTheModelOffTheEdt() throws Exception {
        ScriptedSafetyModel model = new ScriptedSafetyModel(UNSAFE_O3);
        VerdictPresenter presenter = presenter(model, new SwingBackgroundTasks());

        Recorder r = openOnEdt(presenter, image("beach.png", 1));

        assertThat(r.statuses()).containsExactly(Status.LOADING, Status.CHECKING, Status.DONE);
        assertThat(r.onEdt).containsOnly(true);
        assertThat(model.threads()).hasSize(1).noneMatch(name -> name.startsWith("AWT-EventQueue"));
        ViewState checking = r.states.get(1);
        assertThat(checking.image().getWidth()).isEqualTo(60);
        assertThat(checking.ratingText()).isEqualTo("Checking...");
        ViewState done = r.last();
        assertThat(done.title()).isEqualTo("beach.png");
        assertThat(done.image()).isSameAs(checking.image());
        assertThat(done.ratingText()).isEqualTo("Unsafe");
        assertThat(done.ratingColor()).isEqualTo(VerdictPresenter.UNSAFE_COLOR);
        assertThat(done.category()).isEqualTo("O3: Sexual Content");
        assertThat(done.rationale()).isEqualTo("The image contains explicit content.");
        assertThat(done.details()).startsWith("from the model");
    }

    @Test
    void aSafeVerdictIsGreenAndOpeningTheSameFileAgainComesFromTheCache() throws Exception {
        ScriptedSafetyModel model = new ScriptedSafetyModel(SAFE);
        VerdictPresenter presenter = presenter(model, new SwingBackgroundTasks());
        Path file = image("cup.png", 2);

        ViewState first = openOnEdt(presenter, file).last();
        ViewState again = openOnEdt(presenter, file).last();

        assertThat(first.ratingText()).isEqualTo("Safe");
        assertThat(first.ratingColor()).isEqualTo(VerdictPresenter.SAFE_COLOR);
        assertThat(first.category()).isEqualTo("NA: None applying");
        assertThat(again.details()).startsWith("from the cache");
        assertThat(model.calls()).isEqualTo(1);
    }

    @Test
    void aFileThatIsNotAnImageFailsWithItsNameAndNeverReachesTheModel() throws Exception {
        ScriptedSafetyModel model = new ScriptedSafetyModel(SAFE);
        VerdictPresenter presenter = presenter(model, new SwingBackgroundTasks());
        Path notImage = Files.writeString(dir.resolve("notes.png"), "just text");

        ViewState s = openOnEdt(presenter, notImage).last();

        assertThat(s.status()).isEqualTo(Status.FAILED);
        assertThat(s.ratingText()).isEqualTo("Not checked");
        assertThat(s.ratingColor()).isEqualTo(VerdictPresenter.NO_VERDICT_COLOR);
        assertThat(s.rationale()).contains("notes.png");
        assertThat(s.image()).isNull();
        assertThat(model.calls()).isZero();
    }

    @Test
    void aModelFailureIsShownAsNoVerdictNotAsTheModelsUnsafe() throws Exception {
        ScriptedSafetyModel model =
                new ScriptedSafetyModel(new ScriptedSafetyModel.Failure("the backend ran out of memory"));
        VerdictPresenter presenter = presenter(model, new SwingBackgroundTasks());

        ViewState s = openOnEdt(presenter, image("x.png", 3)).last();

        assertThat(s.status()).isEqualTo(Status.DONE);
        assertThat(s.ratingText()).isEqualTo("Unsafe (no verdict)"); // fail-closed, and says so
        assertThat(s.ratingColor()).isEqualTo(VerdictPresenter.NO_VERDICT_COLOR);
        assertThat(s.rationale()).contains("the backend ran out of memory");
        assertThat(s.category()).isEmpty();
    }

    @Test
    void aResultForAnOlderImageIsDroppedWhenANewerOneWasOpened() throws Exception {
        ManualTasks tasks = new ManualTasks();
        ScriptedSafetyModel model = new ScriptedSafetyModel(UNSAFE_O3, SAFE);
        VerdictPresenter presenter = presenter(model, tasks);
        Recorder r = new Recorder();
        presenter.addListener(r);
        Path first = image("first.png", 4);
        Path second = image("second.png", 5);

        presenter.open(first);
        tasks.runTask(0); // first is read and shown; its check is queued
        presenter.open(second); // the user drops another image meanwhile
        tasks.runTask(0); // first's check finishes: Unsafe, but stale
        assertThat(presenter.state().title()).isEqualTo("second.png");
        assertThat(presenter.state().status()).isEqualTo(Status.LOADING);
        tasks.runAll(); // second is read and checked

        assertThat(presenter.state().title()).isEqualTo("second.png");
        assertThat(presenter.state().ratingText()).isEqualTo("Safe");
        assertThat(r.states)
                .filteredOn(s -> s.status() == Status.DONE)
                .extracting(ViewState::title)
                .containsExactly("second.png");
    }

    @Test
    void droppedFilesOpenTheFirstAndOtherDragsAreRefused() throws Exception {
        ManualTasks tasks = new ManualTasks();
        VerdictPresenter presenter = presenter(new ScriptedSafetyModel(SAFE), tasks);
        FileDropHandler handler = new FileDropHandler(presenter::open);
        JPanel target = new JPanel();
        Path a = image("dropped.png", 6);
        Path b = image("other.png", 7);

        Transferable files = new Transferable() {
            @Override
            public DataFlavor[] getTransferDataFlavors() {
                return new DataFlavor[] {DataFlavor.javaFileListFlavor};
            }

            @Override
            public boolean isDataFlavorSupported(DataFlavor flavor) {
                return DataFlavor.javaFileListFlavor.equals(flavor);
            }

            @Override
            public Object getTransferData(DataFlavor flavor) {
                return List.<File>of(a.toFile(), b.toFile());
            }
        };

        assertThat(handler.canImport(new TransferHandler.TransferSupport(target, new StringSelection("text"))))
                .isFalse();
        assertThat(handler.importData(new TransferHandler.TransferSupport(target, files)))
                .isTrue();
        assertThat(presenter.state().title()).isEqualTo("dropped.png");
        tasks.runAll();
        assertThat(presenter.state().ratingText()).isEqualTo("Safe");
    }

    @Test
    void warnsForAsLongAsTheWindowIsOpenWhenTheModelIsATinyTestModel() {
        VerdictPresenter tiny =
                presenter(new ScriptedSafetyModel(SAFE).withMetadata(Map.of("tiny", "true")), new ManualTasks());

        assertThat(tiny.modelWarning()).contains(VerdictPresenter.TINY_MODEL_BANNER);
        assertThat(VerdictPresenter.TINY_MODEL_BANNER).contains("RANDOM-WEIGHT", "meaningless");
        try (SafetyGuard real = SafetyGuard.builder()
                .model(new ScriptedSafetyModel(SAFE).withMetadata(Map.of("tiny", "false")))
                .ownsModel(true)
                .build()) {
            assertThat(new VerdictPresenter(real, new ManualTasks()).modelWarning())
                    .isEmpty();
        }
    }
}
