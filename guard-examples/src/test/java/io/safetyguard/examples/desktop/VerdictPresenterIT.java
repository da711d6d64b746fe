package io.safetyguard.examples.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.examples.TestImages;
import io.safetyguard.examples.TinyModel;
import io.safetyguard.examples.desktop.VerdictPresenter.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The desktop tool's logic over the real tiny model in llama.cpp, without a display. */
class VerdictPresenterIT {

    @TempDir
    Path dir;

    @Test
    void runsTheRealTinyModelInProcessAndWarnsThatItIsATestModel() throws Exception {
        try (SafetyGuard guard = TinyModel.guard(1)) {
            VerdictPresenter presenter = new VerdictPresenter(guard, new SwingBackgroundTasks());
            Path file = Files.write(dir.resolve("real.png"), TestImages.png(60, 40, 8));

            ViewState s = VerdictPresenterTest.openOnEdt(presenter, file).last();

            assertThat(s.status()).isEqualTo(Status.DONE);
            assertThat(s.ratingText()).as(s.rationale()).isIn("Safe", "Unsafe");
            assertThat(s.category()).isNotEmpty();
            assertThat(s.details()).startsWith("from the model");
            // the same detection as the audit report: the file's safetyguard.tiny key
            assertThat(presenter.modelWarning()).contains(VerdictPresenter.TINY_MODEL_BANNER);
        }
    }
}
