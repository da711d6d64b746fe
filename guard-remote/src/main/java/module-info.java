/**
 * The remote backend: {@link io.safetyguard.remote.RemoteSafetyModel} runs LlavaGuard on SGLang,
 * vLLM or llama-server over their OpenAI-compatible HTTP API.
 */
module io.safetyguard.remote {
    requires transitive io.safetyguard.core;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;

    exports io.safetyguard.remote;
}
