package io.safetyguard.llamacpp;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.llamacpp.internal.engine.Engine;
import io.safetyguard.llamacpp.internal.engine.ModelLoader;
import java.util.concurrent.CancellationException;

/**
 * A LlavaGuard model (GGUF text model + mmproj vision projector) running in-process on llama.cpp.
 *
 * <p><b>Threads.</b> One model (weights) is shared by a pool of {@link LlamaCppConfig#parallelContexts()}
 * llama.cpp contexts. Each evaluation borrows a context, uses it alone and returns it; callers
 * beyond the pool size wait. Image encoding uses the single vision encoder (our clip context for
 * {@link ImagePipeline#REFERENCE}, the mtmd context for {@link ImagePipeline#LLAMA_CPP}), whose
 * buffers are shared, so encoding runs under one lock; the decode of the embeddings into the
 * borrowed context runs outside it. Every request starts from a KV cache that holds at most the
 * image-independent prompt prefix (kept from the previous request when it is the same, see
 * {@link LlamaCppConfig#reusePrefix()}) and keeps all its state (tokens, sampler, embeddings)
 * local, so an answer can only ever belong to its own image.
 *
 * <p><b>Cancellation and timeouts.</b> {@link ModelRequest#cancelled()}, the request's timeout,
 * thread interruption and {@link #close()} are checked between tokens and, through llama.cpp's
 * abort callback, inside long prompt decodes (a watchdog thread raises the context's abort flag).
 * The image encoder cannot be interrupted; a cancel that arrives during encoding takes effect right
 * after it. A cancelled request throws {@link CancellationException}; a timed-out one throws a
 * transient {@link ModelException}. The context is reset and reused either way.
 *
 * <p><b>Close.</b> {@link #close()} refuses new work, lets running evaluations finish for up to
 * {@link LlamaCppConfig#closeTimeout()}, then aborts them (they fail with a {@link ModelException})
 * and frees the native memory only after the last one has left native code. Closing twice is
 * harmless; any call after close throws {@link IllegalStateException}.
 *
 * <p><b>P(Unsafe).</b> With a grammar (the verdict grammar), every output carries
 * {@link ModelOutput#probabilityUnsafe()}: the grammar-constrained probability at temperature 1 that
 * the model writes Unsafe, read from the logits right after the opening quote of the rating value
 * (see {@code RatingProbe} for the exact quantity and why the quote is kept a token of its own).
 *
 * <p><b>Structure.</b> This class is the public face of an internal {@code Engine}, which {@code ModelLoader}
 * builds from one class per native object (package {@code io.safetyguard.llamacpp.internal.jni}).
 *
 * <p><b>Logging.</b> llama.cpp's log goes to the {@code System.Logger}
 * {@code io.safetyguard.llamacpp.native} (llama.cpp INFO at DEBUG level), never to stderr.
 */
public final class LlamaCppModel implements SafetyModel {

    private final LlamaCppConfig config;
    private final Engine engine;

    private LlamaCppModel(LlamaCppConfig config, Engine engine) {
        this.config = config;
        this.engine = engine;
    }

    /**
     * Validates the files, loads the model and projector and creates the context pool.
     *
     * @throws ModelException with a message naming the file and what to do when a file is missing,
     *                        not GGUF, swapped, mismatched, too big for the context, or the native
     *                        libraries cannot be loaded
     */
    public static LlamaCppModel open(LlamaCppConfig config) throws ModelException {
        return new LlamaCppModel(config, ModelLoader.open(config));
    }

    @Override
    public ModelInfo info() {
        return engine.info();
    }

    @Override
    public boolean supportsVerdictOnly() {
        return true;
    }

    /** The prompt layout in use. */
    public PromptLayout promptLayout() {
        return engine.promptLayout();
    }

    /** The most image tokens one image can take with the configured image pipeline. */
    public int maxImageTokens() {
        return engine.maxImageTokens();
    }

    /**
     * The image tokens a {@code width x height} image takes in the prompt: the reference count for
     * {@link ImagePipeline#REFERENCE}; for {@link ImagePipeline#LLAMA_CPP} it is only known after libmtmd
     * tokenized the image, so this throws.
     */
    public int imageTokens(int width, int height) {
        return engine.imageTokens(width, height);
    }

    /** The context size of each pooled context, in tokens. */
    public int contextSize() {
        return engine.contextSize();
    }

    /** The configuration this model was opened with. */
    public LlamaCppConfig config() {
        return config;
    }

    /**
     * Counts the tokens a policy takes in the prompt (everything but the image), with the model's
     * own tokenizer.
     */
    public int promptTextTokens(String policyPrompt) {
        return engine.promptTextTokens(policyPrompt);
    }

    /**
     * Evaluates one image against one policy prompt.
     *
     * @throws CancellationException when the request is cancelled or the thread interrupted
     * @throws ModelException        when llama.cpp fails, the request times out or the model is closed meanwhile
     */
    @Override
    public ModelOutput evaluate(ModelRequest request) throws ModelException {
        return engine.evaluate(request);
    }

    /**
     * Stops accepting work, waits up to the configured close timeout for running evaluations, aborts
     * the rest, and frees the model once no thread is inside native code. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Time spent in batched decode steps and prompt chunks; empty unless the model batches (sequences above 1). */
    public java.util.Optional<BatchStatistics> batchStatistics() {
        return engine.batchStatistics();
    }

    /**
     * Internal access for tests in this package (an {@code EvaluationListener}, the vocabulary, the prefix
     * length); not API.
     */
    Engine engine() {
        return engine;
    }

    @Override
    public String toString() {
        ModelInfo info = engine.info();
        return "LlamaCppModel[" + info.displayName() + ", id=" + info.id().substring(0, 12) + "]";
    }
}
