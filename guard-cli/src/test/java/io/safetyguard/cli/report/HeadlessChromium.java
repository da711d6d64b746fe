package io.safetyguard.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A headless Chromium driven over the DevTools protocol (JSON over a WebSocket, JDK client only), for
 * tests that must see a report as a browser draws it: evaluate script in the page, click at a point
 * as a user would (real mouse events, so CSS such as {@code :checked} reacts), take a screenshot.
 *
 * <p>The browser starts with networking features off and a throw-away profile, and is stopped (with
 * the processes it started) on {@link #close()}.
 */
public final class HeadlessChromium implements AutoCloseable {
    /** Environment variable naming the browser binary, when it is not {@code chromium} on the PATH. */
    public static final String BINARY_ENV = "SAFETYGUARD_CHROMIUM";

    /** Generous: a loaded 2-core CI machine can take many seconds to start a browser. */
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, Path log, WebSocket socket) {
        this.process = process;
        this.log = log;
        this.socket = socket;
    }

    /** The browser binary: {@value #BINARY_ENV} if set, else the first of chromium, chromium-browser on the PATH. */
    public static Optional<Path> find() {
        String configured = System.getenv(BINARY_ENV);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts the browser with a {@code width}x{@code height} viewport, connects to its page and
     * opens {@code page}, returning once the page has loaded.
     *
     * @param workDir an empty folder for the profile and the browser's log
     */
    public static HeadlessChromium open(Path binary, Path workDir, URI page, int width, int height)
            throws IOException, InterruptedException {
        Path profile = Files.createDirectories(workDir.resolve("profile"));
        Path log = workDir.resolve("chromium.log");
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox", // CI runs as root, where Chromium's sandbox refuses to start
                "--disable-gpu",
                "--disable-dev-shm-usage", // containers have a small /dev/shm
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--user-data-dir=" + profile,
                "--remote-debugging-port=0",
                "--window-size=" + width + "," + height,
                "about:blank"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            int port = devToolsPort(process, profile, log);
            HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
            URI pageSocket = pageSocket(http, port);
            CompletableFuture<HeadlessChromium> self = new CompletableFuture<>();
            WebSocket socket = http.newWebSocketBuilder()
                    .connectTimeout(TIMEOUT)
                    .buildAsync(pageSocket, new Listener(self))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            HeadlessChromium browser = new HeadlessChromium(process, log, socket);
            self.complete(browser);
            browser.call(
                    "Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
            browser.call("Page.navigate", Map.of("url", page.toString()));
            browser.waitFor("location.href !== 'about:blank' && document.readyState === 'complete'");
            return browser;
        } catch (IOException
                | RuntimeException
                | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            stop(process);
            throw new IOException("could not drive " + binary + ": " + e + "\n" + tail(log), e);
        }
    }

    /** Evaluates {@code expression} in the page and returns its value as JSON (awaiting a promise). */
    public JsonNode evaluate(String expression) {
        JsonNode result =
                call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("script failed: " + expression + "\n" + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Polls {@code condition} until it is true. */
    public void waitFor(String condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!evaluate("Boolean(" + condition + ")").asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for: " + condition);
            }
            sleep(50);
        }
    }

    /** A left click at the viewport point (x, y), as mouse events: press and release. */
    public void click(double x, double y) {
        call("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x, "y", y));
        for (String type : List.of("mousePressed", "mouseReleased")) {
            call(
                    "Input.dispatchMouseEvent",
                    Map.of("type", type, "x", x, "y", y, "button", "left", "buttons", 1, "clickCount", 1));
        }
    }

    /** A PNG of the viewport as it is drawn now. */
    public byte[] screenshot() {
        JsonNode result = call("Page.captureScreenshot", Map.of("format", "png"));
        return Base64.getDecoder().decode(result.path("data").asText());
    }

    /** Sends one DevTools command and returns its result. */
    public JsonNode call(String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", JSON.valueToTree(params));
        try {
            socket.sendText(JSON.writeValueAsString(message), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            JsonNode response = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (response.has("error")) {
                throw new IllegalStateException(method + " failed: " + response.get("error"));
            }
            return response.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " interrupted", e);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(method + " got no answer: " + e + "\n" + tail(log), e);
        } finally {
            pending.remove(id);
        }
    }

    @Override
    public void close() {
        socket.abort();
        stop(process);
    }

    private void answer(String text) {
        try {
            JsonNode message = JSON.readTree(text);
            CompletableFuture<JsonNode> waiting =
                    message.has("id") ? pending.get(message.get("id").asInt()) : null;
            if (waiting != null) {
                waiting.complete(message);
            } // events (no id) are not needed
        } catch (IOException e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    /** Collects a message's parts and hands complete messages to the browser object. */
    private static final class Listener implements WebSocket.Listener {
        private final CompletableFuture<HeadlessChromium> browser;
        private final StringBuilder parts = new StringBuilder();

        Listener(CompletableFuture<HeadlessChromium> browser) {
            this.browser = browser;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                String message = parts.toString();
                parts.setLength(0);
                browser.thenAccept(b -> b.answer(message));
            }
            ws.request(1);
            return null;
        }
    }

    /** Chromium writes the port it chose to {@code DevToolsActivePort} in the profile. */
    private static int devToolsPort(Process process, Path profile, Path log) throws IOException, InterruptedException {
        Path file = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                    return Integer.parseInt(lines.get(0).trim());
                }
            }
            if (!process.isAlive()) {
                throw new IOException("chromium exited with status " + process.exitValue() + "\n" + tail(log));
            }
            Thread.sleep(50);
        }
        throw new IOException(
                "chromium wrote no DevToolsActivePort within " + TIMEOUT.toSeconds() + " s\n" + tail(log));
    }

    private static URI pageSocket(HttpClient http, int port) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .timeout(TIMEOUT)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : JSON.readTree(response.body())) {
            if ("page".equals(target.path("type").asText())) {
                return URI.create(target.path("webSocketDebuggerUrl").asText());
            }
        }
        throw new IOException("chromium lists no page target: " + response.body());
    }

    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "chromium log (last lines):\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no chromium log: " + e + ")";
        }
    }
}
