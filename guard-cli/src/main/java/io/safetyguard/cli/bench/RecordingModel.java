package io.safetyguard.cli.bench;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import java.util.Objects;
import java.util.Optional;

/**
 * Passes every call to a model and keeps the last {@link ModelOutput} of each thread, so the benchmark can read the
 * backend's own encode, prefill and decode times for the verdict it just got (SafetyGuard's Verdict carries only the
 * totals). Can drop the grammar from each request, for the compute-only comparison on random-weight models. Does
 * not own the model: closing this does nothing.
 */
final class RecordingModel implements SafetyModel {
    private final SafetyModel delegate;
    private final boolean withGrammar;
    private final ThreadLocal<ModelOutput> last = new ThreadLocal<>();

    RecordingModel(SafetyModel delegate, boolean withGrammar) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.withGrammar = withGrammar;
    }

    @Override
    public ModelInfo info() {
        return delegate.info();
    }

    @Override
    public ModelOutput evaluate(ModelRequest request) throws ModelException {
        last.remove();
        ModelRequest sent = withGrammar ? request : request.withoutConstraint();
        ModelOutput out = delegate.evaluate(sent);
        last.set(out);
        return out;
    }

    @Override
    public boolean supportsVerdictOnly() {
        return delegate.supportsVerdictOnly();
    }

    /** The output of this thread's latest call, and forgets it; empty when that call produced none. */
    Optional<ModelOutput> takeLast() {
        ModelOutput out = last.get();
        last.remove();
        return Optional.ofNullable(out);
    }

    @Override
    public void close() {
        // the benchmark closes the real model itself, after every guard that uses it
    }
}
