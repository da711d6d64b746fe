package io.safetyguard.remote;

import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A llama-server child process on loopback, serving a tiny model pair, for the real-server tests.
 * llama-server cannot bind port 0, so a free port is found first (and another one tried if it was taken
 * meanwhile). Always {@link #close()} it: the process is killed, forcibly if it does not stop.
 */
final class LlamaServerProcess implements AutoCloseable {

    /** Tokens of context per slot: the tiny image, the default policy (~2k tokens) and a full answer. */
    static final int CONTEXT_PER_SLOT = 4096;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final int port;
    private final Path log;

    private LlamaServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * The llama-server binary: {@code -Dsafetyguard.llama.server=PATH}, else the path the Maven build wrote
     * ({@code -Dsafetyguard.llama.server.path.file}, last line of build-natives.sh --server-only). Aborts
     * (skips) the calling test when neither names an executable, with how to get one.
     */
    static Path binary() {
        String explicit = System.getProperty("safetyguard.llama.server", "");
        if (!explicit.isBlank() && !explicit.startsWith("${")) {
            Path p = Path.of(explicit);
            Assumptions.assumeTrue(Files.isExecutable(p), "-Dsafetyguard.llama.server=" + p + " is not an executable");
            return p;
        }
        String file = System.getProperty("safetyguard.llama.server.path.file", "");
        Optional<Path> built = Optional.empty();
        try {
            if (!file.isBlank() && Files.isRegularFile(Path.of(file))) {
                List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
                for (int i = lines.size() - 1; i >= 0 && built.isEmpty(); i--) {
                    String l = lines.get(i).strip();
                    if (l.endsWith("/llama-server") && Files.isExecutable(Path.of(l))) {
                        built = Optional.of(Path.of(l));
                    }
                }
            }
        } catch (IOException e) {
            // treated as not built
        }
        Assumptions.assumeTrue(
                built.isPresent(),
                "llama-server is not built (the Maven build skipped it with "
                        + "-Dsafetyguard.server.skip=true, or see " + file + "); build it with "
                        + "guard-llamacpp/native/build-natives.sh --server-only or pass -Dsafetyguard.llama.server=PATH");
        return built.get();
    }

    /** Starts llama-server with {@code slots} parallel slots, one CPU thread, and waits for {@code /health}. */
    static LlamaServerProcess start(Path binary, TinyModelPair pair, int slots, Path logDir)
            throws IOException, InterruptedException {
        IOException last = null;
        for (int tryNo = 0; tryNo < 3; tryNo++) {
            int port = freePort();
            // -Dsafetyguard.remote.logdir=DIR keeps the server logs after the test (they go to a temp dir otherwise)
            String keep = System.getProperty("safetyguard.remote.logdir", "");
            Path dirForLog = keep.isBlank() || keep.startsWith("${") ? logDir : Files.createDirectories(Path.of(keep));
            Path log = dirForLog.resolve("llama-server-" + port + ".log");
            List<String> cmd = new ArrayList<>(List.of(
                    binary.toString(),
                    "--model",
                    pair.model().toString(),
                    "--mmproj",
                    pair.mmproj().toString(),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    Integer.toString(port),
                    "--threads",
                    "1",
                    "--threads-batch",
                    "1",
                    "--threads-http",
                    "2",
                    "--parallel",
                    Integer.toString(slots),
                    "--ctx-size",
                    Integer.toString(CONTEXT_PER_SLOT * slots),
                    // the legacy ChatML template: system and user turns byte-exact as LlavaGuard v1.2 was trained
                    "--no-jinja",
                    "--chat-template",
                    "chatml",
                    "--no-webui",
                    "--no-warmup",
                    "--cache-ram",
                    "0",
                    "--n-gpu-layers",
                    "0"));
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            LlamaServerProcess server = new LlamaServerProcess(p, port, log);
            try {
                server.awaitHealthy();
                return server;
            } catch (IOException e) {
                server.close();
                last = e;
                if (!Files.readString(log).contains("bind")) {
                    break; // not a port collision: do not try again
                }
            }
        }
        throw last;
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("llama-server exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(url() + "/health"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException(
                "llama-server did not become healthy within " + START_TIMEOUT.toSeconds() + " s:\n" + tail());
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Kills the server at once, as a crash would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
