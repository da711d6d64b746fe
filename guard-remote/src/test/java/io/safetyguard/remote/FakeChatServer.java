package io.safetyguard.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-test OpenAI-compatible server on loopback: records every chat request and answers with scripted
 * replies (status, body, headers, delay), then with a default verdict.
 */
final class FakeChatServer implements AutoCloseable {

    static final String VERDICT = "{\n    \"rating\": \"Safe\",\n    \"category\": \"NA: None applying\",\n"
            + "    \"rationale\": \"A plain test image.\"\n}";
    private static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, String body, Map<String, String> headers, long delayMillis) {}

    record Recorded(JsonNode body, String authorization) {}

    private final HttpServer server;
    private final String ownedBy;
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger modelProbes = new AtomicInteger();
    private volatile int modelsStatus = 200;

    private FakeChatServer(HttpServer server, String ownedBy) {
        this.server = server;
        this.ownedBy = ownedBy;
        server.createContext("/v1/models", this::models);
        server.createContext("/v1/chat/completions", this::chat);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-chat-server");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    static FakeChatServer start(String ownedBy) {
        return start(0, ownedBy);
    }

    static FakeChatServer start(int port, String ownedBy) {
        try {
            return new FakeChatServer(
                    HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64), ownedBy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    int port() {
        return server.getAddress().getPort();
    }

    FakeChatServer reply(int status, String body) {
        return reply(status, body, Map.of(), 0);
    }

    FakeChatServer reply(int status, String body, Map<String, String> headers, long delayMillis) {
        script.add(new Reply(status, body, headers, delayMillis));
        return this;
    }

    void modelsStatus(int status) {
        this.modelsStatus = status;
    }

    List<Recorded> requests() {
        return requests;
    }

    JsonNode lastBody() {
        return requests.get(requests.size() - 1).body();
    }

    int modelProbes() {
        return modelProbes.get();
    }

    static String completion(String content) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":" + quote(content)
                + "},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}";
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void models(HttpExchange ex) throws IOException {
        modelProbes.incrementAndGet();
        int status = modelsStatus;
        String body = status == 200
                ? "{\"object\":\"list\",\"data\":[{\"id\":\"AIML-TUDA/LlavaGuard-v1.2-7B-OV\",\"object\":\"model\",\"owned_by\":\""
                        + ownedBy + "\"}]}"
                : "{\"error\":{\"message\":\"Loading model\",\"type\":\"unavailable_error\",\"code\":" + status + "}}";
        send(ex, status, body, Map.of());
    }

    private void chat(HttpExchange ex) throws IOException {
        byte[] raw;
        try (InputStream in = ex.getRequestBody()) {
            raw = in.readAllBytes();
        }
        requests.add(new Recorded(JSON.readTree(raw), ex.getRequestHeaders().getFirst("Authorization")));
        Reply r = script.poll();
        if (r == null) {
            r = new Reply(200, completion(VERDICT), Map.of(), 0);
        }
        if (r.delayMillis() > 0) {
            try {
                Thread.sleep(r.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        send(ex, r.status(), r.body(), r.headers());
    }

    private static void send(HttpExchange ex, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        try {
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        } catch (IOException e) {
            // the client went away (cancelled or timed out)
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
