package io.safetyguard.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The health probe: {@code GET /v1/models}. SGLang, vLLM and llama-server all serve it; it answers 200
 * only once the model is loaded, needs the API key like real requests do (so a wrong key shows up at
 * start-up), and names the engine ({@code owned_by}) and the served model ({@code id}).
 */
final class ServerProbe {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String apiKey;
    private final Duration timeout;

    ServerProbe(HttpClient http, String apiKey, Duration timeout) {
        this.http = http;
        this.apiKey = apiKey;
        this.timeout = timeout;
    }

    CompletableFuture<ProbeResult> probe(Endpoint e) {
        HttpRequest.Builder req =
                HttpRequest.newBuilder(e.models()).timeout(timeout).GET();
        if (apiKey != null) {
            req.header("Authorization", "Bearer " + apiKey);
        }
        return http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString())
                .handle((resp, err) -> err != null ? ProbeResult.down(Failures.describeIo(err)) : read(resp));
    }

    private static ProbeResult read(HttpResponse<String> resp) {
        if (resp.statusCode() != 200) {
            return ProbeResult.down(Failures.describeStatus(resp.statusCode(), resp.body()));
        }
        try {
            JsonNode data = JSON.readTree(resp.body()).path("data");
            JsonNode first = data.isArray() && data.size() > 0 ? data.get(0) : null;
            if (first == null) {
                return ProbeResult.down("GET /v1/models listed no model");
            }
            String id = first.path("id").asText(null);
            return ProbeResult.up(
                    ServerDialect.fromOwnedBy(first.path("owned_by").asText("")), id);
        } catch (java.io.IOException ex) {
            return ProbeResult.down("GET /v1/models did not return JSON: " + Failures.snippet(resp.body()));
        }
    }
}
