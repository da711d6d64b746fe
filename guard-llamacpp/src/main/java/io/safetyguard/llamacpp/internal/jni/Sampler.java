package io.safetyguard.llamacpp.internal.jni;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.internal.NativeBridge;

/**
 * The shim's sampler for one generation: an optional GBNF grammar applied lazily, then greedy or
 * top-k / top-p / temperature / seeded draw (see src/main/native/jni_sampler.cpp for why lazily). Holds the
 * grammar's parse state, so it belongs to one generation on one thread; close it when the generation ends.
 */
public final class Sampler extends NativeResource {

    private Sampler(long handle, LlamaModel model) {
        super("the llama.cpp sampler", handle, Sampler::nativeFree, model);
    }

    /**
     * @param grammar a GBNF grammar with a {@code root} rule, or null for none
     * @throws ModelException when llama.cpp cannot parse the grammar
     */
    public static Sampler create(
            LlamaModel model, String grammar, boolean greedy, float temperature, float topP, int topK, int seed)
            throws ModelException {
        NativeBridge.clearRecentProblems();
        long handle;
        long m = enterOther(model);
        try {
            handle = nativeCreate(
                    m, grammar == null ? null : NativeBridge.utf8(grammar), greedy, temperature, topP, topK, seed);
        } finally {
            exitOther(model);
        }
        if (handle == 0) {
            throw new ModelException(
                    "llama.cpp rejected the grammar: " + NativeBridge.orUnknown(NativeBridge.recentProblems()));
        }
        return new Sampler(handle, model);
    }

    /** Samples and accepts the next token from the context's last logits; -1 when the grammar allows none. */
    public int sample(LlamaContext context) {
        long h = enter();
        long c = enterOther(context);
        try {
            return nativeSample(h, c);
        } finally {
            exitOther(context);
            exit();
        }
    }

    /** Those of {@code tokens} the grammar accepts now (all of them without a grammar); changes nothing. */
    public int[] allowed(int[] tokens) {
        long h = enter();
        try {
            return nativeAllowed(h, tokens);
        } finally {
            exit();
        }
    }

    /** Whether the grammar accepts {@code token} now. */
    public boolean accepts(int token) {
        return allowed(new int[] {token}).length == 1;
    }

    private static native long nativeCreate(
            long model, byte[] grammar, boolean greedy, float temperature, float topP, int topK, int seed);

    private static native void nativeFree(long sampler);

    private static native int nativeSample(long sampler, long ctx);

    private static native int[] nativeAllowed(long sampler, int[] tokens);
}
