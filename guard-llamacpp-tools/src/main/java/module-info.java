/**
 * Model-file tools for the llama.cpp backend: GGUF writing ({@code .gguf}), conversion of Hugging
 * Face checkpoints ({@code .convert}), tiny random-weight LlavaGuard-shaped models and checkpoint
 * files for tests and benchmarks ({@code .tiny}) and quantization ({@code .quantize}).
 */
module io.safetyguard.llamacpp.tools {
    requires transitive io.safetyguard.llamacpp;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;

    exports io.safetyguard.llamacpp.tools.convert;
    exports io.safetyguard.llamacpp.tools.gguf;
    exports io.safetyguard.llamacpp.tools.quantize;
    exports io.safetyguard.llamacpp.tools.tiny;
}
