package io.safetyguard.examples.t2i;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.reaction.PlaceholderStyle;
import io.safetyguard.examples.TinyModel;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The t2i example end to end: the real tiny model in llama.cpp, an in-test WebUI over HTTP. */
class Txt2ImgExampleIT {

    @TempDir
    Path dir;

    @Test
    void generatesChecksWithTheRealModelAndWritesTheResult() throws Exception {
        Path out = dir.resolve("result.png");
        List<String> lines = new ArrayList<>();
        try (FakeSdWebUi server = new FakeSdWebUi();
                SafetyGuard guard = TinyModel.guard(1)) {
            SdWebUiClient client = new SdWebUiClient(server.baseUrl(), Duration.ofSeconds(2), Duration.ofSeconds(30));
            Txt2ImgRequest request =
                    Txt2ImgRequest.of("a lighthouse").withSeed(99).withSize(64, 48);

            Txt2ImgExample.Outcome outcome = new Txt2ImgExample(
                            guard, client, UnsafeStrategy.AMEND, 2, PlaceholderStyle.BLACK)
                    .generate(request, out, attempt -> lines.add(Txt2ImgExample.describe(attempt)));

            assertThat(server.requests()).isNotEmpty().hasSizeLessThanOrEqualTo(2);
            assertThat(server.requests().get(0).get("prompt").asText()).isEqualTo("a lighthouse");
            assertThat(server.requests().get(0).get("seed").asLong()).isEqualTo(99);
            // One attempt per request the server saw, each with a model verdict (not a failure).
            assertThat(outcome.attempts()).isEqualTo(server.requests().size());
            assertThat(lines)
                    .hasSize(outcome.attempts())
                    .allMatch(l -> l.startsWith("attempt "))
                    .noneMatch(l -> l.contains("no verdict"));
            assertThat(outcome.file()).isEqualTo(out);
            BufferedImage written = ImageIO.read(out.toFile());
            assertThat(written).as("a PNG at the output path").isNotNull();
            assertThat(written.getWidth()).isEqualTo(64);
            assertThat(written.getHeight()).isEqualTo(48);
        }
    }
}
