package io.safetyguard.remote;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One server: its address and the client's view of it (in rotation or not, requests in flight, recent
 * failures). The mutable state is guarded by the {@link EndpointPool}'s lock.
 */
final class Endpoint {

    private final URI base;
    private final int maxInFlight;

    // guarded by the pool's lock
    int inFlight;
    boolean inRotation;
    boolean everInRotation;
    int consecutiveFailures;
    long nextProbeNanos;
    Duration probeBackoff = Duration.ZERO;
    boolean probing;
    String lastProblem = "not contacted yet";
    ServerDialect dialect;
    String servedModel;

    Endpoint(URI base, int maxInFlight, ServerDialect configuredDialect) {
        this.base = Objects.requireNonNull(base, "base");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("per-endpoint concurrency must be at least 1, got " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
        this.dialect = configuredDialect == ServerDialect.AUTO ? null : configuredDialect;
    }

    /**
     * Parses a user-given address: {@code http(s)://host:port}, optionally with a path prefix and a
     * trailing {@code /v1} (both {@code http://h:8000} and {@code http://h:8000/v1} mean the same server).
     *
     * @throws IllegalArgumentException with what is wrong and an example of a good address
     */
    static URI parseBase(String text) {
        Objects.requireNonNull(text, "endpoint");
        String t = text.strip();
        URI uri;
        try {
            uri = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "endpoint '" + text + "' is not a URL (" + e.getReason() + "); give it like http://127.0.0.1:8080");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(
                    "endpoint '" + text + "' must start with http:// or https://, e.g. http://127.0.0.1:8080");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "endpoint '" + text + "' has no host; give it like http://127.0.0.1:8080");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("endpoint '" + text + "' must not have a query or fragment");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/v1")) {
            path = path.substring(0, path.length() - 3);
        }
        return URI.create(scheme + "://" + uri.getRawAuthority() + path);
    }

    URI base() {
        return base;
    }

    URI chatCompletions() {
        return URI.create(base + "/v1/chat/completions");
    }

    URI models() {
        return URI.create(base + "/v1/models");
    }

    int maxInFlight() {
        return maxInFlight;
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
