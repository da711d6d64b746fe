/**
 * The in-process llama.cpp backend: {@link io.safetyguard.llamacpp.LlamaCppModel} and its
 * configuration. Only {@code io.safetyguard.llamacpp} is API. The {@code .internal} packages (JNI
 * bridge, GGUF reading, vision preprocessing, native loading) may change in any release; they are
 * exported only to the SafetyGuard modules that build on them (model tools, CLI).
 */
module io.safetyguard.llamacpp {
    requires transitive io.safetyguard.core;
    // free-memory check before allocating a context (com.sun.management when /proc is missing)
    requires jdk.management;

    exports io.safetyguard.llamacpp;
    exports io.safetyguard.llamacpp.internal to
            io.safetyguard.llamacpp.tools;
    // ClipContext.quantizeRows, for quantizing an mmproj
    exports io.safetyguard.llamacpp.internal.jni to
            io.safetyguard.llamacpp.tools;
    exports io.safetyguard.llamacpp.internal.gguf to
            io.safetyguard.llamacpp.tools,
            io.safetyguard.cli;
    exports io.safetyguard.llamacpp.internal.vision to
            io.safetyguard.cli;
}
