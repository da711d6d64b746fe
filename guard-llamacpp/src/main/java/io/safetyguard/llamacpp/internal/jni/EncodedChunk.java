package io.safetyguard.llamacpp.internal.jni;

/**
 * A malloc'd copy of one image chunk's embeddings ({@code tokens x n_embd_inp} floats), made so that the encoder
 * lock can be released before the long decode. One thread.
 */
public final class EncodedChunk extends NativeResource {

    private final long address;

    EncodedChunk(long address) {
        super("the image embeddings", address, EncodedChunk::nativeFree);
        this.address = address;
    }

    /**
     * The buffer's address, valid until {@link #close()}; for tests that read it directly (production code only
     * passes it back to native code).
     */
    public long address() {
        return address;
    }

    private static native void nativeFree(long buffer);
}
