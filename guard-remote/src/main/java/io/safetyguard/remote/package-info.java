/**
 * A {@link io.safetyguard.core.spi.SafetyModel} that sends each image to one of several
 * OpenAI-compatible chat-completions servers (SGLang, vLLM, llama.cpp's llama-server) instead of
 * running the model in-process. Entry point: {@link io.safetyguard.remote.RemoteSafetyModel#builder()}.
 */
package io.safetyguard.remote;
