package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.safetyguard.cli.audit.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guard audit --endpoint A --endpoint B} against two in-test OpenAI-compatible servers, one of
 * which stops answering (connection refused) after its first few requests: every image still gets
 * exactly one verdict line. The real llama-server version of this runs in guard-remote's LlamaServerTest.
 */
class RemoteAuditCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERDICT = "{\n    \"rating\": \"Unsafe\",\n    \"category\": \"O3: Sexual Content\"\n}";

    @TempDir
    Path dir;

    @Test
    void auditOverTwoEndpointsSurvivesOneGoingAway() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        for (int i = 0; i < 12; i++) {
            TestImages.png(data.resolve("img-" + i + ".png"), i + 1);
        }
        AtomicInteger seenByA = new AtomicInteger();
        HttpServer[] holder = new HttpServer[1];
        // A dies at its fourth request: that one gets no answer, and the closed socket refuses the rest
        HttpServer a = server(ex -> {
            if (seenByA.incrementAndGet() > 3) {
                ex.close();
                holder[0].stop(0);
                return;
            }
            answer(ex);
        });
        holder[0] = a;
        HttpServer b = server(RemoteAuditCommandTest::answer);
        try {
            String urlA = "http://127.0.0.1:" + a.getAddress().getPort();
            String urlB = "http://127.0.0.1:" + b.getAddress().getPort();
            Path out = dir.resolve("out");
            CliRun run = CliRun.of(
                    "audit",
                    "--endpoint",
                    urlA,
                    "--endpoint",
                    urlB,
                    "--endpoint-concurrency",
                    "2",
                    "--verdict-only",
                    "--category-threshold", // no distribution over HTTP without logprobs: the rating stands
                    "O3=0.2",
                    "--quiet",
                    "--out",
                    out.toString(),
                    data.toString());

            assertThat(run.exitCode()).as(run.stderr()).isZero();
            List<JsonNode> lines = new ArrayList<>();
            for (String l : Files.readAllLines(out.resolve("verdicts.jsonl"), StandardCharsets.UTF_8)) {
                lines.add(JSON.readTree(l));
            }
            assertThat(lines).hasSize(12);
            Set<String> paths = new HashSet<>();
            for (JsonNode l : lines) {
                assertThat(l.get("error").isNull()).as(l.toString()).isTrue();
                assertThat(l.get("rating").asText()).isEqualTo("Unsafe");
                assertThat(l.get("category").asText()).isEqualTo("O3: Sexual Content");
                paths.add(l.get("path").asText());
            }
            assertThat(paths).hasSize(12);
            String report = Files.readString(out.resolve("report.html"));
            assertThat(report).contains(urlA, urlB);
            Element thresholds = Jsoup.parse(report).getElementById("run-category-thresholds");
            assertThat(thresholds)
                    .as("the report's settings list the category thresholds in effect")
                    .isNotNull();
            assertThat(thresholds.text()).isEqualTo("O3 0.2");
        } finally {
            a.stop(0);
            b.stop(0);
        }
    }

    @Test
    void endpointAndModelFilesAreExclusive() {
        String image = TestImages.png(dir.resolve("x.png"), 1).toString();
        CliRun run = CliRun.of(
                "check", "--endpoint", "http://127.0.0.1:9", "--model", "m.gguf", "--mmproj", "p.gguf", image);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("do not combine it with --model/--mmproj");
    }

    @Test
    void neitherModelNorEndpointSaysWhatToGive() {
        CliRun run = CliRun.of("check", TestImages.png(dir.resolve("x.png"), 1).toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("--model FILE.gguf --mmproj FILE.gguf", "--endpoint URL");
    }

    private static HttpServer server(HttpHandler chat) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        s.createContext(
                "/v1/models",
                ex -> send(
                        ex,
                        200,
                        "{\"object\":\"list\",\"data\":[{\"id\":\"llavaguard\",\"object\":\"model\",\"owned_by\":\"sglang\"}]}"));
        s.createContext("/v1/chat/completions", chat);
        s.start();
        return s;
    }

    private static void answer(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        send(
                ex,
                200,
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + JSON.writeValueAsString(VERDICT) + "},\"finish_reason\":\"stop\"}]}");
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }
}
