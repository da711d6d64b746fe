package io.safetyguard.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.policy.VerdictGrammar;

/**
 * Writes the chat-completions body for one evaluation, as the LlavaGuard authors' serving path sends it
 * (docs/reference.md §3.1, §3.5): one user message whose content is the image first (a
 * base64 data URL) and then the policy text; the authors' sampling settings; the policy's verdict format
 * as structured output.
 *
 * <p>Per dialect:
 * <ul>
 *   <li>system turn: only for llama-server, whose built-in {@code chatml} template adds none; SGLang's
 *       {@code chatml-llava} adds "You are a helpful assistant." itself, and vLLM renders the model's own
 *       template (the -hf template has no system turn), so they get the single user message.</li>
 *   <li>{@code top_k}: sent to SGLang, vLLM and llama-server; plain OpenAI servers do not know it.</li>
 *   <li>structured output: see {@link StructuredOutput}.</li>
 * </ul>
 * The policy text is stripped of surrounding whitespace, as training did (LLaVA-NeXT
 * {@code preprocess_multimodal}) and as the in-process backend does.
 */
final class ChatRequestWriter {

    /** The system message of LlavaGuard v1.2 training (LLaVA-NeXT qwen_1_5, SGLang chatml-llava). */
    static final String SYSTEM_MESSAGE = "You are a helpful assistant.";

    static final String SCHEMA_NAME = "llavaguard_verdict";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String model;
    private final StructuredOutput structured;
    private final int topLogprobs;
    private final VerdictConstraints constraints = new VerdictConstraints();

    /**
     * @param model       the {@code model} field (the served model's name)
     * @param structured  how to constrain the answer
     * @param topLogprobs alternatives per generated token to ask for (for P(Unsafe)); 0 asks for none
     */
    ChatRequestWriter(String model, StructuredOutput structured, int topLogprobs) {
        this.model = model;
        this.structured = structured;
        this.topLogprobs = topLogprobs;
    }

    private static boolean supported(StructuredOutput structured, ServerDialect dialect) {
        return switch (structured) {
            case REGEX -> dialect == ServerDialect.SGLANG || dialect == ServerDialect.VLLM;
            case GRAMMAR -> dialect == ServerDialect.LLAMA_SERVER;
            default -> true;
        };
    }

    /** Checks up front that the structured-output choice can be expressed for a configured dialect. */
    static void checkSupported(StructuredOutput structured, ServerDialect dialect) {
        if (structured == StructuredOutput.REGEX
                && (dialect == ServerDialect.LLAMA_SERVER || dialect == ServerDialect.OPENAI)) {
            throw new IllegalArgumentException("structured output REGEX is not supported by " + dialect
                    + " servers; use GRAMMAR or JSON_SCHEMA (llama-server) or JSON_SCHEMA (other OpenAI servers)");
        }
        if (structured == StructuredOutput.GRAMMAR
                && dialect != ServerDialect.LLAMA_SERVER
                && dialect != ServerDialect.AUTO) {
            throw new IllegalArgumentException("structured output GRAMMAR (llama.cpp GBNF) needs llama-server, not "
                    + dialect + "; use JSON_SCHEMA or REGEX");
        }
    }

    byte[] write(ServerDialect dialect, ModelRequest request, String imageDataUrl) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        if (dialect == ServerDialect.LLAMA_SERVER) {
            messages.addObject().put("role", "system").put("content", SYSTEM_MESSAGE);
        }
        ObjectNode user = messages.addObject().put("role", "user");
        ArrayNode content = user.putArray("content");
        content.addObject().put("type", "image_url").putObject("image_url").put("url", imageDataUrl);
        content.addObject()
                .put("type", "text")
                .put("text", request.policyPrompt().strip());
        sampling(body, dialect, request.options());
        if (topLogprobs > 0) {
            body.put("logprobs", true);
            body.put("top_logprobs", topLogprobs);
        }
        constrain(body, dialect, request);
        body.put("stream", false);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the request body", e);
        }
    }

    private static void sampling(ObjectNode body, ServerDialect dialect, GenerationOptions o) {
        boolean topKKnown = dialect != ServerDialect.OPENAI;
        if (o.greedy()) {
            body.put("temperature", 0.0);
            if (topKKnown) {
                body.put("top_k", 1);
            }
        } else {
            body.put("temperature", o.temperature());
            body.put("top_p", o.topP());
            if (topKKnown && o.topK() > 0) {
                body.put("top_k", o.topK());
            }
        }
        body.put("max_tokens", o.maxNewTokens());
        body.put("seed", o.seed());
    }

    private void constrain(ObjectNode body, ServerDialect dialect, ModelRequest request) {
        StructuredOutput mode = structured;
        if (mode == StructuredOutput.AUTO || !supported(mode, dialect)) {
            // AUTO, or an endpoint found by AUTO detection that cannot take the configured kind
            mode = dialect == ServerDialect.LLAMA_SERVER ? StructuredOutput.GRAMMAR : StructuredOutput.JSON_SCHEMA;
        }
        boolean verdictOnly = request.verdictOnly();
        switch (mode) {
            case GRAMMAR -> {
                if (request.policy() != null) {
                    body.put("grammar", VerdictGrammar.gbnf(request.policy(), verdictOnly));
                }
            }
            case JSON_SCHEMA -> {
                if (request.policy() == null) {
                    return; // nothing to derive a schema from
                }
                if (dialect == ServerDialect.LLAMA_SERVER) {
                    body.set("json_schema", constraints.schema(request.policy(), verdictOnly));
                } else {
                    ObjectNode format = body.putObject("response_format").put("type", "json_schema");
                    format.putObject("json_schema")
                            .put("name", SCHEMA_NAME)
                            .put("strict", true)
                            .set("schema", constraints.schema(request.policy(), verdictOnly));
                }
            }
            case REGEX -> {
                if (request.policy() == null) {
                    return;
                }
                String regex = constraints.regex(request.policy(), verdictOnly);
                if (dialect == ServerDialect.VLLM) {
                    body.putObject("structured_outputs").put("regex", regex);
                } else {
                    body.put("regex", regex); // SGLang
                }
            }
            case NONE, AUTO -> {}
        }
    }
}
