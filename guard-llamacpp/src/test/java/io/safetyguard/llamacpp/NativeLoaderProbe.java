package io.safetyguard.llamacpp;

import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader;

/** Run in a child JVM by NativeLibraryLoaderIT: loads the natives and prints where from. */
public final class NativeLoaderProbe {
    private NativeLoaderProbe() {}

    public static void main(String[] args) {
        try {
            NativeBridge.ensureInitialised();
            System.out.println("LOADED " + NativeLibraryLoader.loadedFrom() + " llama.cpp " + NativeBridge.version()
                    + " cpu " + NativeBridge.cpuVariant());
        } catch (RuntimeException e) {
            System.out.println("FAILED " + e.getMessage());
            System.exit(3);
        }
    }
}
