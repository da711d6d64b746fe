package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.BatchStatistics;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.PromptLayout;
import io.safetyguard.llamacpp.internal.CategoryProbe;
import io.safetyguard.llamacpp.internal.ComputeTurns;
import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.RatingProbe;
import io.safetyguard.llamacpp.internal.ReferenceImagePipeline;
import io.safetyguard.llamacpp.internal.jni.LlamaContext;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import io.safetyguard.llamacpp.internal.jni.Sampler;
import io.safetyguard.llamacpp.internal.jni.SequenceBatch;
import io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader;
import io.safetyguard.llamacpp.internal.vision.RgbImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Continuous batching: N evaluations share one llama.cpp context with N sequences
 * ({@link LlamaCppConfig#sequences()}). Callers encode their image on their own thread, then hand the prompt to
 * one scheduler thread that owns the context (on a CPU with too few cores for both, the encoders and the rounds
 * take turns: {@link ComputeTurns}). Each round it runs one llama_decode with one token per generating
 * sequence, lets every such sequence sample its next token, and decodes a bounded chunk of one waiting prompt,
 * so a new image joins without stalling the others for a whole prefill. A sequence leaves when its answer is
 * complete, or alone when its caller cancels or its timeout passes; its slot then takes the next image.
 *
 * <p>Under greedy decoding the answers are the ones one-at-a-time evaluation gives: each sequence has its own KV
 * stream (attention never mixes them) and its own sampler and grammar state.
 */
final class BatchScheduler implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.safetyguard.llamacpp.LlamaCppModel");

    /** Most prompt tokens decoded per round: what a new image may delay the others' next token by. */
    static final int PREFILL_CHUNK = 256;

    private final LlamaModel model;
    private final SequenceBatch batch;
    private final ReferenceImagePipeline vision;
    private final PromptLayout layout;
    private final int[] prefixTokens;
    private final boolean reusePrefix;
    private final ContextBudget budget;
    private final RatingProbe ratingProbe;
    private final CategoryProbe categoryProbe;
    private final OptionalLong seedOverride;
    private final GrammarSource grammars = new GrammarSource();
    private final ComputeTurns turns;
    private final int sequences;
    private final int prefillChunk;
    private final ArrayBlockingQueue<Integer> freeSequences;
    private final boolean[] holdsPrefix; // by sequence; scheduler thread only
    private final LinkedBlockingQueue<SequenceJob> arrivals = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closing;
    private volatile long stepNanos;
    private volatile long prefillNanos;
    private volatile long steps;
    private volatile long stepTokens;

    private BatchScheduler(
            LlamaModel model,
            LlamaContext context,
            int sequences,
            ReferenceImagePipeline vision,
            PromptLayout layout,
            int[] prefixTokens,
            boolean reusePrefix,
            OptionalLong seedOverride,
            int batchSize,
            ComputeTurns turns,
            RatingProbe ratingProbe,
            CategoryProbe categoryProbe) {
        this.model = model;
        this.turns = turns;
        this.batch = new SequenceBatch(context);
        this.vision = vision;
        this.layout = layout;
        this.prefixTokens = prefixTokens;
        this.reusePrefix = reusePrefix;
        this.sequences = sequences;
        this.budget = new ContextBudget(context.size() / sequences);
        this.ratingProbe = ratingProbe;
        this.categoryProbe = categoryProbe;
        this.seedOverride = seedOverride;
        this.prefillChunk = Math.max(1, Math.min(PREFILL_CHUNK, batchSize));
        this.freeSequences = new ArrayBlockingQueue<>(sequences);
        for (int s = 0; s < sequences; s++) {
            freeSequences.add(s);
        }
        this.holdsPrefix = new boolean[sequences];
        this.thread = new Thread(this::loop, "safetyguard-llamacpp-batch");
        thread.setDaemon(true);
    }

    /**
     * Creates the context ({@code sequences} KV streams of {@code contextSize} tokens each) and starts the
     * scheduler thread.
     *
     * @throws ModelException when llama.cpp refuses the context
     */
    static BatchScheduler start(
            LlamaModel model,
            LlamaCppConfig config,
            int contextSize,
            ReferenceImagePipeline vision,
            PromptLayout layout,
            int[] prefixTokens,
            RatingProbe ratingProbe,
            CategoryProbe categoryProbe)
            throws ModelException {
        int n = config.sequences();
        NativeBridge.clearRecentProblems();
        Optional<LlamaContext> ctx = LlamaContext.create(
                model,
                contextSize * n,
                config.batchSize(),
                config.ubatchSize(),
                config.threads(),
                config.threads(),
                ContextPool.flashAttention(config.flashAttention()),
                config.persistentThreadPool(),
                n);
        if (ctx.isEmpty()) {
            throw new ModelException("llama.cpp could not create a context for " + n + " sequences of "
                    + contextSize + " tokens: " + NativeBridge.orUnknown(NativeBridge.recentProblems())
                    + ". Try fewer sequences (LlamaCppConfig.Builder.sequences) or a smaller context size.");
        }
        BatchScheduler s = new BatchScheduler(
                model,
                ctx.get(),
                n,
                vision,
                layout,
                prefixTokens,
                config.reusePrefix(),
                config.seed(),
                config.batchSize(),
                turns(config),
                ratingProbe,
                categoryProbe);
        s.thread.start();
        return s;
    }

    /**
     * Whether callers' image encodes and this context take turns: in {@code AUTO}, when the work runs on the CPU
     * (a CPU build, or no layers offloaded) and both thread groups together would need more threads than there
     * are cores.
     */
    static ComputeTurns turns(LlamaCppConfig config) {
        return turns(
                config,
                NativeLibraryLoader.buildInfo().getProperty("backend", "cpu"),
                Runtime.getRuntime().availableProcessors());
    }

    static ComputeTurns turns(LlamaCppConfig config, String nativeBackend, int cores) {
        boolean onCpu = config.gpuLayers() == 0 || nativeBackend.equals("cpu");
        boolean take = switch (config.encoderOverlap()) {
            case TAKE_TURNS -> true;
            case OVERLAP -> false;
            case AUTO -> onCpu && ComputeTurns.oversubscribed(config.threads(), config.threads(), cores);
        };
        return take ? ComputeTurns.shared() : ComputeTurns.NONE;
    }

    /** Tokens each sequence holds. */
    int contextSize() {
        return budget.contextSize();
    }

    /** Evaluates {@code request} in one of the sequences, waiting for a free one; see {@link Engine#evaluate}. */
    ModelOutput evaluate(ModelRequest request, EvaluationListener listener, BooleanSupplier closed)
            throws ModelException {
        Run run = Run.of(request);
        listener = listener.forRequest(request);
        int seq = borrow(run, closed);
        Sampler sampler = null;
        SequenceJob job = null;
        try {
            DecodedImage image = request.image();
            int[] suffix = PromptTokens.suffix(model, layout, request.policyPrompt());
            if (suffix == null || suffix.length == 0) {
                throw new ModelException("the policy prompt could not be tokenized (too long?)");
            }
            int imageTokens = vision.tokens(image.width(), image.height());
            int promptTokens = prefixTokens.length + imageTokens + suffix.length;
            budget.checkPromptFits(promptTokens, imageTokens);
            ReferenceImagePipeline.Embedded embedded =
                    vision.embed(new RgbImage(image.width(), image.height(), image.rgb()), run::check, turns);
            if (embedded.tokens() != imageTokens) {
                throw new ModelException(
                        "internal error: the image took " + embedded.tokens() + " tokens, planned " + imageTokens);
            }
            listener.promptTokens(prefixTokens, suffix);
            listener.imageEmbedded(embedded);
            run.check();

            GenerationOptions opt = request.options();
            long seed = seedOverride.orElse(opt.seed());
            String grammar = grammars.of(request);
            NativeBridge.clearRecentProblems();
            sampler = Sampler.create(
                    model, grammar, opt.greedy(), (float) opt.temperature(), (float) opt.topP(), opt.topK(), (int)
                            (seed ^ (seed >>> 32)));
            AnswerSampling generation = new AnswerSampling(
                    model,
                    ratingProbe,
                    categoryProbe,
                    grammar != null ? categoryProbe.labels(request.policy()) : null,
                    sampler,
                    opt,
                    budget.contextSize() - promptTokens,
                    listener);
            job = new SequenceJob(
                    seq,
                    run,
                    prefixTokens,
                    0,
                    embedded.embeddings(),
                    embedded.embeddings().length / imageTokens,
                    imageTokens,
                    suffix,
                    generation);
            arrivals.add(job);
            TokenGenerator.Generated g = job.await(thread::isAlive);
            double decodeMs = (System.nanoTime() - job.generationStart) / 1e6;
            return new ModelOutput(
                    g.text(),
                    g.probabilityUnsafe(),
                    promptTokens,
                    g.tokens(),
                    embedded.encodeMs() + embedded.prepareMs(),
                    job.prefillMs,
                    decodeMs,
                    -1,
                    g.categories());
        } catch (CancellationException | ModelException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelException("llama.cpp failed: " + e.getMessage(), e);
        } finally {
            if (sampler != null) {
                sampler.close();
            }
            freeSequences.add(seq);
        }
    }

    private int borrow(Run run, BooleanSupplier closed) throws ModelException {
        while (true) {
            Integer s;
            try {
                s = freeSequences.poll(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for a free sequence");
            }
            if (s != null) {
                return s;
            }
            if (closed.getAsBoolean() || closing) {
                throw new ModelException("the model was closed before this evaluation could start");
            }
            run.check();
        }
    }

    // ---- the scheduler thread ----

    private void loop() {
        List<SequenceJob> generating = new ArrayList<>(sequences);
        ArrayDeque<SequenceJob> prefilling = new ArrayDeque<>();
        int[] tokens = new int[sequences];
        int[] positions = new int[sequences];
        int[] seqs = new int[sequences];
        while (true) {
            try {
                if (generating.isEmpty() && prefilling.isEmpty()) {
                    if (closing) {
                        break;
                    }
                    SequenceJob j = arrivals.poll(20, TimeUnit.MILLISECONDS);
                    if (j != null) {
                        admit(j, prefilling);
                    }
                    continue;
                }
                for (SequenceJob j; (j = arrivals.poll()) != null; ) {
                    admit(j, prefilling);
                }
                dropStopped(generating);
                dropStopped(prefilling);
                turns.take(); // one round per turn: a waiting encoder gets the cores next
                try {
                    if (!generating.isEmpty()) {
                        step(generating, tokens, positions, seqs);
                    }
                    SequenceJob p = prefilling.peek();
                    if (p != null) {
                        prefillChunk(p, prefilling, generating);
                    }
                } finally {
                    turns.release();
                }
            } catch (InterruptedException e) {
                // only close stops this thread
            } catch (RuntimeException | Error e) {
                // a bug here must not leave callers waiting forever
                LOG.log(System.Logger.Level.ERROR, "batch scheduler failed", e);
                generating.forEach(j -> j.fail(e));
                prefilling.forEach(j -> j.fail(e));
                generating.clear();
                prefilling.clear();
            }
        }
        for (SequenceJob j; (j = arrivals.poll()) != null; ) {
            j.stop(StopReason.CLOSED);
        }
    }

    private void admit(SequenceJob job, ArrayDeque<SequenceJob> prefilling) {
        boolean keep = reusePrefix && holdsPrefix[job.seq] && batch.remove(job.seq, prefixTokens.length);
        if (keep) {
            job.skipPrefix(prefixTokens.length);
        } else {
            batch.remove(job.seq, 0);
            holdsPrefix[job.seq] = false;
        }
        prefilling.add(job);
    }

    private void dropStopped(Collection<SequenceJob> jobs) {
        for (Iterator<SequenceJob> it = jobs.iterator(); it.hasNext(); ) {
            SequenceJob j = it.next();
            StopReason r = closing ? StopReason.CLOSED : j.reasonToStop();
            if (r != null) {
                it.remove();
                j.stop(r);
            }
        }
    }

    /** One llama_decode with every generating sequence's pending token, then each samples its next. */
    private void step(List<SequenceJob> generating, int[] tokens, int[] positions, int[] seqs) {
        int n = generating.size();
        for (int k = 0; k < n; k++) {
            SequenceJob j = generating.get(k);
            tokens[k] = j.generation.pending();
            positions[k] = j.position;
            seqs[k] = j.seq;
        }
        long t0 = System.nanoTime();
        int rc = batch.step(tokens, positions, seqs, n);
        stepNanos += System.nanoTime() - t0;
        steps++;
        stepTokens += n;
        if (rc != 0) {
            ModelException e = failure(rc, "generating");
            generating.forEach(j -> finishFailed(j, e));
            generating.clear();
            return;
        }
        int k = 0;
        for (Iterator<SequenceJob> it = generating.iterator(); it.hasNext(); k++) {
            SequenceJob j = it.next();
            j.position++;
            batch.selectOutput(k);
            if (!advance(j)) {
                it.remove();
            }
        }
        batch.selectOutput(-1);
    }

    private void prefillChunk(SequenceJob job, ArrayDeque<SequenceJob> prefilling, List<SequenceJob> generating) {
        long t0 = System.nanoTime();
        int rc = job.prefillChunk(batch, prefillChunk);
        long t = System.nanoTime() - t0;
        prefillNanos += t;
        job.prefillMs += t / 1e6;
        if (rc != 0) {
            prefilling.remove(job);
            finishFailed(job, failure(rc, "evaluating the prompt"));
            return;
        }
        if (job.position >= prefixTokens.length) {
            holdsPrefix[job.seq] = true;
        }
        if (!job.prefilled()) {
            return;
        }
        prefilling.remove(job);
        job.generationStart = System.nanoTime();
        batch.selectOutput(-1);
        if (advance(job)) {
            generating.add(job);
        }
    }

    /** Lets {@code job} sample from its selected logits; false when it left (finished or failed). */
    private boolean advance(SequenceJob job) {
        try {
            if (job.generation.next(batch.context())) {
                return true;
            }
            job.complete(job.generation.result());
        } catch (ModelException e) {
            job.fail(e);
        } catch (RuntimeException e) {
            job.fail(new ModelException("llama.cpp failed while generating: " + e.getMessage(), e));
        }
        return false;
    }

    private void finishFailed(SequenceJob job, ModelException e) {
        if (closing) {
            job.stop(StopReason.CLOSED);
        } else {
            job.fail(e);
        }
    }

    private ModelException failure(int rc, String what) {
        if (closing) {
            return new ModelException("the model was closed while " + what);
        }
        if (rc == 1) {
            return new ModelException(
                    "llama.cpp found no room in the context while " + what + " (" + sequences + " sequences of "
                            + budget.contextSize() + " tokens)",
                    null,
                    false);
        }
        return new ModelException(
                "llama.cpp failed while " + what + " (llama_decode returned " + rc + "): "
                        + NativeBridge.orUnknown(NativeBridge.recentProblems()),
                null,
                rc < 0);
    }

    // ---- statistics and lifecycle ----

    /** Time in batched decode steps and in prompt chunks since the start, and the steps' mean occupancy. */
    BatchStatistics statistics() {
        long s = steps;
        return new BatchStatistics(
                stepNanos / 1e6,
                prefillNanos / 1e6,
                s,
                s == 0 ? 0 : (double) stepTokens / s,
                turns.active(),
                turns.waitMillis());
    }

    /** Makes every running evaluation stop with {@code CLOSED}, now (raising the context's abort flag). */
    void abortAll() {
        closing = true;
        batch.context().setAbort(true);
    }

    /** Stops the scheduler thread and frees the context; no evaluation may be running. */
    @Override
    public void close() {
        closing = true;
        batch.context().setAbort(true);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(System.Logger.Level.WARNING, "the batch scheduler did not stop; leaving its context allocated");
            return;
        }
        batch.context().close();
    }

    @Override
    public String toString() {
        return "BatchScheduler[" + sequences + " sequences of " + budget.contextSize() + " tokens, prefix "
                + Arrays.toString(prefixTokens) + "]";
    }
}
