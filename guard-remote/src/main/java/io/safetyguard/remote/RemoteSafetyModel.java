package io.safetyguard.remote;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A {@link SafetyModel} whose model runs on one or more OpenAI-compatible chat-completions servers
 * (SGLang, vLLM, llama.cpp's llama-server), so that the same {@code SafetyGuard} API, cache, policies
 * and reactions work at the scale of a serving cluster.
 *
 * <p>Each evaluation is one {@code POST /v1/chat/completions} (see {@link ChatRequestWriter} for the
 * exact body). Requests go to the endpoint in rotation with the fewest requests in flight, at most
 * {@link Builder#endpointConcurrency(int)} per endpoint. Transient failures (connection refused or reset,
 * timeouts, HTTP 429/502/503/504) are retried with exponential backoff, on another endpoint when there is
 * one; input errors (other 4xx) and 500 are not. An endpoint with {@link Builder#failureThreshold(int)}
 * consecutive faults leaves the rotation and is probed back in ({@code GET /v1/models}) with a growing
 * backoff. Every request carries the per-request timeout, and a cancelled evaluation aborts its HTTP
 * exchange.
 *
 * <p>Thread-safe. {@link #close()} stops the health checks; calls after it fail.
 */
public final class RemoteSafetyModel implements SafetyModel {

    private final EndpointPool pool;
    private final HealthChecker health;
    private final ChatClient client;
    private final ChatRequestWriter writer;
    private final RetryPolicy retry;
    private final Duration requestTimeout;
    private final ModelInfo info;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RemoteSafetyModel(
            EndpointPool pool,
            HealthChecker health,
            ChatClient client,
            ChatRequestWriter writer,
            RetryPolicy retry,
            Duration requestTimeout,
            ModelInfo info) {
        this.pool = pool;
        this.health = health;
        this.client = client;
        this.writer = writer;
        this.retry = retry;
        this.requestTimeout = requestTimeout;
        this.info = info;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public boolean supportsVerdictOnly() {
        return true; // the verdict-only grammar/schema/regex ends the answer after the category
    }

    @Override
    public ModelOutput evaluate(ModelRequest request) throws ModelException {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        BooleanSupplier cancelled = () -> request.cancelled().getAsBoolean() || closed.get();
        String image = ImageDataUrl.of(request.image());
        List<String> attempts = new ArrayList<>();
        Endpoint avoid = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("cancelled");
            }
            EndpointPool.Lease lease;
            try {
                lease = pool.acquire(avoid, cancelled, System.nanoTime() + requestTimeout.toNanos());
            } catch (EndpointPool.NoEndpointInRotation e) {
                attempts.add("no endpoint in rotation");
                pause(retry.backoffAfter(attempt), attempt, cancelled);
                continue;
            }
            if (lease == null) {
                attempts.add("every endpoint stayed busy for " + requestTimeout.toSeconds() + " s");
                continue;
            }
            Duration wait;
            try {
                byte[] body = writer.write(lease.dialect(), request, image);
                ModelOutput output = ChatResponseReader.read(
                        client.send(lease.endpoint(), body, cancelled), lease.endpoint(), request.policy());
                pool.succeeded(lease);
                return output;
            } catch (AttemptFailure f) {
                attempts.add(lease.endpoint() + ": " + f.getMessage());
                switch (f.kind()) {
                    case REJECTED -> {
                        pool.succeeded(lease); // it answered; the request is what is wrong
                        throw new ModelException(f.getMessage());
                    }
                    case THROTTLED -> pool.released(lease);
                    case ENDPOINT_FAULT -> pool.failed(lease, f.getMessage());
                }
                avoid = lease.endpoint();
                // a first failover to another endpoint needs no wait; everything else backs off
                boolean failover = f.kind() == AttemptFailure.Kind.ENDPOINT_FAULT
                        && attempt == 1
                        && pool.endpoints().size() > 1;
                wait = f.retryAfter() != null
                        ? retry.cap(f.retryAfter())
                        : failover ? Duration.ZERO : retry.backoffAfter(attempt);
            } catch (RuntimeException e) {
                pool.released(lease); // cancellation, or a bug: the endpoint is not to blame
                throw e;
            }
            pause(wait, attempt, cancelled);
        }
        throw new ModelException(
                "no endpoint gave an answer in " + retry.maxAttempts() + " attempts (" + String.join("; ", attempts)
                        + "); endpoints now: " + pool.describe(),
                null,
                true);
    }

    private void pause(Duration wait, int attempt, BooleanSupplier cancelled) {
        if (attempt >= retry.maxAttempts() || wait.isZero()) {
            return;
        }
        long end = System.nanoTime() + wait.toNanos();
        while (true) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("cancelled while waiting to retry");
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting to retry");
            }
        }
    }

    /** Whether an endpoint is in rotation now; for tests and status reports. */
    boolean inRotation(String endpoint) {
        URI base = Endpoint.parseBase(endpoint);
        return pool.endpoints().stream().filter(e -> e.base().equals(base)).anyMatch(pool::inRotation);
    }

    /** The endpoints and their state, e.g. {@code http://a (in rotation), http://b (out of rotation: connection refused)}. */
    public String endpointStatus() {
        return pool.describe();
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this RemoteSafetyModel is closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            health.close();
        }
    }

    /** Settings for a {@link RemoteSafetyModel}; {@link #build()} contacts the endpoints once. */
    public static final class Builder {
        private final List<String> endpoints = new ArrayList<>();
        private String apiKey;
        private String model;
        private ServerDialect dialect = ServerDialect.AUTO;
        private StructuredOutput structuredOutput = StructuredOutput.AUTO;
        private Duration requestTimeout = Duration.ofSeconds(120);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private int endpointConcurrency = 4;
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private int failureThreshold = 3;
        private Duration healthCheckInterval = Duration.ofSeconds(10);
        private Duration probeBackoff = Duration.ofSeconds(1);
        private Duration maxProbeBackoff = Duration.ofSeconds(30);
        private int topLogprobs = 20;

        private Builder() {}

        /** Adds a server, e.g. {@code http://10.0.0.5:30000} (a trailing {@code /v1} is accepted). */
        public Builder endpoint(String url) {
            endpoints.add(Objects.requireNonNull(url, "url"));
            return this;
        }

        public Builder endpoints(List<String> urls) {
            urls.forEach(this::endpoint);
            return this;
        }

        /** Bearer token sent to every endpoint (the servers' {@code --api-key}); null for none. */
        public Builder apiKey(String value) {
            this.apiKey = value == null || value.isBlank() ? null : value.strip();
            return this;
        }

        /** The {@code model} field; default: the first model the first reachable endpoint lists. */
        public Builder model(String value) {
            this.model = value;
            return this;
        }

        public Builder dialect(ServerDialect value) {
            this.dialect = Objects.requireNonNull(value, "dialect");
            return this;
        }

        public Builder structuredOutput(StructuredOutput value) {
            this.structuredOutput = Objects.requireNonNull(value, "structuredOutput");
            return this;
        }

        /** Limit for one HTTP request (connect to last byte); default 120 s. */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = positive(value, "requestTimeout");
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /** Requests in flight per endpoint at most; match the server's slots ({@code --parallel}); default 4. */
        public Builder endpointConcurrency(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("endpoint concurrency must be at least 1, got " + value);
            }
            this.endpointConcurrency = value;
            return this;
        }

        public Builder retryPolicy(RetryPolicy value) {
            this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
            return this;
        }

        /** Consecutive faults that take an endpoint out of rotation; default 3. */
        public Builder failureThreshold(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("failure threshold must be at least 1, got " + value);
            }
            this.failureThreshold = value;
            return this;
        }

        /** How often endpoints in rotation are probed; default 10 s. */
        public Builder healthCheckInterval(Duration value) {
            this.healthCheckInterval = positive(value, "healthCheckInterval");
            return this;
        }

        /** First and largest wait before probing an endpoint that is out of rotation; default 1 s and 30 s. */
        public Builder probeBackoff(Duration first, Duration max) {
            this.probeBackoff = positive(first, "probeBackoff");
            this.maxProbeBackoff = positive(max, "maxProbeBackoff");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("maxProbeBackoff must not be below probeBackoff");
            }
            return this;
        }

        /** Alternatives per token to request for P(Unsafe), 0-20; 0 asks for no log-probabilities. Default 20. */
        public Builder topLogprobs(int value) {
            if (value < 0 || value > 20) {
                throw new IllegalArgumentException("topLogprobs must be 0..20 (the OpenAI limit), got " + value);
            }
            this.topLogprobs = value;
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }

        /**
         * Probes every endpoint once ({@code GET /v1/models}) and returns the model. Endpoints that do not
         * answer start out of rotation and are probed again in the background.
         *
         * @throws ModelException           when no endpoint answers (the message lists each with its problem)
         * @throws IllegalArgumentException for a malformed or duplicate endpoint, or a structured-output kind the
         *                                  configured dialect cannot express
         */
        public RemoteSafetyModel build() throws ModelException {
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException(
                        "no endpoint given; add at least one, e.g. endpoint(\"http://127.0.0.1:8080\")");
            }
            ChatRequestWriter.checkSupported(structuredOutput, dialect);
            Set<URI> bases = new LinkedHashSet<>();
            for (String e : endpoints) {
                if (!bases.add(Endpoint.parseBase(e))) {
                    throw new IllegalArgumentException("endpoint " + e + " is given twice");
                }
            }
            List<Endpoint> list = bases.stream()
                    .map(b -> new Endpoint(b, endpointConcurrency, dialect))
                    .collect(Collectors.toList());
            EndpointPool pool =
                    new EndpointPool(list, failureThreshold, probeBackoff, maxProbeBackoff, healthCheckInterval);
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1) // llama-server and most engines speak plain HTTP/1.1
                    .connectTimeout(connectTimeout)
                    .build();
            ServerProbe probe = new ServerProbe(http, apiKey, connectTimeout.plusSeconds(5));
            HealthChecker.probeNow(pool, probe);
            List<Endpoint> up = list.stream().filter(pool::inRotation).collect(Collectors.toList());
            if (up.isEmpty()) {
                throw new ModelException("none of the endpoints answered GET /v1/models: " + pool.describe()
                        + ". Check that the servers are running and have finished loading the model, and the API key.");
            }
            String name = model != null ? model : up.get(0).servedModel != null ? up.get(0).servedModel : "default";
            HealthChecker health = new HealthChecker(
                    pool, probe, Duration.ofMillis(Math.max(20, Math.min(250, probeBackoff.toMillis() / 2))));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("backend", "remote");
            meta.put("endpoints", list.stream().map(Endpoint::toString).collect(Collectors.joining(" ")));
            meta.put(
                    "dialect",
                    dialect == ServerDialect.AUTO
                            ? "auto: "
                                    + up.stream().map(e -> e + "=" + e.dialect).collect(Collectors.joining(" "))
                            : dialect.name());
            meta.put("structuredOutput", structuredOutput.name());
            meta.put("model", name);
            ModelInfo info = new ModelInfo(
                    "remote:" + name,
                    name + " (remote, " + list.size() + " endpoint" + (list.size() == 1 ? "" : "s") + ")",
                    meta);
            return new RemoteSafetyModel(
                    pool,
                    health,
                    new ChatClient(http, apiKey, requestTimeout),
                    new ChatRequestWriter(name, structuredOutput, topLogprobs),
                    retryPolicy,
                    requestTimeout,
                    info);
        }
    }
}
