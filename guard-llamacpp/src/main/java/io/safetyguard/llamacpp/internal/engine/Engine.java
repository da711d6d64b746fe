package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.PromptLayout;
import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.jni.CallGate;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * A loaded model ready to evaluate: the text model, one prompt prefill (with its vision encoder), the context
 * pool and the generator, and the lifecycle that frees them only once no evaluation is inside native code.
 * Built by {@link ModelLoader}; {@code LlamaCppModel} is its public face.
 */
public final class Engine {

    private static final System.Logger LOG = System.getLogger("io.safetyguard.llamacpp.LlamaCppModel");

    private final LlamaCppConfig config;
    private final PromptLayout layout;
    private final LlamaModel model;
    private final PromptPrefill prefill;
    private final ContextPool pool; // null with batched decoding
    private final BatchScheduler batch; // null without
    private final TokenGenerator generator;
    private final ModelInfo info;
    private final int maxImageTokens;
    private final int contextSize;
    private final int prefixTokenCount;
    private final CallGate gate;
    private volatile EvaluationListener listener = EvaluationListener.NONE;

    Engine(
            LlamaCppConfig config,
            PromptLayout layout,
            LlamaModel model,
            PromptPrefill prefill,
            ContextPool pool,
            BatchScheduler batch,
            TokenGenerator generator,
            ModelInfo info,
            int maxImageTokens,
            int contextSize,
            int prefixTokenCount) {
        this.config = config;
        this.layout = layout;
        this.model = model;
        this.prefill = prefill;
        this.pool = pool;
        this.batch = batch;
        this.generator = generator;
        this.info = info;
        this.maxImageTokens = maxImageTokens;
        this.contextSize = contextSize;
        this.prefixTokenCount = prefixTokenCount;
        this.gate = new CallGate("this LlamaCppModel (" + info.displayName() + ") has been closed; "
                + "open a new one with LlamaCppModel.open(config)");
    }

    public ModelOutput evaluate(ModelRequest request) throws ModelException {
        Objects.requireNonNull(request, "request");
        gate.enter();
        if (batch != null) {
            try {
                return batch.evaluate(request, listener, gate::isClosed);
            } finally {
                gate.exit();
            }
        }
        try {
            Run run = Run.of(request);
            ContextPool.Slot slot = pool.borrow(run, gate::isClosed);
            NativeBridge.errorsExpectedWhen(run::aborted);
            try {
                NativeBridge.clearRecentProblems();
                EvaluationListener l = listener;
                PromptPrefill.Prefilled p = prefill.prefill(slot, run, request, l);
                long forward0 = slot.context.forwardNanos();
                long tg = System.nanoTime();
                TokenGenerator.Generated g = generator.generate(slot.context, run, request, p.positions(), l);
                double decodeMs = (System.nanoTime() - tg) / 1e6;
                double forwardMs = (slot.context.forwardNanos() - forward0) / 1e6;
                return new ModelOutput(
                        g.text(),
                        g.probabilityUnsafe(),
                        p.promptTokens(),
                        g.tokens(),
                        p.encodeMs(),
                        p.prefillMs(),
                        decodeMs,
                        forwardMs,
                        g.categories());
            } catch (CancellationException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ModelException("llama.cpp failed: " + e.getMessage(), e);
            } finally {
                NativeBridge.errorsExpectedWhen(null);
                pool.release(slot, run);
            }
        } finally {
            gate.exit();
        }
    }

    /** Tokens of the prompt without the image, for {@code policyPrompt}. */
    public int promptTextTokens(String policyPrompt) {
        gate.enter();
        try {
            return PromptTokens.textTokens(model, layout, policyPrompt);
        } finally {
            gate.exit();
        }
    }

    /** See {@link PromptPrefill#imageTokens}. */
    public int imageTokens(int width, int height) {
        return prefill.imageTokens(width, height);
    }

    public ModelInfo info() {
        return info;
    }

    public PromptLayout promptLayout() {
        return layout;
    }

    public int maxImageTokens() {
        return maxImageTokens;
    }

    public int contextSize() {
        return contextSize;
    }

    /** Tokens of the prompt before the image (what prefix reuse keeps in each context). */
    public int prefixTokenCount() {
        return prefixTokenCount;
    }

    /** The text model, e.g. for its vocabulary. */
    public LlamaModel model() {
        return model;
    }

    /** Time spent in batched steps and prompt chunks (batched decoding only; empty otherwise). */
    public java.util.Optional<io.safetyguard.llamacpp.BatchStatistics> batchStatistics() {
        return batch == null ? java.util.Optional.empty() : java.util.Optional.of(batch.statistics());
    }

    /** Replaces the evaluation listener (null: none). See {@link EvaluationListener}. */
    public void listener(EvaluationListener listener) {
        this.listener = listener == null ? EvaluationListener.NONE : listener;
    }

    /**
     * Refuses new work, lets running evaluations finish for up to the configured close timeout, aborts the rest,
     * and frees the native memory once no thread is inside native code. Idempotent.
     */
    public void close() {
        Runnable abort = batch != null ? batch::abortAll : () -> pool.abortAll(StopReason.CLOSED);
        if (!gate.closeAndDrain(config.closeTimeout(), abort)) {
            return;
        }
        // dependants first: contexts and the vision encoder use the model
        if (batch != null) {
            batch.close();
        } else {
            pool.close();
        }
        prefill.close();
        model.close();
        LOG.log(System.Logger.Level.DEBUG, "closed {0}", info.displayName());
    }
}
