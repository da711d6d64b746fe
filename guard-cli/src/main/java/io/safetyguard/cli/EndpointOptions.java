package io.safetyguard.cli;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.remote.RemoteSafetyModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that send images to OpenAI-compatible servers (SGLang, vLLM, llama-server) instead of
 * loading a model in-process. The API key comes from {@code --api-key}, else {@code --api-key-file},
 * else the {@code SAFETYGUARD_API_KEY} environment variable; the flag is supported but shows in
 * {@code ps}, so the file or the variable is the better choice.
 */
final class EndpointOptions {

    static final String API_KEY_ENV = "SAFETYGUARD_API_KEY";

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            description =
                    "An OpenAI-compatible server (SGLang, vLLM, llama-server), e.g. http://10.0.0.5:30000, to use "
                            + "instead of --model/--mmproj. Repeat for several: requests are balanced, failed servers are "
                            + "taken out and probed back in.")
    List<String> endpoints = new ArrayList<>();

    @Option(
            names = "--api-key-file",
            paramLabel = "FILE",
            description = "File with the servers' API key (default: the " + API_KEY_ENV + " environment variable).")
    Path apiKeyFile;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description = "The servers' API key. Other users can see it in the process list: prefer " + API_KEY_ENV
                    + " or --api-key-file.")
    String apiKey;

    @Option(
            names = "--endpoint-concurrency",
            paramLabel = "N",
            defaultValue = "4",
            description = "Requests in flight per server at most; match the server's slots (llama-server --parallel). "
                    + "Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(
            names = "--request-timeout",
            paramLabel = "SECONDS",
            defaultValue = "120",
            description =
                    "Limit for one request to a server; a slower answer is retried elsewhere. Default: ${DEFAULT-VALUE}.")
    int requestTimeoutSeconds;

    @Option(
            names = "--server-model",
            paramLabel = "NAME",
            description = "The model name to ask the servers for (default: the first model the first server lists).")
    String serverModel;

    boolean used() {
        return !endpoints.isEmpty();
    }

    /** Requests the servers can take at once, in all. */
    int capacity() {
        return endpoints.size() * concurrency;
    }

    RemoteSafetyModel open() throws ModelException {
        if (concurrency < 1) {
            throw new BadInputException("--endpoint-concurrency must be at least 1, got " + concurrency);
        }
        if (requestTimeoutSeconds < 1) {
            throw new BadInputException("--request-timeout must be at least 1 second, got " + requestTimeoutSeconds);
        }
        try {
            return RemoteSafetyModel.builder()
                    .endpoints(endpoints)
                    .apiKey(resolveApiKey())
                    .model(serverModel)
                    .endpointConcurrency(concurrency)
                    .requestTimeout(Duration.ofSeconds(requestTimeoutSeconds))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    private String resolveApiKey() {
        if (apiKey != null) {
            return apiKey;
        }
        if (apiKeyFile != null) {
            try {
                return Files.readString(apiKeyFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new BadInputException("cannot read --api-key-file " + apiKeyFile + ": " + e.getMessage(), e);
            }
        }
        return System.getenv(API_KEY_ENV);
    }
}
