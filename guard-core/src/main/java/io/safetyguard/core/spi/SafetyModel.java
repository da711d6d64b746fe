package io.safetyguard.core.spi;

/**
 * A backend that runs a LlavaGuard-style model: it reads one decoded image under one rendered
 * policy and returns the model's raw answer. Parsing, caching and failure handling live above it,
 * in {@code SafetyGuard}.
 *
 * <p>Implementations must be safe to call from several threads at once; they may serialise work
 * internally. After {@link #close()} every call fails with {@link IllegalStateException}.
 */
public interface SafetyModel extends AutoCloseable {

    /** Stable identity of the loaded model; part of every cache key. */
    ModelInfo info();

    /**
     * Evaluates one image under one policy.
     *
     * @throws ModelException when the backend cannot produce an answer (the message says why)
     * @throws java.util.concurrent.CancellationException when {@code cancellation} was triggered
     */
    ModelOutput evaluate(ModelRequest request) throws ModelException;

    /** Whether the backend can stop after the category field (see {@link ModelRequest#verdictOnly()}). */
    default boolean supportsVerdictOnly() {
        return false;
    }

    /** Frees the model. Idempotent. */
    @Override
    void close();
}
