package io.safetyguard.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.policy.Policy;
import java.io.IOException;

/**
 * Reads a chat-completions answer into a {@link ModelOutput}: the message text, P(Unsafe) from the
 * log-probabilities when present (and the category distribution, {@link CategoryLogprobs}), token counts from {@code usage}, and llama-server's {@code timings}
 * (prompt and generation milliseconds) when present.
 */
final class ChatResponseReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatResponseReader() {}

    /** @throws AttemptFailure (REJECTED) when the body is not a chat completion with a message */
    static ModelOutput read(String body, Endpoint from) throws AttemptFailure {
        return read(body, from, null);
    }

    /**
     * Also reads the category distribution from the log-probabilities, for answers constrained to {@code policy}
     * (null: none).
     *
     * @throws AttemptFailure (REJECTED) when the body is not a chat completion with a message
     */
    static ModelOutput read(String body, Endpoint from, Policy policy) throws AttemptFailure {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new AttemptFailure(
                    AttemptFailure.Kind.REJECTED,
                    from + " answered 200 with something that is not JSON: " + Failures.snippet(body),
                    null);
        }
        JsonNode choice = root.path("choices").path(0);
        JsonNode content = choice.path("message").path("content");
        if (!content.isTextual()) {
            throw new AttemptFailure(
                    AttemptFailure.Kind.REJECTED,
                    from + " answered without choices[0].message.content: " + Failures.snippet(body),
                    null);
        }
        JsonNode usage = root.path("usage");
        JsonNode timings = root.path("timings");
        return new ModelOutput(
                content.asText(),
                RatingLogprobs.probabilityUnsafe(choice.path("logprobs").path("content")),
                usage.path("prompt_tokens").asInt(-1),
                usage.path("completion_tokens").asInt(-1),
                -1,
                timings.path("prompt_ms").asDouble(-1),
                timings.path("predicted_ms").asDouble(-1),
                -1,
                CategoryLogprobs.categoryProbabilities(choice.path("logprobs").path("content"), policy));
    }
}
