package io.safetyguard.examples.t2i;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.safetyguard.examples.TestImages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-test Stable Diffusion WebUI: {@code POST /sdapi/v1/txt2img} on 127.0.0.1 at a free port.
 * By default it answers like the WebUI, with a PNG that depends on the seed (a random seed when
 * asked for -1) and the seed in {@code info}; a test can replace the answer. Records every request.
 */
final class FakeSdWebUi implements AutoCloseable {

    /** Produces the status and body for one request. */
    @FunctionalInterface
    interface Responder {
        Reply reply(JsonNode request) throws Exception;
    }

    record Reply(int status, String body) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private volatile Responder responder = FakeSdWebUi::webUiReply;

    FakeSdWebUi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/sdapi/v1/txt2img", this::handle);
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    FakeSdWebUi answering(Responder value) {
        this.responder = value;
        return this;
    }

    /** The requests received, as parsed JSON, in order. */
    List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** The image the default responder returns for {@code seed}: tests compare against it. */
    static byte[] imageFor(JsonNode request, long seed) {
        return TestImages.png(
                request.path("width").asInt(64), request.path("height").asInt(64), seed);
    }

    /** What the real WebUI sends: images, parameters (the request echoed) and info (a JSON string). */
    static Reply webUiReply(JsonNode request) {
        long seed = request.path("seed").asLong(-1);
        long used = seed == -1 ? 424242 : seed;
        String png = Base64.getEncoder().encodeToString(imageFor(request, used));
        String info = "{\"prompt\": " + JSON.valueToTree(request.path("prompt").asText()) + ", \"seed\": " + used
                + ", \"all_seeds\": [" + used + "]}";
        String body = "{\"images\": [\"" + png + "\"], \"parameters\": " + request + ", \"info\": "
                + JSON.valueToTree(info) + "}";
        return new Reply(200, body);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, new Reply(405, "{\"detail\": \"Method Not Allowed\"}"));
                return;
            }
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            requests.add(request);
            Reply reply;
            try {
                reply = responder.reply(request);
            } catch (Exception e) {
                reply = new Reply(500, "{\"error\": \"" + e + "\"}");
            }
            send(exchange, reply);
        }
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
