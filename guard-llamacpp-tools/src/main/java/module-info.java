/**
 * Model-file tools for the llama.cpp backend: conversion of the published Hugging Face checkpoints
 * ({@code .convert}), GGUF writing ({@code .gguf}), tiny random-weight LlavaGuard-shaped models for
 * tests and benchmarks ({@code .tiny}) and quantization ({@code .quantize}).
 */
module io.safetyguard.llamacpp.tools {
    requires transitive io.safetyguard.llamacpp;
    requires com.fasterxml.jackson.databind; // config.json and safetensors headers

    exports io.safetyguard.llamacpp.tools.convert;
    exports io.safetyguard.llamacpp.tools.gguf;
    exports io.safetyguard.llamacpp.tools.quantize;
    exports io.safetyguard.llamacpp.tools.tiny;
}
