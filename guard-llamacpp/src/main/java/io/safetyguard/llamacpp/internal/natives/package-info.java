/**
 * Finding and loading the native libraries (ggml, llama, mtmd and the SafetyGuard JNI shim) that
 * the build packages into the jar per platform; see
 * {@link io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader}.
 */
package io.safetyguard.llamacpp.internal.natives;
