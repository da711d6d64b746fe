package io.safetyguard.examples.t2i;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.core.ImageInput;
import io.safetyguard.examples.TestImages;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP adapter against an in-test WebUI: the request it sends and every way an answer can be wrong. */
class SdWebUiClientTest {

    private FakeSdWebUi server;

    @BeforeEach
    void start() throws Exception {
        server = new FakeSdWebUi();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private SdWebUiClient client() {
        return new SdWebUiClient(server.baseUrl(), Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    @Test
    void sendsTheWebUiFieldsAndReturnsTheDecodedImageAndSeed() {
        Txt2ImgRequest request = new Txt2ImgRequest("a red fox", "blurry", 1234, 12, 96, 64, 6.5, "Euler a");

        Txt2ImgResponse response = client().txt2img(request);

        JsonNode sent = server.requests().get(0);
        assertThat(sent.get("prompt").asText()).isEqualTo("a red fox");
        assertThat(sent.get("negative_prompt").asText()).isEqualTo("blurry");
        assertThat(sent.get("seed").asLong()).isEqualTo(1234);
        assertThat(sent.get("steps").asInt()).isEqualTo(12);
        assertThat(sent.get("width").asInt()).isEqualTo(96);
        assertThat(sent.get("height").asInt()).isEqualTo(64);
        assertThat(sent.get("cfg_scale").asDouble()).isEqualTo(6.5);
        assertThat(sent.get("sampler_name").asText()).isEqualTo("Euler a");
        assertThat(sent.get("batch_size").asInt()).isEqualTo(1);
        assertThat(response.firstImage()).isEqualTo(FakeSdWebUi.imageFor(sent, 1234));
        assertThat(response.seed()).hasValue(1234);
    }

    @Test
    void aRandomSeedIsReportedAsTheSeedTheServerUsed() {
        ImageInput image = client().generate(Txt2ImgRequest.of("a fox").withSize(64, 64));

        assertThat(server.requests().get(0).get("seed").asLong()).isEqualTo(-1);
        assertThat(image.name()).isEqualTo("txt2img-seed-424242.png");
    }

    @Test
    void acceptsTheBaseUrlWithASlashOrTheFullEndpoint() {
        URI base = server.baseUrl();
        assertThat(new SdWebUiClient(URI.create(base + "/")).endpoint())
                .isEqualTo(URI.create(base + "/sdapi/v1/txt2img"));
        assertThat(new SdWebUiClient(URI.create(base + "/sdapi/v1/txt2img")).endpoint())
                .isEqualTo(URI.create(base + "/sdapi/v1/txt2img"));
    }

    @Test
    void rejectsAUrlThatIsNotHttp() {
        assertThatThrownBy(() -> new SdWebUiClient(URI.create("ftp://127.0.0.1/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://127.0.0.1:7860");
        assertThatThrownBy(() -> new SdWebUiClient(URI.create("localhost:7860")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void connectionRefusedSaysToStartTheWebUiWithTheApi() {
        URI closed = server.baseUrl();
        server.close(); // nothing listens on that port any more

        assertThatThrownBy(() -> new SdWebUiClient(closed, Duration.ofSeconds(2), Duration.ofSeconds(2))
                        .txt2img(Txt2ImgRequest.of("x")))
                .isInstanceOf(SdWebUiException.class)
                .hasMessageContaining(closed.toString())
                .hasMessageContaining("connection refused")
                .hasMessageContaining("--api");
    }

    @Test
    void checkReachableConnectsWithoutGeneratingAndReportsARefusal() {
        client().checkReachable();
        assertThat(server.requests()).as("nothing generated").isEmpty();

        URI closed = server.baseUrl();
        server.close();
        assertThatThrownBy(() -> new SdWebUiClient(closed).checkReachable())
                .isInstanceOf(SdWebUiException.class)
                .hasMessageContaining("connection refused");
    }

    @Test
    void aStatusOtherThan200IsReportedWithTheServersMessage() {
        server.answering(r ->
                new FakeSdWebUi.Reply(500, "{\"error\": \"OutOfMemoryError\", \"detail\": \"CUDA out of memory\"}"));

        assertThatThrownBy(() -> client().txt2img(Txt2ImgRequest.of("x")))
                .isInstanceOf(SdWebUiException.class)
                .hasMessageContaining("HTTP 500")
                .hasMessageContaining("CUDA out of memory");
    }

    @Test
    void notFoundHintsAtTheApiFlag() {
        server.answering(r -> new FakeSdWebUi.Reply(404, "{\"detail\": \"Not Found\"}"));

        assertThatThrownBy(() -> client().txt2img(Txt2ImgRequest.of("x")))
                .isInstanceOf(SdWebUiException.class)
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("--api");
    }

    @Test
    void aBodyThatIsNotJsonIsReported() {
        server.answering(r -> new FakeSdWebUi.Reply(200, "<html>Gradio app</html>"));

        assertThatThrownBy(() -> client().txt2img(Txt2ImgRequest.of("x")))
                .isInstanceOf(SdWebUiException.class)
                .hasMessageContaining("did not answer with JSON")
                .hasMessageContaining("<html>Gradio app</html>");
    }

    @Test
    void jsonWithoutImagesIsReported() {
        server.answering(r -> new FakeSdWebUi.Reply(200, "{\"images\": [], \"info\": \"{}\"}"));

        assertThatThrownBy(() -> client().txt2img(Txt2ImgRequest.of("x")))
                .isInstanceOf(SdWebUiException.class)
                .hasMessageContaining("\"images\"");
    }

    @Test
    void anImageThatIsNotBase64IsReported() {
        server.answering(r -> new FakeSdWebUi.Reply(200, "{\"images\": [\"not*base64!\"], \"info\": \"{}\"}"));

        assertThatThrownBy(() -> client().txt2img(Txt2ImgRequest.of("x")))
                .isInstanceOf(SdWebUiException.class)
                .hasMessageContaining("images[0]")
                .hasMessageContaining("base64");
    }

    @Test
    void aDataUrlImageAndAnUnreadableInfoAreAccepted() {
        byte[] png = TestImages.png(16, 16, 7);
        server.answering(r -> new FakeSdWebUi.Reply(
                200,
                "{\"images\": [\"data:image/png;base64," + Base64.getEncoder().encodeToString(png)
                        + "\"], \"info\": \"not json\"}"));

        Txt2ImgResponse response = client().txt2img(Txt2ImgRequest.of("x"));

        assertThat(response.firstImage()).isEqualTo(png);
        assertThat(response.seed()).isEmpty();
    }

    @Test
    void aServerSlowerThanTheRequestTimeoutIsReportedAsATimeout() {
        server.answering(r -> {
            Thread.sleep(1_000);
            return FakeSdWebUi.webUiReply(r);
        });
        SdWebUiClient impatient = new SdWebUiClient(server.baseUrl(), Duration.ofSeconds(2), Duration.ofMillis(300));

        assertThatThrownBy(() -> impatient.txt2img(Txt2ImgRequest.of("x")))
                .isInstanceOf(SdWebUiException.class)
                .hasMessageContaining("no answer")
                .hasMessageContaining("300 ms");
    }

    @Test
    void aNewSeedIsFoldedIntoTheWebUiRange() {
        Txt2ImgRequest r = Txt2ImgRequest.of("x");
        assertThat(r.withSeed(-5).seed()).isBetween(0L, Txt2ImgRequest.MAX_SEED);
        assertThat(r.withSeed(Long.MAX_VALUE).seed()).isBetween(0L, Txt2ImgRequest.MAX_SEED);
        assertThat(r.withSeed(77).seed()).isEqualTo(77);
        assertThatThrownBy(() -> new Txt2ImgRequest("x", "", -2, 20, 512, 512, 7, ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
