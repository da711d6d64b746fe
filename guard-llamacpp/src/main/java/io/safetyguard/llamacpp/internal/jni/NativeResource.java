package io.safetyguard.llamacpp.internal.jni;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * One native object owned by one Java object, with the protocol that keeps its free from racing a call (the
 * same idea as ONNX Runtime's {@code NativeObject}):
 * <ul>
 *   <li>every native call on the handle runs between {@link #enter()} and {@link #exit()};</li>
 *   <li>{@link #close()} refuses new calls, waits for running ones and frees the handle exactly once;</li>
 *   <li>a {@link Cleaner} frees a resource that was never closed once it is unreachable (no call can then be
 *       running: {@link #exit()} keeps the object reachable until the call has returned);</li>
 *   <li>the resources a handle needs (a context needs its model) are its {@code dependencies}: the Cleaner's
 *       action holds them, so they are freed after it, never before.</li>
 * </ul>
 * Subclasses declare their own {@code native} methods (one JNI class per resource) and wrap each in
 * {@code enter()/exit()}.
 */
public abstract class NativeResource implements AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();

    private final long handle;
    private final CallGate gate;
    private final Cleaner.Cleanable cleanable;

    /**
     * @param description  what the handle is, for messages
     * @param handle       the native pointer, not 0
     * @param free         frees the handle; must not refer to this object (a static native method)
     * @param dependencies resources the handle uses; kept alive until it is freed
     */
    protected NativeResource(String description, long handle, LongConsumer free, NativeResource... dependencies) {
        if (handle == 0) {
            throw new IllegalArgumentException("null " + description + " handle");
        }
        this.handle = handle;
        this.gate = new CallGate(description + " has been closed");
        this.cleanable = CLEANER.register(this, new Free(handle, free, dependencies.clone()));
    }

    /** Frees once; holds the dependencies so that they outlive the handle. */
    private record Free(long handle, LongConsumer free, NativeResource[] dependencies) implements Runnable {
        @Override
        public void run() {
            free.accept(handle);
            Reference.reachabilityFence(dependencies);
        }
    }

    /**
     * Starts a native call and returns the handle to pass.
     *
     * @throws IllegalStateException once closed
     */
    protected final long enter() {
        gate.enter();
        return handle;
    }

    /** Ends a call started by {@link #enter()}. */
    protected final void exit() {
        gate.exit();
        Reference.reachabilityFence(this);
    }

    /** Starts a call unless closed: the handle, or 0 when closed. */
    protected final long tryEnter() {
        return gate.tryEnter() ? handle : 0;
    }

    /**
     * Starts a call on another resource that this one's native method takes as well, and returns its handle.
     * The caller ends it with {@link #exitOther}.
     */
    protected static long enterOther(NativeResource other) {
        return other.enter();
    }

    protected static void exitOther(NativeResource other) {
        other.exit();
    }

    public final boolean isClosed() {
        return gate.isClosed();
    }

    /** Refuses new calls, waits for running ones to leave native code, then frees. Idempotent. */
    @Override
    public void close() {
        if (gate.closeAndDrain(Duration.ZERO, () -> {})) {
            cleanable.clean();
        }
    }
}
