package io.safetyguard.examples.t2i;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.examples.CommandRun;
import io.safetyguard.examples.ExampleCommandLine;
import io.safetyguard.examples.TinyModel;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The t2i example's main, end to end: the real tiny model in llama.cpp, an in-test WebUI over HTTP. */
class Txt2ImgExampleTest {

    @TempDir
    Path dir;

    @Test
    void generatesChecksWithTheRealModelAndWritesTheResult() throws Exception {
        Path out = dir.resolve("result.png");
        try (FakeSdWebUi server = new FakeSdWebUi()) {
            CommandRun run = CommandRun.of(new Txt2ImgExample(), CommandRun.args(TinyModel.flags(),
                    "--url", server.baseUrl().toString(), "--prompt", "a lighthouse", "--seed", "99",
                    "--width", "64", "--height", "48", "--on-unsafe", "amend", "--max-attempts", "2", "--out", out.toString()));

            assertThat(run.exitCode()).as(run.stderr()).isIn(ExampleCommandLine.EXIT_OK, ExampleCommandLine.EXIT_BLOCKED);
            assertThat(run.stderr()).contains("RANDOM-WEIGHT");
            assertThat(server.requests()).isNotEmpty().hasSizeLessThanOrEqualTo(2);
            assertThat(server.requests().get(0).get("prompt").asText()).isEqualTo("a lighthouse");
            assertThat(server.requests().get(0).get("seed").asLong()).isEqualTo(99);
            // One "attempt" line per request the server saw, each with a model verdict (not a failure).
            long attemptLines = run.stdout().lines().filter(l -> l.startsWith("attempt ")).count();
            assertThat(attemptLines).isEqualTo(server.requests().size());
            assertThat(run.stdout()).doesNotContain("no verdict");
            assertThat(run.stdout()).contains(run.exitCode() == ExampleCommandLine.EXIT_OK ? "allowed after" : "blocked after");

            BufferedImage written = ImageIO.read(out.toFile());
            assertThat(written).as("a PNG at --out").isNotNull();
            assertThat(written.getWidth()).isEqualTo(64);
            assertThat(written.getHeight()).isEqualTo(48);
        }
    }

    @Test
    void aServerThatIsDownIsOneClearLineAndExitCode1() throws Exception {
        String url;
        try (FakeSdWebUi server = new FakeSdWebUi()) {
            url = server.baseUrl().toString();
        } // closed: connection refused

        CommandRun run = CommandRun.of(new Txt2ImgExample(), CommandRun.args(TinyModel.flags(),
                "--url", url, "--prompt", "x", "--out", dir.resolve("x.png").toString()));

        assertThat(run.exitCode()).isEqualTo(ExampleCommandLine.EXIT_FAILED);
        assertThat(run.stderr()).contains("t2i: cannot connect to " + url, "--api").doesNotContain("Exception");
        assertThat(run.stderr()).as("found out before loading the model").doesNotContain("RANDOM-WEIGHT");
        assertThat(dir.resolve("x.png")).doesNotExist();
    }

    @Test
    void badFlagsAreExitCode2BeforeAnythingIsLoaded() {
        CommandRun badUrl = CommandRun.of(new Txt2ImgExample(), CommandRun.args(TinyModel.flags(),
                "--url", "ftp://example.org", "--prompt", "x"));
        CommandRun badStrategy = CommandRun.of(new Txt2ImgExample(), CommandRun.args(TinyModel.flags(),
                "--prompt", "x", "--on-unsafe", "ignore"));
        CommandRun missingModel = CommandRun.of(new Txt2ImgExample(), "--model", dir.resolve("none.gguf").toString(),
                "--mmproj", dir.resolve("none-mmproj.gguf").toString(), "--prompt", "x");

        assertThat(badUrl.exitCode()).isEqualTo(ExampleCommandLine.EXIT_BAD_INPUT);
        assertThat(badUrl.stderr()).contains("ftp://example.org", "http://127.0.0.1:7860");
        assertThat(badStrategy.exitCode()).isEqualTo(ExampleCommandLine.EXIT_BAD_INPUT);
        assertThat(badStrategy.stderr()).contains("block, reseed or amend");
        assertThat(missingModel.exitCode()).isEqualTo(ExampleCommandLine.EXIT_BAD_INPUT);
        assertThat(missingModel.stderr()).contains("none.gguf", "no such file");
    }
}
