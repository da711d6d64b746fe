package io.safetyguard.examples.t2i;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.reaction.ImageGenerator;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A small client for the txt2img endpoint of a local Stable Diffusion WebUI (AUTOMATIC1111 /
 * Forge style, started with {@code --api}), usable as the {@link ImageGenerator} of a
 * {@code GuardedGenerator}. It uses the JDK's {@link HttpClient}; thread-safe.
 *
 * <p>Every failure is an {@link SdWebUiException} whose message names the URL and what to check:
 * connection refused or timed out, a status other than 200, a body that is not the expected JSON,
 * an image that is not valid base64.
 */
public final class SdWebUiClient implements ImageGenerator<Txt2ImgRequest> {

    public static final String TXT2IMG_PATH = "sdapi/v1/txt2img";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Generous: a 512x512 image takes seconds on a GPU and minutes on a CPU. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SNIPPET = 200;

    private final URI endpoint;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final HttpClient http;

    /** A client for the WebUI at {@code baseUrl} (e.g. {@code http://127.0.0.1:7860}) with default timeouts. */
    public SdWebUiClient(URI baseUrl) {
        this(baseUrl, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * @param baseUrl        the WebUI's address, or the full txt2img endpoint
     * @param connectTimeout how long to wait for the connection
     * @param requestTimeout how long to wait for the whole answer (the generation included)
     * @throws IllegalArgumentException for a URL that is not http(s) with a host
     */
    public SdWebUiClient(URI baseUrl, Duration connectTimeout, Duration requestTimeout) {
        this.endpoint = endpointOf(Objects.requireNonNull(baseUrl, "baseUrl"));
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        this.requestTimeout = positive(requestTimeout, "requestTimeout");
        this.http = HttpClient.newBuilder()
                .connectTimeout(this.connectTimeout)
                .version(HttpClient.Version.HTTP_1_1) // the WebUI's uvicorn speaks HTTP/1.1; skip the h2c upgrade dance
                .build();
    }

    /** The txt2img URL requests go to. */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * Checks that something accepts connections at the WebUI's host and port, without generating
     * anything: a host calls this before loading a large model, so a server that is down is
     * reported in a second rather than after the model has loaded.
     *
     * @throws SdWebUiException when the connection is refused or times out
     */
    public void checkReachable() {
        int port = endpoint.getPort() != -1
                ? endpoint.getPort()
                : "https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 80;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(endpoint.getHost(), port), (int)
                    Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        } catch (SocketTimeoutException e) {
            throw new SdWebUiException(
                    "could not connect to " + endpoint + " within " + seconds(connectTimeout)
                            + ": is the host reachable and the port right?",
                    e);
        } catch (ConnectException e) {
            throw refused(e);
        } catch (IOException e) {
            throw new SdWebUiException("cannot connect to " + endpoint + ": " + e, e);
        }
    }

    /** Generates one image and returns it named after the seed the server used, for logs and reports. */
    @Override
    public ImageInput generate(Txt2ImgRequest request) {
        Txt2ImgResponse response = txt2img(request);
        long seed = response.seed().orElse(request.seed());
        return ImageInput.ofBytes(response.firstImage(), "txt2img-seed-" + seed + ".png");
    }

    /**
     * Sends {@code request} and returns the decoded images and the seed used.
     *
     * @throws SdWebUiException when the server cannot be reached or answers with anything but a txt2img result
     */
    public Txt2ImgResponse txt2img(Txt2ImgRequest request) {
        HttpRequest http = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(request), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response = send(http);
        if (response.statusCode() != 200) {
            throw new SdWebUiException(endpoint + " answered HTTP " + response.statusCode()
                    + hint(response.statusCode()) + ": " + snippet(response.body()));
        }
        return parse(response.body());
    }

    /** The JSON body the WebUI expects; one image per request. */
    static String body(Txt2ImgRequest r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("prompt", r.prompt());
        o.put("negative_prompt", r.negativePrompt());
        o.put("seed", r.seed());
        o.put("steps", r.steps());
        o.put("width", r.width());
        o.put("height", r.height());
        o.put("cfg_scale", r.cfgScale());
        if (!r.samplerName().isEmpty()) {
            o.put("sampler_name", r.samplerName());
        }
        o.put("batch_size", 1);
        o.put("n_iter", 1);
        o.put("send_images", true);
        o.put("save_images", false); // the guard decides what is kept, not the server's output folder
        return o.toString();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw new SdWebUiException(
                    "could not connect to " + endpoint + " within " + seconds(connectTimeout)
                            + ": is the host reachable and the port right?",
                    e);
        } catch (HttpTimeoutException e) {
            throw new SdWebUiException(
                    "no answer from " + endpoint + " within " + seconds(requestTimeout)
                            + ": the generation may need longer (raise the request timeout, e.g. --http-timeout) or the server is stuck",
                    e);
        } catch (ConnectException e) {
            throw refused(e);
        } catch (IOException e) {
            throw new SdWebUiException("request to " + endpoint + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SdWebUiException("interrupted while waiting for " + endpoint, e);
        }
    }

    private SdWebUiException refused(ConnectException e) {
        return new SdWebUiException(
                "cannot connect to " + endpoint + " (connection refused): start the WebUI with "
                        + "--api (e.g. ./webui.sh --api) or fix --url",
                e);
    }

    private Txt2ImgResponse parse(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new SdWebUiException(
                    endpoint + " did not answer with JSON (is this a Stable Diffusion WebUI API?): " + snippet(body),
                    e);
        }
        JsonNode images = root == null ? null : root.get("images");
        if (images == null || !images.isArray() || images.isEmpty()) {
            throw new SdWebUiException(
                    endpoint + " answered JSON without a non-empty \"images\" array: " + snippet(body));
        }
        List<byte[]> decoded = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            decoded.add(decodeImage(images.get(i), i));
        }
        return new Txt2ImgResponse(decoded, seedOf(root.get("info")));
    }

    private byte[] decodeImage(JsonNode node, int index) {
        if (!node.isTextual()) {
            throw new SdWebUiException(
                    endpoint + ": images[" + index + "] is " + node.getNodeType() + ", expected a base64 string");
        }
        String text = node.asText();
        int comma = text.startsWith("data:") ? text.indexOf(',') : -1; // some forks send a data URL
        try {
            byte[] bytes = Base64.getDecoder().decode(text.substring(comma + 1).strip());
            if (bytes.length == 0) {
                throw new SdWebUiException(endpoint + ": images[" + index + "] is empty");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw new SdWebUiException(
                    endpoint + ": images[" + index + "] is not valid base64 (" + e.getMessage() + ")", e);
        }
    }

    /** The seed from {@code info}, a JSON document inside a string; absent when it cannot be read. */
    private static OptionalLong seedOf(JsonNode info) {
        if (info == null || !info.isTextual()) {
            return OptionalLong.empty();
        }
        try {
            JsonNode seed = JSON.readTree(info.asText()).get("seed");
            return seed != null && seed.canConvertToLong() ? OptionalLong.of(seed.asLong()) : OptionalLong.empty();
        } catch (JsonProcessingException e) {
            return OptionalLong.empty(); // only informational: the image itself is what matters
        }
    }

    private static URI endpointOf(URI base) {
        String scheme = base.getScheme();
        if (scheme == null
                || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || base.getHost() == null) {
            throw new IllegalArgumentException(
                    "not an http(s) URL with a host: '" + base + "'; use e.g. http://127.0.0.1:7860");
        }
        String path = base.getPath() == null ? "" : base.getPath();
        if (path.endsWith("/" + TXT2IMG_PATH)) {
            return base;
        }
        return URI.create(base.toString().replaceAll("/+$", "") + "/" + TXT2IMG_PATH);
    }

    private static String hint(int status) {
        return switch (status) {
            case 404 -> " (no txt2img API here: start the WebUI with --api)";
            case 401, 403 -> " (the API wants credentials: check --api-auth on the server)";
            case 422 -> " (the server rejected the request's fields)";
            default -> "";
        };
    }

    private static String snippet(String body) {
        String oneLine = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        if (oneLine.isEmpty()) {
            return "(empty body)";
        }
        return oneLine.length() <= SNIPPET ? oneLine : oneLine.substring(0, SNIPPET) + "...";
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return d;
    }
}
