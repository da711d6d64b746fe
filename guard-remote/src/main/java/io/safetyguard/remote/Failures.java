package io.safetyguard.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns HTTP failures into short, readable descriptions. */
final class Failures {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SNIPPET = 300;

    private Failures() {}

    /** A transport failure: {@code connection refused}, {@code no answer within the timeout}, ... */
    static String describeIo(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof HttpConnectTimeoutException) {
            return "connect timed out";
        }
        if (c instanceof HttpTimeoutException) {
            return "no answer within the request timeout";
        }
        if (c instanceof ConnectException) {
            return "connection refused";
        }
        if (c instanceof ClosedChannelException) {
            return "connection closed";
        }
        if (c instanceof IOException) {
            String m = c.getMessage();
            return "connection failed ("
                    + (m == null || m.isBlank() ? c.getClass().getSimpleName() : m) + ")";
        }
        return String.valueOf(c);
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** An HTTP error answer with the server's own message: {@code HTTP 400: image too large}. */
    static String describeStatus(int status, String body) {
        String msg = serverMessage(body);
        return "HTTP " + status + (msg.isEmpty() ? "" : ": " + msg);
    }

    /**
     * The message in an error body: OpenAI style {@code {"error": {"message": ...}}} (vLLM, llama-server,
     * SGLang), {@code {"message": ...}}, FastAPI's {@code {"detail": ...}}, or the start of the raw text.
     */
    static String serverMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode n = JSON.readTree(body);
            for (JsonNode m : new JsonNode[] {
                n.path("error").path("message"), n.path("message"), n.path("detail"), n.path("error")
            }) {
                if (m.isTextual() && !m.asText().isBlank()) {
                    return snippet(m.asText());
                }
                if (m.isContainerNode() && m != n.path("error")) {
                    return snippet(m.toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: fall through to the raw text
        }
        return snippet(body);
    }

    static String snippet(String s) {
        String t = s == null ? "" : s.strip().replaceAll("\\s+", " ");
        return t.length() <= SNIPPET ? t : t.substring(0, SNIPPET) + "...";
    }
}
