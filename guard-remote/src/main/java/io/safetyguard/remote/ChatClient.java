package io.safetyguard.remote;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Sends one chat-completions request to one endpoint and classifies the outcome. The call is
 * asynchronous underneath so that a cancelled or timed-out evaluation aborts the exchange instead of
 * waiting for the server.
 */
final class ChatClient {

    private static final long POLL_MILLIS = 50;

    private final HttpClient http;
    private final String apiKey;
    private final Duration requestTimeout;

    ChatClient(HttpClient http, String apiKey, Duration requestTimeout) {
        this.http = http;
        this.apiKey = apiKey;
        this.requestTimeout = requestTimeout;
    }

    /**
     * @return the body of a 200 answer
     * @throws AttemptFailure        when there is no usable answer (the kind says whether to retry)
     * @throws CancellationException when {@code cancelled} turned true first
     */
    String send(Endpoint endpoint, byte[] body, BooleanSupplier cancelled) throws AttemptFailure {
        HttpRequest.Builder req = HttpRequest.newBuilder(endpoint.chatCompletions())
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (apiKey != null) {
            req.header("Authorization", "Bearer " + apiKey);
        }
        CompletableFuture<HttpResponse<String>> pending =
                http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        HttpResponse<String> resp;
        while (true) {
            try {
                resp = pending.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                if (cancelled.getAsBoolean()) {
                    pending.cancel(true);
                    throw new CancellationException("cancelled while waiting for " + endpoint);
                }
            } catch (ExecutionException e) {
                throw new AttemptFailure(AttemptFailure.Kind.ENDPOINT_FAULT, Failures.describeIo(e), null);
            } catch (InterruptedException e) {
                pending.cancel(true);
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for " + endpoint);
            }
        }
        return classify(endpoint, resp);
    }

    private static String classify(Endpoint endpoint, HttpResponse<String> resp) throws AttemptFailure {
        int status = resp.statusCode();
        if (status == 200) {
            return resp.body();
        }
        String what = Failures.describeStatus(status, resp.body());
        Duration retryAfter = retryAfter(resp).orElse(null);
        switch (status) {
            case 429 -> throw new AttemptFailure(AttemptFailure.Kind.THROTTLED, what, retryAfter);
            case 502, 503, 504 -> throw new AttemptFailure(AttemptFailure.Kind.ENDPOINT_FAULT, what, retryAfter);
            case 401, 403 ->
                throw new AttemptFailure(
                        AttemptFailure.Kind.REJECTED,
                        endpoint + " refused the credentials ("
                                + what
                                + "): check the API key (RemoteSafetyModel.Builder.apiKey; for the guard CLI the "
                                + "SAFETYGUARD_API_KEY environment variable or --api-key-file) against the server's --api-key",
                        null);
            default -> {
                if (status == 500 && what.contains("does not match the expected")) {
                    throw new AttemptFailure(
                            AttemptFailure.Kind.REJECTED,
                            endpoint + " could not return the model's answer ("
                                    + what
                                    + "): llama-server's answer parser (llama.cpp v0.4.0) rejects text that is not valid "
                                    + "UTF-8, which the verdict grammar cannot rule out; random-weight test models produce such "
                                    + "text, real models practically never. The same seed gives the same answer, so it is not retried.",
                            null);
                }
                throw new AttemptFailure(
                        AttemptFailure.Kind.REJECTED, endpoint + " refused the request (" + what + ")", null);
            }
        }
    }

    /** {@code Retry-After} in seconds (the HTTP-date form is ignored). */
    private static Optional<Duration> retryAfter(HttpResponse<?> resp) {
        return resp.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                long s = Long.parseLong(v.strip());
                return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }
}
