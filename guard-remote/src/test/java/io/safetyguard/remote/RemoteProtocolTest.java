package io.safetyguard.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.policy.Policy;
import io.safetyguard.policy.VerdictGrammar;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wire protocol against an in-test server: the exact JSON sent per dialect, documented answers of
 * SGLang, vLLM and llama-server replayed (verdicts, log-probabilities, errors), retries, circuit breaking.
 */
class RemoteProtocolTest {

    private static final Policy POLICY = Policy.llavaGuardDefault();
    private static final DecodedImage IMAGE = image();

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private FakeChatServer server(String ownedBy) {
        FakeChatServer s = FakeChatServer.start(ownedBy);
        toClose.add(s);
        return s;
    }

    private RemoteSafetyModel model(RemoteSafetyModel.Builder b) throws ModelException {
        RemoteSafetyModel m = b.retryPolicy(new RetryPolicy(4, Duration.ofMillis(20), Duration.ofMillis(200), 2))
                .probeBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .build();
        toClose.add(m);
        return m;
    }

    private static ModelRequest request(GenerationOptions options) {
        return ModelRequest.of(IMAGE, POLICY, options, null);
    }

    @Test
    void sglangGetsOneUserMessageImageFirstTheReferenceSamplingAndTheJsonSchema() throws Exception {
        FakeChatServer s = server("sglang");
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(s.url() + "/v1/"));

        ModelOutput out = m.evaluate(request(GenerationOptions.DEFAULT));

        assertThat(out.text()).isEqualTo(FakeChatServer.VERDICT);
        JsonNode body = s.lastBody();
        assertThat(body.path("model").asText()).isEqualTo("AIML-TUDA/LlavaGuard-v1.2-7B-OV"); // from GET /v1/models
        assertThat(body.path("messages")).hasSize(1);
        JsonNode user = body.path("messages").get(0);
        assertThat(user.path("role").asText()).isEqualTo("user");
        JsonNode content = user.path("content");
        assertThat(content).hasSize(2);
        assertThat(content.get(0).path("type").asText()).isEqualTo("image_url");
        assertSamePixels(content.get(0).path("image_url").path("url").asText());
        assertThat(content.get(1).path("type").asText()).isEqualTo("text");
        assertThat(content.get(1).path("text").asText())
                .isEqualTo(POLICY.render().strip());
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.95);
        assertThat(body.path("top_k").asInt()).isEqualTo(50);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(500);
        assertThat(body.path("logprobs").asBoolean()).isTrue();
        assertThat(body.path("top_logprobs").asInt()).isEqualTo(20);
        assertThat(body.path("stream").asBoolean(true)).isFalse();
        JsonNode format = body.path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        JsonNode schema = format.path("json_schema").path("schema");
        List<String> labels = new ArrayList<>();
        schema.path("properties").path("category").path("enum").forEach(n -> labels.add(n.asText()));
        assertThat(labels).isEqualTo(POLICY.categoryLabels());
        assertThat(schema.path("required").toString()).isEqualTo("[\"rating\",\"category\",\"rationale\"]");
        assertThat(body.has("grammar")).isFalse();
        assertThat(body.has("regex")).isFalse();
        assertThat(s.requests().get(0).authorization()).isNull();
    }

    @Test
    void vllmRegexFollowsTheTrainedLayoutAndVerdictOnlyDropsTheRationale() throws Exception {
        FakeChatServer s = server("vllm");
        RemoteSafetyModel m = model(RemoteSafetyModel.builder()
                .endpoint(s.url())
                .structuredOutput(StructuredOutput.REGEX)
                .model("llavaguard"));

        m.evaluate(request(GenerationOptions.DEFAULT));
        JsonNode body = s.lastBody();
        assertThat(body.path("model").asText()).isEqualTo("llavaguard");
        assertThat(body.path("messages")).hasSize(1);
        assertThat(body.has("response_format")).isFalse();
        Pattern full =
                Pattern.compile(body.path("structured_outputs").path("regex").asText());
        assertThat(full.matcher(FakeChatServer.VERDICT).matches()).isTrue();
        assertThat(full.matcher(FakeChatServer.VERDICT.replace("NA: None applying", "O10: Made up"))
                        .matches())
                .isFalse();
        assertThat(full.matcher(FakeChatServer.VERDICT.replace("    \"rating\"", "  \"rating\""))
                        .matches())
                .isFalse();

        m.evaluate(request(GenerationOptions.DEFAULT.withVerdictOnly(true)));
        Pattern verdictOnly = Pattern.compile(
                s.lastBody().path("structured_outputs").path("regex").asText());
        assertThat(verdictOnly
                        .matcher(
                                "{\n    \"rating\": \"Unsafe\",\n    \"category\": \"O2: Violence, Harm, or Cruelty\"\n}")
                        .matches())
                .isTrue();
        assertThat(verdictOnly.matcher(FakeChatServer.VERDICT).matches()).isFalse();
    }

    @Test
    void regexEscapesCustomCategoryLabels() {
        Policy custom = POLICY.toBuilder()
                .addCategory("O10", "Drugs (legal?) [C++] a.b*c \"q\" \\ d", "Should not:\n- x")
                .build();
        String label = custom.categoryLabels().stream()
                .filter(l -> l.startsWith("O10"))
                .findFirst()
                .orElseThrow();
        Pattern p = Pattern.compile(VerdictRegex.of(custom, true));
        String json = "{\n    \"rating\": \"Unsafe\",\n    \"category\": " + jsonQuote(label) + "\n}";
        assertThat(p.matcher(json).matches()).as(json).isTrue();
        assertThat(p.matcher(json.replace("a.b", "aXb")).matches()).isFalse(); // "." is literal
    }

    @Test
    void anUnconstrainedRequestSendsNoConstraint() throws Exception {
        FakeChatServer sglang = server("sglang");
        FakeChatServer llama = server("llamacpp");
        ModelRequest free = ModelRequest.unconstrained(IMAGE, POLICY.render(), GenerationOptions.DEFAULT, null);
        model(RemoteSafetyModel.builder().endpoint(sglang.url())).evaluate(free);
        model(RemoteSafetyModel.builder().endpoint(llama.url())).evaluate(free);
        assertThat(sglang.lastBody().has("response_format")).isFalse();
        assertThat(sglang.lastBody().has("regex")).isFalse();
        assertThat(llama.lastBody().has("grammar")).isFalse();
        assertThat(llama.lastBody().has("json_schema")).isFalse();
    }

    @Test
    void llamaServerGetsTheGrammarDerivedFromThePolicy() throws Exception {
        FakeChatServer llama = server("llamacpp");
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(llama.url()));
        m.evaluate(request(GenerationOptions.DEFAULT.withVerdictOnly(true)));
        assertThat(llama.lastBody().path("grammar").asText()).isEqualTo(VerdictGrammar.gbnf(POLICY, true));
        m.evaluate(request(GenerationOptions.DEFAULT));
        assertThat(llama.lastBody().path("grammar").asText()).isEqualTo(VerdictGrammar.gbnf(POLICY, false));
    }

    private static String jsonQuote(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void sglangRegexIsATopLevelField() throws Exception {
        FakeChatServer s = server("sglang");
        RemoteSafetyModel m =
                model(RemoteSafetyModel.builder().endpoint(s.url()).structuredOutput(StructuredOutput.REGEX));
        m.evaluate(request(GenerationOptions.DEFAULT));
        assertThat(s.lastBody().path("regex").asText()).startsWith("\\{\\n    \"rating\"");
        assertThat(s.lastBody().has("structured_outputs")).isFalse();
    }

    @Test
    void llamaServerGetsTheSystemTurnAndTheSameGbnfGrammarAsInProcess() throws Exception {
        FakeChatServer s = server("llamacpp");
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(s.url()));
        GenerationOptions greedy = GenerationOptions.DEFAULT.withGreedy(true);

        m.evaluate(request(greedy));

        JsonNode body = s.lastBody();
        assertThat(body.path("messages")).hasSize(2);
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("You are a helpful assistant.");
        assertThat(body.path("messages")
                        .get(1)
                        .path("content")
                        .get(0)
                        .path("type")
                        .asText())
                .isEqualTo("image_url");
        assertThat(body.path("grammar").asText()).isEqualTo(VerdictGrammar.gbnf(POLICY, false));
        assertThat(body.has("response_format")).isFalse();
        assertThat(body.path("temperature").asDouble()).isZero();
        assertThat(body.path("top_k").asInt()).isEqualTo(1);
        assertThat(m.info().id()).isEqualTo("remote:AIML-TUDA/LlavaGuard-v1.2-7B-OV");
    }

    @Test
    void plainOpenAiServersGetOnlyStandardFields() throws Exception {
        FakeChatServer s = server("openai");
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(s.url()));
        m.evaluate(request(GenerationOptions.DEFAULT));
        assertThat(s.lastBody().has("top_k")).isFalse();
        assertThat(s.lastBody().path("response_format").path("type").asText()).isEqualTo("json_schema");
    }

    @Test
    void regexOnLlamaServerIsRefusedUpFront() {
        assertThatThrownBy(() -> RemoteSafetyModel.builder()
                        .endpoint("http://127.0.0.1:1")
                        .dialect(ServerDialect.LLAMA_SERVER)
                        .structuredOutput(StructuredOutput.REGEX)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("REGEX is not supported by LLAMA_SERVER");
    }

    @Test
    void vllmLogprobsGiveTheProbabilityOfUnsafe() throws Exception {
        FakeChatServer s = server("vllm");
        s.reply(200, resource("vllm-chat-logprobs.json"));
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(s.url()));

        ModelOutput out = m.evaluate(request(GenerationOptions.DEFAULT));

        assertThat(out.text()).startsWith("{\n    \"rating\": \"Unsafe\"");
        double unsafe = Math.exp(-0.3) + Math.exp(-5.0);
        double safe = Math.exp(-1.5) + Math.exp(-4.0);
        assertThat(out.probabilityUnsafe()).hasValueCloseTo(unsafe / (unsafe + safe), within(1e-9));
        assertThat(out.promptTokens()).isEqualTo(2301);
        assertThat(out.generatedTokens()).isEqualTo(35);
    }

    @Test
    void categoryProbabilitiesFollowTheChainRuleOverTheListedAlternatives() throws Exception {
        FakeChatServer s = server("vllm");
        s.reply(200, resource("vllm-chat-category-logprobs.json"));
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(s.url()));

        ModelOutput out = m.evaluate(request(GenerationOptions.DEFAULT));

        // step "O": O (all O-values, drawn), NA and N (NA only); "Safe" fits no value and is left out
        double first = Math.exp(-0.1) + Math.exp(-2.5) + Math.exp(-4.0);
        double pathO = Math.exp(-0.1) / first;
        // step "2": 2, 6, 1 each decide one value; "x" fits none
        double second = Math.exp(-0.4) + Math.exp(-1.2) + Math.exp(-2.5);
        Map<String, Double> q = out.categoryProbabilities();
        assertThat(q.keySet())
                .containsExactlyElementsOf(POLICY.categoryLabels().stream()
                        .map(l -> POLICY.categoryIdForLabel(l).orElseThrow())
                        .toList());
        assertThat(q.get("NA")).isCloseTo((Math.exp(-2.5) + Math.exp(-4.0)) / first, within(1e-9));
        assertThat(q.get("O2")).isCloseTo(pathO * Math.exp(-0.4) / second, within(1e-9));
        assertThat(q.get("O6")).isCloseTo(pathO * Math.exp(-1.2) / second, within(1e-9));
        assertThat(q.get("O1")).isCloseTo(pathO * Math.exp(-2.5) / second, within(1e-9));
        assertThat(q.get("O3")).isZero();
        assertThat(q.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void aSingleListedSpellingPerStepGivesTheWrittenCategoryProbabilityOne() throws Exception {
        FakeChatServer s = server("vllm");
        s.reply(200, resource("vllm-chat-logprobs.json"));
        ModelOutput out =
                model(RemoteSafetyModel.builder().endpoint(s.url())).evaluate(request(GenerationOptions.DEFAULT));
        assertThat(out.categoryProbabilities()).containsEntry("O2", 1.0).containsEntry("NA", 0.0);
    }

    @Test
    void aSharedPrefixNotTakenLeavesTheDistributionUnknown() {
        // the model wrote NA while "O" (every O-value) was listed: how "O" splits was never computed
        String content = """
                [{"token": "{\\"rating\\": \\"Safe\\", \\"category\\": \\"", "logprob": 0},
                 {"token": "NA", "logprob": -0.2,
                  "top_logprobs": [{"token": "NA", "logprob": -0.2}, {"token": "O", "logprob": -1.7}]}]
                """;
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(content);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(CategoryLogprobs.categoryProbabilities(node, POLICY)).isEmpty();
        // without the O alternative NA is certain
        ((com.fasterxml.jackson.databind.node.ArrayNode) node.get(1).get("top_logprobs")).remove(1);
        assertThat(CategoryLogprobs.categoryProbabilities(node, POLICY)).containsEntry("NA", 1.0);
    }

    @Test
    void llamaServerLogprobsWithTheQuoteInTheValueTokenAndItsTimings() throws Exception {
        FakeChatServer s = server("llamacpp");
        s.reply(200, resource("llama-server-chat-logprobs.json"));
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(s.url()));

        ModelOutput out = m.evaluate(request(GenerationOptions.DEFAULT));

        assertThat(out.probabilityUnsafe())
                .hasValueCloseTo(Math.exp(-1.8) / (Math.exp(-0.2) + Math.exp(-1.8)), within(1e-9));
        assertThat(out.promptTokens()).isEqualTo(812);
        assertThat(out.prefillMillis()).isEqualTo(431.5);
        assertThat(out.decodeMillis()).isEqualTo(120.25);
    }

    @Test
    void sglangAnswerWithoutLogprobsHasNoProbability() throws Exception {
        FakeChatServer s = server("sglang");
        s.reply(200, resource("sglang-chat.json"));
        RemoteSafetyModel m =
                model(RemoteSafetyModel.builder().endpoint(s.url()).topLogprobs(0));

        ModelOutput out = m.evaluate(request(GenerationOptions.DEFAULT));

        assertThat(out.text()).contains("O6: Weapons or Substance Abuse");
        assertThat(out.probabilityUnsafe()).isEmpty();
        assertThat(out.categoryProbabilities()).isEmpty();
        assertThat(s.lastBody().has("logprobs")).isFalse();
        assertThat(out.promptTokens()).isEqualTo(9816);
    }

    @Test
    void busyAndUnavailableAnswersAreRetriedWithBackoff() throws Exception {
        FakeChatServer s = server("sglang");
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(s.url()));
        s.reply(503, resource("sglang-error-503.json"))
                .reply(429, "{\"error\":{\"message\":\"rate limited\"}}", Map.of("Retry-After", "0"), 0);

        long t0 = System.nanoTime();
        ModelOutput out = m.evaluate(request(GenerationOptions.DEFAULT));

        assertThat(out.text()).isEqualTo(FakeChatServer.VERDICT);
        assertThat(s.requests()).hasSize(3);
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
                .isGreaterThanOrEqualTo(Duration.ofMillis(20)); // one backoff
        assertThat(m.inRotation(s.url())).isTrue(); // two faults stay under the threshold of 3
    }

    @Test
    void inputErrorsAreNotRetriedAndCarryTheServersMessage() throws Exception {
        FakeChatServer s = server("vllm");
        s.reply(400, resource("vllm-error-400.json"));
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(s.url()));

        assertThatThrownBy(() -> m.evaluate(request(GenerationOptions.DEFAULT)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("32768 max model length")
                .satisfies(e -> assertThat(((ModelException) e).isTransient()).isFalse());
        assertThat(s.requests()).hasSize(1);
    }

    @Test
    void llamaServersAnswerParserFailureIsExplainedAndNotRetried() throws Exception {
        FakeChatServer s = server("llamacpp");
        s.reply(
                500,
                "{\"error\":{\"code\":500,\"message\":\"The model produced output that does not match the expected "
                        + "Content-only format\",\"type\":\"server_error\"}}");
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(s.url()));

        assertThatThrownBy(() -> m.evaluate(request(GenerationOptions.DEFAULT)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("HTTP 500: The model produced output")
                .hasMessageContaining("not valid UTF-8");
        assertThat(s.requests()).hasSize(1);
    }

    @Test
    void aRejectedApiKeySaysToCheckIt() throws Exception {
        FakeChatServer s = server("llamacpp");
        s.reply(401, resource("llama-server-error-401.json"));
        RemoteSafetyModel m =
                model(RemoteSafetyModel.builder().endpoint(s.url()).apiKey("sk-wrong"));

        assertThatThrownBy(() -> m.evaluate(request(GenerationOptions.DEFAULT)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("Invalid API Key")
                .hasMessageContaining("check the API key");
        assertThat(s.requests()).hasSize(1);
        assertThat(s.requests().get(0).authorization()).isEqualTo("Bearer sk-wrong");
    }

    @Test
    void noReachableEndpointIsReportedWithEachAddressAndProblem() throws Exception {
        int a = freePort();
        FakeChatServer loading = server("vllm");
        loading.modelsStatus(503);
        assertThatThrownBy(() -> RemoteSafetyModel.builder()
                        .endpoint("http://127.0.0.1:" + a)
                        .endpoint(loading.url())
                        .build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("http://127.0.0.1:" + a + " (out of rotation: connection refused)")
                .hasMessageContaining(loading.url() + " (out of rotation: HTTP 503: Loading model)");
    }

    @Test
    void aDeadEndpointIsTakenOutAndProbedBackIn() throws Exception {
        FakeChatServer a = server("llamacpp");
        FakeChatServer b = server("llamacpp");
        int portA = a.port();
        RemoteSafetyModel m = model(RemoteSafetyModel.builder()
                .endpoint(a.url())
                .endpoint(b.url())
                .failureThreshold(2)
                .healthCheckInterval(Duration.ofMillis(100)));
        a.close();

        for (int i = 0; i < 6; i++) {
            assertThat(m.evaluate(request(GenerationOptions.DEFAULT)).text()).isEqualTo(FakeChatServer.VERDICT);
        }
        assertThat(m.inRotation("http://127.0.0.1:" + portA)).isFalse();
        assertThat(m.endpointStatus()).contains("out of rotation: connection refused");
        assertThat(b.requests()).hasSize(6);

        FakeChatServer back = FakeChatServer.start(portA, "llamacpp");
        toClose.add(back);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!m.inRotation(back.url()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(m.inRotation(back.url())).isTrue();
        for (int i = 0; i < 4; i++) {
            m.evaluate(request(GenerationOptions.DEFAULT));
        }
        assertThat(back.requests()).hasSizeGreaterThanOrEqualTo(2); // round-robin among idle endpoints
    }

    @Test
    void allAttemptsFailingListsWhatWasTried() throws Exception {
        FakeChatServer s = server("sglang");
        RemoteSafetyModel m =
                model(RemoteSafetyModel.builder().endpoint(s.url()).failureThreshold(10));
        for (int i = 0; i < 4; i++) {
            s.reply(503, resource("sglang-error-503.json"));
        }
        assertThatThrownBy(() -> m.evaluate(request(GenerationOptions.DEFAULT)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("no endpoint gave an answer in 4 attempts")
                .hasMessageContaining(s.url() + ": HTTP 503: The server is overloaded")
                .satisfies(e -> assertThat(((ModelException) e).isTransient()).isTrue());
    }

    @Test
    void cancellationAbortsAWaitingRequest() throws Exception {
        FakeChatServer s = server("sglang");
        s.reply(200, FakeChatServer.completion(FakeChatServer.VERDICT), Map.of(), 5_000);
        RemoteSafetyModel m = model(RemoteSafetyModel.builder().endpoint(s.url()));
        long t0 = System.nanoTime();
        ModelRequest r = ModelRequest.of(
                IMAGE,
                POLICY,
                GenerationOptions.DEFAULT,
                () -> System.nanoTime() - t0 > Duration.ofMillis(200).toNanos());

        assertThatThrownBy(() -> m.evaluate(r)).isInstanceOf(CancellationException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aSlowAnswerTimesOutAndIsRetried() throws Exception {
        FakeChatServer s = server("sglang");
        s.reply(200, FakeChatServer.completion(FakeChatServer.VERDICT), Map.of(), 2_000);
        RemoteSafetyModel m =
                model(RemoteSafetyModel.builder().endpoint(s.url()).requestTimeout(Duration.ofMillis(300)));

        assertThat(m.evaluate(request(GenerationOptions.DEFAULT)).text()).isEqualTo(FakeChatServer.VERDICT);
        assertThat(s.requests()).hasSize(2);
    }

    @Test
    void malformedEndpointsAreRefusedWithAnExample() {
        assertThatThrownBy(() ->
                        RemoteSafetyModel.builder().endpoint("localhost:8080").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://127.0.0.1:8080");
        assertThatThrownBy(() -> RemoteSafetyModel.builder()
                        .endpoint("http://a:1")
                        .endpoint("http://a:1/v1")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("given twice");
    }

    private static void assertSamePixels(String dataUrl) throws IOException {
        assertThat(dataUrl).startsWith("data:image/png;base64,");
        byte[] png = Base64.getDecoder().decode(dataUrl.substring("data:image/png;base64,".length()));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(IMAGE.width());
        assertThat(img.getHeight()).isEqualTo(IMAGE.height());
        for (int y = 0; y < IMAGE.height(); y++) {
            for (int x = 0; x < IMAGE.width(); x++) {
                int i = (y * IMAGE.width() + x) * 3;
                int expected =
                        (IMAGE.rgb()[i] & 0xFF) << 16 | (IMAGE.rgb()[i + 1] & 0xFF) << 8 | (IMAGE.rgb()[i + 2] & 0xFF);
                assertThat(img.getRGB(x, y) & 0xFFFFFF).isEqualTo(expected);
            }
        }
    }

    static DecodedImage image() {
        int w = 7;
        int h = 5;
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 37);
        }
        return new DecodedImage(w, h, rgb, "0".repeat(64), "test");
    }

    static String resource(String name) throws IOException {
        try (InputStream in = RemoteProtocolTest.class.getResourceAsStream("replies/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
