package io.safetyguard.examples.t2i;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.reaction.PlaceholderStyle;
import io.safetyguard.examples.ExampleException;
import io.safetyguard.examples.ScriptedSafetyModel;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The t2i example's outcomes and refusals over a scripted model, and which failures are the user's input. */
class Txt2ImgExampleTest {

    @TempDir
    Path dir;

    private SafetyGuard guard;

    @BeforeEach
    void guard() {
        guard = SafetyGuard.builder()
                .model(new ScriptedSafetyModel(ScriptedSafetyModel.UNSAFE_O3))
                .ownsModel(true)
                .build();
    }

    @AfterEach
    void close() {
        guard.close();
    }

    @Test
    void anUnsafeImageIsBlockedAndThePlaceholderWritten() throws Exception {
        try (FakeSdWebUi server = new FakeSdWebUi()) {
            Txt2ImgExample t2i = new Txt2ImgExample(
                    guard, new SdWebUiClient(server.baseUrl()), UnsafeStrategy.BLOCK, 1, PlaceholderStyle.BLACK);

            Txt2ImgExample.Outcome outcome =
                    t2i.generate(Txt2ImgRequest.of("x").withSize(32, 32), dir.resolve("b.png"), a -> {});

            assertThat(outcome.allowed()).isFalse();
            assertThat(outcome.attempts()).isEqualTo(1);
            assertThat(dir.resolve("b.png")).isRegularFile();
        }
    }

    @Test
    void aServerThatIsDownIsAFailedTaskNotBadInput() throws Exception {
        URI url;
        try (FakeSdWebUi server = new FakeSdWebUi()) {
            url = server.baseUrl();
        } // closed: connection refused
        SdWebUiClient client = new SdWebUiClient(url, Duration.ofSeconds(2), Duration.ofSeconds(2));

        assertThatThrownBy(client::checkReachable)
                .isInstanceOfSatisfying(
                        SdWebUiException.class, e -> assertThat(e.isBadInput()).isFalse())
                .hasMessageContaining("cannot connect to " + url)
                .hasMessageContaining("--api");
    }

    @Test
    void aMissingOutputFolderAndNoPlaceholderAreBadInput() {
        SdWebUiClient client = new SdWebUiClient(URI.create("http://127.0.0.1:7860"));

        assertThatThrownBy(() -> Txt2ImgExample.checkOutput(dir.resolve("nowhere/out.png")))
                .isInstanceOfSatisfying(
                        ExampleException.class, e -> assertThat(e.isBadInput()).isTrue())
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> new Txt2ImgExample(guard, client, UnsafeStrategy.AMEND, 3, PlaceholderStyle.NONE))
                .isInstanceOfSatisfying(
                        ExampleException.class, e -> assertThat(e.isBadInput()).isTrue())
                .hasMessageContaining("black or blurred");
        assertThatThrownBy(() -> new Txt2ImgExample(guard, client, UnsafeStrategy.AMEND, 0, PlaceholderStyle.BLACK))
                .isInstanceOfSatisfying(
                        ExampleException.class, e -> assertThat(e.isBadInput()).isTrue());
    }
}
