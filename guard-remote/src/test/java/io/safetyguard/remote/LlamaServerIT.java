package io.safetyguard.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.llamacpp.PromptLayout;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import io.safetyguard.policy.Policy;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real llama-server processes, built from the pinned llama.cpp tree, serving the tiny random-weight
 * LLAVA/CLIP pair on loopback: verdicts through SafetyGuard over HTTP, and an audit that survives one of
 * two servers being killed in the middle.
 */
class LlamaServerIT {

    private static final Policy POLICY = Policy.llavaGuardDefault();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static Path binary;
    private static TinyModelPair pair;
    private static final List<LlamaServerProcess> servers = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        binary = LlamaServerProcess.binary();
        pair = TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir.resolve("model"));
    }

    @AfterAll
    static void stopServers() throws InterruptedException {
        for (LlamaServerProcess s : servers) {
            s.close();
        }
    }

    private static LlamaServerProcess startServer(int slots) throws IOException, InterruptedException {
        LlamaServerProcess s = LlamaServerProcess.start(binary, pair, slots, dir);
        servers.add(s);
        return s;
    }

    @Test
    void verdictsThroughSafetyGuardOverHttp() throws Exception {
        LlamaServerProcess server = startServer(2);
        // The prompt llama-server renders for our request is byte for byte the v1.2 ChatML layout.
        assertThat(renderedPrompt(server)).isEqualTo(PromptLayout.CHATML.render(POLICY.render(), "<__media__>"));

        try (RemoteSafetyModel model = RemoteSafetyModel.builder()
                        .endpoint(server.url())
                        .endpointConcurrency(2)
                        .build();
                SafetyGuard guard = SafetyGuard.builder()
                        .model(model)
                        .ownsModel(false)
                        .policy(POLICY)
                        // verdict-only: a random model's free-text rationale can be bytes that are not UTF-8, which
                        // llama-server refuses to return (see ChatClient); rating and category are fixed ASCII
                        .generationOptions(GenerationOptions.DEFAULT.withVerdictOnly(true))
                        .cache(CacheConfig.defaults())
                        .parallelism(2)
                        .build()) {
            assertThat(model.info().metadata()).containsEntry("dialect", "auto: " + server.url() + "=LLAMA_SERVER");
            List<ImageInput> images = images(3, "one");
            List<Verdict> verdicts = guard.assessAll(images);
            assertThat(verdicts).hasSize(3);
            for (Verdict v : verdicts) {
                assertThat(v.isFailure()).as("%s", v).isFalse();
                assertThat(v.categoryLabel()).isPresent(); // the grammar keeps even a random model to a verdict
                assertThat(v.probabilityUnsafe()).isPresent();
                assertThat(v.probabilityUnsafe().getAsDouble()).isBetween(0.0, 1.0);
                // llama-server lists top_logprobs: the category distribution, when every alternative resolves
                if (!v.categoryProbabilities().isEmpty()) {
                    assertThat(v.categoryProbabilities().values().stream()
                                    .mapToDouble(Double::doubleValue)
                                    .sum())
                            .isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
                    assertThat(v.categoryProbabilities().get(v.categoryId().orElseThrow()))
                            .isPositive();
                }
                assertThat(v.modelId()).isEqualTo(model.info().id());
            }
            assertThat(guard.assess(images.get(0)).source()).isEqualTo(VerdictSource.CACHE);
        }
    }

    @Test
    void anAuditOverTwoServersLosesNoVerdictWhenOneIsKilled() throws Exception {
        LlamaServerProcess a = startServer(1);
        LlamaServerProcess b = startServer(1);
        int n = 16;
        List<ImageInput> images = images(n, "audit");
        try (RemoteSafetyModel model = RemoteSafetyModel.builder()
                        .endpoint(a.url())
                        .endpoint(b.url())
                        .endpointConcurrency(1)
                        .probeBackoff(Duration.ofMillis(200), Duration.ofSeconds(2))
                        .build();
                SafetyGuard guard = SafetyGuard.builder()
                        .model(model)
                        .ownsModel(false)
                        .policy(POLICY)
                        .generationOptions(GenerationOptions.DEFAULT.withVerdictOnly(true))
                        .parallelism(2)
                        .build()) {
            AtomicInteger done = new AtomicInteger();
            List<CompletableFuture<Verdict>> pending = new ArrayList<>();
            for (ImageInput image : images) {
                pending.add(guard.assessAsync(image).whenComplete((v, e) -> done.incrementAndGet()));
            }
            while (done.get() < n / 4) {
                Thread.sleep(10);
            }
            b.kill(); // mid-run, with requests in flight on it
            int killedAt = done.get();

            List<Verdict> verdicts = new ArrayList<>();
            for (CompletableFuture<Verdict> f : pending) {
                verdicts.add(f.join());
            }
            assertThat(killedAt).isLessThan(n);
            assertThat(verdicts)
                    .hasSize(n)
                    .allSatisfy(v -> assertThat(v.isFailure()).as("%s", v).isFalse());
            Set<String> digests = new HashSet<>();
            verdicts.forEach(v -> digests.add(v.imageDigest().orElseThrow()));
            assertThat(digests).hasSize(n); // each image exactly once
            assertThat(model.inRotation(b.url())).isFalse();
            assertThat(model.inRotation(a.url())).isTrue();
        }
    }

    /** What llama-server's /apply-template makes of the request our writer sends. */
    private static String renderedPrompt(LlamaServerProcess server) throws IOException, InterruptedException {
        ChatRequestWriter writer = new ChatRequestWriter("tiny", StructuredOutput.NONE, 0);
        byte[] body = writer.write(
                ServerDialect.LLAMA_SERVER,
                io.safetyguard.core.spi.ModelRequest.of(
                        RemoteProtocolTest.image(), POLICY, GenerationOptions.DEFAULT, null),
                "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png(solid(8, 8, 0x336699))));
        ObjectNode request = (ObjectNode) JSON.readTree(body);
        HttpResponse<String> r = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(server.url() + "/apply-template"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(request)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        // llama-server picks a random media marker per process (<__media_XXXX__>); the position is what counts
        return answer.path("prompt").asText().replaceAll("<__media_[A-Za-z0-9]*__>", "<__media__>");
    }

    static List<ImageInput> images(int n, String tag) throws IOException {
        List<ImageInput> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(ImageInput.ofBytes(
                    png(solid(24 + i, 24, 0x102030 * (i + 1) + tag.hashCode())), tag + "-" + i + ".png"));
        }
        return list;
    }

    static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (rgb + x * 7 + y * 13) & 0xFFFFFF);
            }
        }
        return img;
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
