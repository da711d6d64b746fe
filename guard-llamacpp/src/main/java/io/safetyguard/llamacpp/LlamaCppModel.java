package io.safetyguard.llamacpp;

import io.safetyguard.llamacpp.internal.ContextMemory;
import io.safetyguard.llamacpp.internal.ModelFiles;
import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.RatingProbe;
import io.safetyguard.llamacpp.internal.ReferenceImagePipeline;
import io.safetyguard.llamacpp.internal.ReferenceVisionSpec;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.llamacpp.internal.RatingProbe.DecisionTap;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.NativeLibraryException;
import io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader;
import io.safetyguard.policy.Policy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

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
 * <p><b>Logging.</b> llama.cpp's log goes to the {@code System.Logger}
 * {@code io.safetyguard.llamacpp.native} (llama.cpp INFO at DEBUG level), never to stderr.
 */
public final class LlamaCppModel implements SafetyModel {

    private static final System.Logger LOG = System.getLogger(LlamaCppModel.class.getName());

    /** Tokens that must remain free after the prompt for the shortest useful answer. */
    static final int MIN_ANSWER_TOKENS = 32;

    private static final ScheduledExecutorService WATCHDOG = newWatchdog();
    private static final Set<Run> ACTIVE = ConcurrentHashMap.newKeySet();

    private final LlamaCppConfig config;
    private final ModelFiles files;
    private final PromptLayout layout;
    private final String marker;
    private final long model;
    private final long mtmd;                      // libmtmd, only for ImagePipeline.LLAMA_CPP (else 0)
    private final ReferenceImagePipeline vision;  // only for ImagePipeline.REFERENCE (else null)
    private final int[] prefixTokens;             // the prompt before the image (BOS, system line, user header)
    private final int maxImageTokens;
    private final int contextSize;
    private final List<Slot> slots;
    private final ArrayBlockingQueue<Slot> idle;
    private final ReentrantLock encodeLock = new ReentrantLock(true);
    private final ModelInfo info;
    private final Map<Integer, byte[]> pieces = new ConcurrentHashMap<>();
    private final RatingProbe ratingProbe;
    private volatile DecisionTap decisionTap;
    private final int eogToken;

    private final java.lang.ref.Cleaner.Cleanable cleanable;
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    private final Object state = new Object();
    private int inFlight;
    private boolean closed;

    /** Test hook: sees every reference-pipeline image block exactly as it is decoded into the context. */
    private volatile java.util.function.Consumer<ReferenceImagePipeline.Embedded> imageTap;

    private LlamaCppModel(LlamaCppConfig config, ModelFiles files, PromptLayout layout, String marker, long model,
                          long mtmd, ReferenceImagePipeline vision, int maxImageTokens, int contextSize,
                          List<Slot> slots, ModelInfo info, RatingProbe ratingProbe) {
        this.ratingProbe = ratingProbe;
        this.eogToken = NativeBridge.modelEogToken(model);
        this.config = config;
        this.files = files;
        this.layout = layout;
        this.marker = marker;
        this.model = model;
        this.mtmd = mtmd;
        this.vision = vision;
        this.maxImageTokens = maxImageTokens;
        this.prefixTokens = prefixTokens(model, layout);
        this.contextSize = contextSize;
        this.slots = List.copyOf(slots);
        this.idle = new ArrayBlockingQueue<>(slots.size(), false, slots);
        this.info = info;
        long[] contexts = slots.stream().mapToLong(sl -> sl.ctx).toArray();
        this.cleanable = CLEANER.register(this, new NativeMemory(model, mtmd, vision == null ? 0 : vision.clip(),
                contexts));
    }

    /**
     * Validates the files, loads the model and projector and creates the context pool.
     *
     * @throws ModelException with a message naming the file and what to do when a file is missing,
     *                        not GGUF, swapped, mismatched, too big for the context, or the native
     *                        libraries cannot be loaded
     */
    public static LlamaCppModel open(LlamaCppConfig config) throws ModelException {
        long t0 = System.nanoTime();
        // 1. Everything that can be checked without native code.
        ModelFiles files = ModelFiles.inspect(config.modelPath(), config.mmprojPath());
        files.warnings().forEach(w -> LOG.log(System.Logger.Level.WARNING, w));
        PromptLayout layout = config.promptLayout()
                .or(() -> PromptLayout.detect(files.architecture(), files.llavaGuardVersion().orElse(null)))
                .orElseThrow(() -> new ModelException("cannot tell which prompt layout " + config.modelPath().getFileName()
                        + " was trained with (architecture '" + files.architecture() + "', no "
                        + PromptLayout.VERSION_KEY + " key). Set LlamaCppConfig.Builder.promptLayout(...)."));
        // The reference pipeline is planned in Java from the mmproj's metadata; libmtmd's from its tile count.
        boolean reference = config.imagePipeline() == ImagePipeline.REFERENCE;
        ReferenceVisionSpec spec = reference
                ? ReferenceVisionSpec.read(config.mmprojPath(), files.textEmbeddingLength()) : null;
        int maxImageTokens = reference ? spec.maxImageTokens() : files.maxImageTokens();
        if (reference && !files.tiny() && spec.geometry().isAnyres() && spec.geometry().anyresMaxTiles() == 0
                && files.llavaGuardVersion().orElse("").startsWith("v1.2")) {
            LOG.log(System.Logger.Level.WARNING, "{0} has pinpoints but no {1} = anyres_max_9: images are laid out "
                    + "as plain anyres (LLaVA-NeXT, no downscale), not as LlavaGuard v1.2 was trained (docs/models.md, "
                    + "step 5b)", config.mmprojPath().getFileName(), ModelKeys.IMAGE_ASPECT_RATIO);
        }
        if (config.contextSize() > 0 && config.contextSize() < maxImageTokens + MIN_ANSWER_TOKENS) {
            throw new ModelException(contextTooSmall(config.contextSize(), maxImageTokens, 0, files));
        }
        String id;
        try {
            id = ModelFiles.identity(config.modelPath(), config.mmprojPath(),
                    "layout=" + layout + (config.seed().isPresent() ? ";seed=" + config.seed().getAsLong() : ""));
        } catch (IOException e) {
            throw new ModelException("cannot read " + config.modelPath() + " or " + config.mmprojPath() + ": " + e, e);
        }

        // 2. Native.
        try {
            NativeBridge.ensureInitialised();
        } catch (NativeLibraryException | IllegalStateException e) {
            throw new ModelException(e.getMessage(), e);
        }
        NativeBridge.clearRecentProblems();
        long model = NativeBridge.modelLoad(NativeBridge.utf8(config.modelPath().toAbsolutePath().toString()),
                config.gpuLayers(), config.useMmap() ? -1 : 0);
        if (model == 0) {
            throw new ModelException("llama.cpp could not load " + config.modelPath() + ": "
                    + orUnknown(NativeBridge.recentProblems()));
        }
        long mtmd = 0;
        long clip = 0;
        List<Slot> slots = new ArrayList<>();
        try {
            NativeBridge.clearRecentProblems();
            byte[] mmprojPath = NativeBridge.utf8(config.mmprojPath().toAbsolutePath().toString());
            ReferenceImagePipeline vision = null;
            if (reference) {
                clip = NativeBridge.clipInit(mmprojPath, config.gpuLayers() != 0, config.warmup());
                if (clip == 0) {
                    throw new ModelException("llama.cpp could not load the projector " + config.mmprojPath() + ": "
                            + orUnknown(NativeBridge.recentProblems()));
                }
                int clipEmbd = NativeBridge.clipNEmbd(clip);
                if (clipEmbd != NativeBridge.modelNEmbdInp(model)) {
                    throw new ModelException("the projector " + config.mmprojPath().getFileName() + " produces "
                            + clipEmbd + "-wide embeddings but " + config.modelPath().getFileName() + " reads "
                            + NativeBridge.modelNEmbdInp(model) + "; they do not belong together");
                }
                vision = new ReferenceImagePipeline(spec, clip, config.threads());
            } else {
                mtmd = NativeBridge.mtmdInit(mmprojPath, model, config.gpuLayers() != 0, config.threads(),
                        config.warmup());
                if (mtmd == 0) {
                    throw new ModelException("llama.cpp could not load the projector " + config.mmprojPath() + ": "
                            + orUnknown(NativeBridge.recentProblems()));
                }
            }
            String marker = new String(NativeBridge.mediaMarker(), StandardCharsets.UTF_8);

            // 3. Context size: the largest image + the default policy + a full answer must fit.
            int defaultPolicyTokens = countTokens(model, layout, Policy.llavaGuardDefault().render(), marker);
            int nCtxTrain = NativeBridge.modelNCtxTrain(model);
            int needed = maxImageTokens + defaultPolicyTokens + MIN_ANSWER_TOKENS;
            int nCtx = config.contextSize();
            if (nCtx == 0) {
                // room for a longer custom policy (+50%) and a full 500-token answer, in steps of 256
                int wanted = maxImageTokens + defaultPolicyTokens * 3 / 2 + 512;
                wanted = (wanted + 255) / 256 * 256;
                nCtx = nCtxTrain > 0 ? Math.min(wanted, Math.max(nCtxTrain, needed)) : wanted;
            }
            if (nCtx < needed) {
                throw new ModelException(contextTooSmall(nCtx, maxImageTokens, defaultPolicyTokens, files));
            }
            if (nCtxTrain > 0 && nCtx > nCtxTrain) {
                LOG.log(System.Logger.Level.WARNING, "context size {0} exceeds the {1} tokens {2} was trained with",
                        String.valueOf(nCtx), String.valueOf(nCtxTrain), config.modelPath().getFileName());
            }

            // 4. The context pool, if the machine has the memory for it.
            checkMemory(config, files, nCtx, needed);
            for (int i = 0; i < config.parallelContexts(); i++) {
                NativeBridge.clearRecentProblems();
                long ctx = NativeBridge.contextCreate(model, nCtx, config.batchSize(), config.ubatchSize(),
                        config.threads(), config.threads());
                if (ctx == 0) {
                    throw new ModelException("llama.cpp could not create context " + (i + 1) + " of "
                            + config.parallelContexts() + " (context size " + nCtx + "): "
                            + orUnknown(NativeBridge.recentProblems())
                            + ". Try fewer parallel contexts or a smaller context size.");
                }
                slots.add(new Slot(ctx));
            }
            int actualCtx = NativeBridge.contextSize(slots.get(0).ctx);

            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("backend", "llama.cpp");
            meta.put("llama.cpp.version", NativeBridge.version());
            meta.put("llama.cpp.commit", NativeLibraryLoader.buildInfo().getProperty("llama.cpp.commit", "unknown"));
            meta.put("native.backend", NativeLibraryLoader.buildInfo().getProperty("backend", "unknown"));
            meta.put("native.systemInfo", NativeBridge.systemInfo().strip());
            meta.put("architecture", files.architecture());
            meta.put("llavaguard.version", files.llavaGuardVersion().orElse("unknown"));
            meta.put("promptLayout", layout.name());
            meta.put("model.file", config.modelPath().getFileName().toString());
            meta.put("mmproj.file", config.mmprojPath().getFileName().toString());
            meta.put("model.bytes", Long.toString(NativeBridge.modelSize(model)));
            meta.put("embeddingLength", Integer.toString(files.textEmbeddingLength()));
            meta.put("projector", files.projectorType());
            meta.put("image.size", Integer.toString(files.imageSize()));
            meta.put("image.tokensPerTile", Integer.toString(files.tokensPerTile()));
            meta.put("image.pipeline", config.imagePipeline().name());
            meta.put("image.maxTokens", Integer.toString(maxImageTokens));
            if (reference) {
                meta.put("image.geometry", spec.geometry().describe());
            }
            meta.put("contextSize", Integer.toString(actualCtx));
            meta.put("contextSize.trained", Integer.toString(nCtxTrain));
            meta.put("defaultPolicyTokens", Integer.toString(defaultPolicyTokens));
            meta.put("parallelContexts", Integer.toString(config.parallelContexts()));
            meta.put("threads", Integer.toString(config.threads()));
            meta.put("gpuLayers", Integer.toString(config.gpuLayers()));
            meta.put("tiny", Boolean.toString(files.tiny()));
            config.seed().ifPresent(s -> meta.put("seedOverride", Long.toString(s)));
            String display = config.modelPath().getFileName() + " (" + files.architecture() + ", " + layout.name() + ")";
            ModelInfo info = new ModelInfo(id, display, meta);

            RatingProbe probe = RatingProbe.build(model); // reads the vocabulary once
            LlamaCppModel m = new LlamaCppModel(config, files, layout, marker, model, mtmd, vision, maxImageTokens,
                    actualCtx, slots, info, probe);
            LOG.log(System.Logger.Level.INFO, "loaded {0} + {1}: layout {2}, context {3} x {4}, {5} threads, in {6} ms",
                    config.modelPath().getFileName(), config.mmprojPath().getFileName(), layout,
                    String.valueOf(actualCtx), String.valueOf(config.parallelContexts()),
                    String.valueOf(config.threads()), String.valueOf((System.nanoTime() - t0) / 1_000_000));
            return m;
        } catch (RuntimeException e) {
            freeAll(slots, mtmd, clip, model);
            throw new ModelException("llama.cpp failed while loading " + config.modelPath().getFileName() + " + "
                    + config.mmprojPath().getFileName() + ": " + e.getMessage(), e);
        } catch (ModelException | Error e) {
            freeAll(slots, mtmd, clip, model);
            throw e;
        }
    }

    /**
     * Refuses contexts that do not fit in the available memory (see {@link ContextMemory}): llama.cpp
     * would fail slowly or, worse, get the process killed. Skipped when the KV cache may live in GPU
     * memory (a GPU build with offloading), which this estimate does not see.
     */
    private static void checkMemory(LlamaCppConfig config, ModelFiles files, int nCtx, int minimumCtx)
            throws ModelException {
        String backend = NativeLibraryLoader.buildInfo().getProperty("backend", "cpu");
        if (config.gpuLayers() != 0 && !backend.equals("cpu")) {
            return;
        }
        java.util.OptionalLong available = ContextMemory.availableBytes();
        if (available.isEmpty()) {
            return;
        }
        java.util.Optional<String> refusal = files.memory().refusal(nCtx, config.parallelContexts(),
                available.getAsLong(), minimumCtx);
        if (refusal.isPresent()) {
            throw new ModelException(config.modelPath().getFileName() + ": " + refusal.get());
        }
    }

    private static void freeAll(List<Slot> slots, long mtmd, long clip, long model) {
        for (Slot s : slots) {
            NativeBridge.contextFree(s.ctx);
        }
        if (mtmd != 0) {
            NativeBridge.mtmdFree(mtmd);
        }
        if (clip != 0) {
            NativeBridge.clipFree(clip);
        }
        NativeBridge.modelFree(model);
    }

    private static String orUnknown(String problems) {
        return problems.isEmpty() ? "no reason given (see the io.safetyguard.llamacpp.native log)" : problems;
    }

    private static String contextTooSmall(int nCtx, int imageTokens, int policyTokens, ModelFiles files) {
        int need = imageTokens + policyTokens + MIN_ANSWER_TOKENS;
        return "context size " + nCtx + " is too small: an image can take up to " + imageTokens + " tokens ("
                + files.tokensPerTile() + " per tile)" + (policyTokens > 0 ? " and the default policy prompt "
                + policyTokens : "") + ", so at least " + need + " are needed. Set a larger context size, e.g. "
                + "LlamaCppConfig.Builder.contextSize(" + ((need + 512 + 255) / 256 * 256) + "), or 0 to choose automatically.";
    }

    private static int countTokens(long model, PromptLayout layout, String policy, String marker) {
        // The text around the image, tokenized as mtmd does: BOS with the first part, special tokens parsed.
        int[] before = NativeBridge.tokenize(model, NativeBridge.utf8(layout.textBeforeMedia()), true, true);
        int[] after = NativeBridge.tokenize(model, NativeBridge.utf8(layout.textAfterMedia(policy)), false, true);
        return (before == null ? 0 : before.length) + (after == null ? 0 : after.length);
    }

    /** The prompt before the image, tokenized as libmtmd does it: BOS added, special tokens parsed. */
    private static int[] prefixTokens(long model, PromptLayout layout) {
        int[] t = NativeBridge.tokenize(model, NativeBridge.utf8(layout.textBeforeMedia()), true, true);
        if (t == null || t.length == 0) {
            throw new IllegalStateException("the prompt layout " + layout + " tokenizes to nothing before the image");
        }
        return t;
    }

    // ------------------------------------------------------------------------------------------
    // SafetyModel

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public boolean supportsVerdictOnly() {
        return true;
    }

    /** The prompt layout in use. */
    public PromptLayout promptLayout() {
        return layout;
    }

    /** The most image tokens one image can take with the configured image pipeline. */
    public int maxImageTokens() {
        return maxImageTokens;
    }

    /**
     * The image tokens a {@code width x height} image takes in the prompt: the reference count for
     * {@link ImagePipeline#REFERENCE}; for {@link ImagePipeline#LLAMA_CPP} it is only known after libmtmd
     * tokenized the image, so this throws.
     */
    public int imageTokens(int width, int height) {
        if (vision == null) {
            throw new UnsupportedOperationException("libmtmd decides its image token count while tokenizing; "
                    + "see ModelOutput.promptTokens()");
        }
        return vision.tokens(width, height);
    }

    /** Tokens of the prompt before the image (what prefix reuse keeps in each context). */
    int prefixTokenCount() {
        return prefixTokens.length;
    }

    /** Package-private test hook: called with every reference image block right before it is decoded. */
    void imageTap(java.util.function.Consumer<ReferenceImagePipeline.Embedded> tap) {
        this.imageTap = tap;
    }

    /** The context size of each pooled context, in tokens. */
    public int contextSize() {
        return contextSize;
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
        enter();
        try {
            return countTokens(model, layout, policyPrompt, marker);
        } finally {
            exit();
        }
    }

    @Override
    public ModelOutput evaluate(ModelRequest request) throws ModelException {
        java.util.Objects.requireNonNull(request, "request");
        enter();
        try {
            long start = System.nanoTime();
            Duration timeout = request.timeout();
            long deadline = timeout.isZero() ? Long.MAX_VALUE : start + timeout.toNanos();
            Run run = new Run(request.cancelled(), deadline, timeout, Thread.currentThread());
            Slot slot = borrow(run);
            NativeBridge.errorsExpectedWhen(() -> run.abortReason != null);
            try {
                return evaluateOn(slot, run, request);
            } catch (CancellationException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ModelException("llama.cpp failed: " + e.getMessage(), e);
            } finally {
                NativeBridge.errorsExpectedWhen(null);
                release(slot, run);
            }
        } finally {
            exit();
        }
    }

    private ModelOutput evaluateOn(Slot slot, Run run, ModelRequest request) throws ModelException {
        run.slot = slot;
        ACTIVE.add(run);
        ensureWatchdog();
        NativeBridge.clearRecentProblems();
        return vision != null ? evaluateReference(slot, run, request) : evaluateWithMtmd(slot, run, request);
    }

    /**
     * The reference pipeline: prefix tokens (kept in the context from the last request when they are the same),
     * the image embeddings assembled in Java, the policy and answer header tokens, then generation.
     */
    private ModelOutput evaluateReference(Slot slot, Run run, ModelRequest request) throws ModelException {
        GenerationOptions opt = request.options();
        DecodedImage image = request.image();
        int[] suffix = NativeBridge.tokenize(model, NativeBridge.utf8(layout.textAfterMedia(request.policyPrompt())),
                false, true);
        if (suffix == null || suffix.length == 0) {
            throw new ModelException("the policy prompt could not be tokenized (too long?)");
        }
        int imageTokens = vision.tokens(image.width(), image.height());
        int promptTokens = prefixTokens.length + imageTokens + suffix.length;
        checkPromptFits(promptTokens, imageTokens);

        long tp = System.nanoTime();
        int nPast = restorePrefix(slot, run);
        double prefillMs = (System.nanoTime() - tp) / 1e6;

        ReferenceImagePipeline.Embedded embedded = vision.embed(
                new io.safetyguard.llamacpp.internal.vision.RgbImage(image.width(), image.height(), image.rgb()), run::check);
        if (embedded.tokens() != imageTokens) {
            throw new ModelException("internal error: the image took " + embedded.tokens() + " tokens, planned "
                    + imageTokens);
        }
        java.util.function.Consumer<ReferenceImagePipeline.Embedded> tap = imageTap;
        if (tap != null) {
            tap.accept(embedded);
        }
        run.check();
        long td = System.nanoTime();
        int rc = NativeBridge.decodeEmbeddings(slot.ctx, embedded.embeddings(), 0, imageTokens, nPast, false);
        if (rc != 0) {
            throw decodeFailure(run, rc, "evaluating the image");
        }
        nPast += imageTokens;
        run.check();
        rc = NativeBridge.decodeTokens(slot.ctx, suffix, nPast, true);
        if (rc != 0) {
            throw decodeFailure(run, rc, "evaluating the prompt");
        }
        nPast += suffix.length;
        prefillMs += (System.nanoTime() - td) / 1e6;

        long tg = System.nanoTime();
        Generated g = generate(slot, run, request, opt, nPast);
        double decodeMs = (System.nanoTime() - tg) / 1e6;
        return new ModelOutput(g.text, g.probabilityUnsafe, promptTokens, g.tokens,
                embedded.encodeMs() + embedded.prepareMs(), prefillMs, decodeMs);
    }

    /**
     * Leaves exactly the prompt prefix in the slot's context and returns its length. When the context already
     * holds the same prefix from the previous request, only what followed it is removed (prefix reuse, saving its
     * decode); otherwise the context is cleared and the prefix decoded.
     */
    private int restorePrefix(Slot slot, Run run) throws ModelException {
        if (config.reusePrefix() && java.util.Arrays.equals(slot.cachedPrefix, prefixTokens)
                && NativeBridge.contextTrim(slot.ctx, prefixTokens.length)) {
            return prefixTokens.length;
        }
        slot.cachedPrefix = null;
        NativeBridge.contextClear(slot.ctx);
        run.check();
        int rc = NativeBridge.decodeTokens(slot.ctx, prefixTokens, 0, false);
        if (rc != 0) {
            throw decodeFailure(run, rc, "evaluating the prompt");
        }
        // positions after the prefix may be left over by a failed request; the next trim removes them
        slot.cachedPrefix = prefixTokens;
        return prefixTokens.length;
    }

    private void checkPromptFits(int promptTokens, int imageTokens) throws ModelException {
        if (promptTokens + MIN_ANSWER_TOKENS > contextSize) {
            throw new ModelException("the prompt needs " + promptTokens + " tokens (image " + imageTokens
                    + ", text " + (promptTokens - imageTokens) + ") plus at least " + MIN_ANSWER_TOKENS
                    + " for the answer, but the context holds " + contextSize + ". Open the model with a larger "
                    + "context size (LlamaCppConfig.Builder.contextSize(" + ((promptTokens + 512 + 255) / 256 * 256)
                    + ")) or shorten the policy.");
        }
    }

    /** libmtmd's pipeline ({@link ImagePipeline#LLAMA_CPP}): mtmd_tokenize, per-chunk encode and decode. */
    private ModelOutput evaluateWithMtmd(Slot slot, Run run, ModelRequest request) throws ModelException {
        GenerationOptions opt = request.options();
        DecodedImage image = request.image();
        String prompt = layout.render(request.policyPrompt(), marker);

        slot.cachedPrefix = null;
        NativeBridge.contextClear(slot.ctx);
        int[] status = new int[1];
        long chunks = NativeBridge.tokenizeWithImage(mtmd, NativeBridge.utf8(prompt), image.rgb(), image.width(),
                image.height(), true, status);
        if (chunks == 0) {
            throw new ModelException("llama.cpp could not prepare the image " + image.width() + "x" + image.height()
                    + " (mtmd_tokenize returned " + status[0] + "): " + orUnknown(NativeBridge.recentProblems()));
        }
        double encodeMs = 0;
        double prefillMs = 0;
        try {
            int n = NativeBridge.chunksCount(chunks);
            int promptTokens = 0;
            int imageTokens = 0;
            for (int i = 0; i < n; i++) {
                int t = NativeBridge.chunkTokens(chunks, i);
                promptTokens += t;
                if (NativeBridge.chunkType(chunks, i) == NativeBridge.CHUNK_IMAGE) {
                    imageTokens += t;
                }
            }
            if (n == 0 || NativeBridge.chunkType(chunks, n - 1) != NativeBridge.CHUNK_TEXT) {
                throw new ModelException("internal error: the prompt does not end with text (" + n + " chunks)");
            }
            checkPromptFits(promptTokens, imageTokens);

            // Prefill: text, image tile(s), text.
            int nPast = 0;
            for (int i = 0; i < n; i++) {
                run.check();
                int rc;
                if (NativeBridge.chunkType(chunks, i) == NativeBridge.CHUNK_IMAGE) {
                    double[] encodeTime = new double[1];
                    long embd = encode(run, chunks, i, encodeTime);
                    long td = System.nanoTime();
                    encodeMs += encodeTime[0];
                    try {
                        run.check();
                        rc = NativeBridge.decodeImageChunk(mtmd, slot.ctx, chunks, i, embd, nPast);
                    } finally {
                        NativeBridge.freeBuffer(embd);
                    }
                    prefillMs += (System.nanoTime() - td) / 1e6;
                } else {
                    long tt = System.nanoTime();
                    rc = NativeBridge.decodeTextChunk(slot.ctx, chunks, i, nPast, i == n - 1);
                    prefillMs += (System.nanoTime() - tt) / 1e6;
                }
                if (rc != 0) {
                    throw decodeFailure(run, rc, "evaluating the prompt");
                }
                nPast += NativeBridge.chunkPositions(chunks, i);
            }

            // Generation.
            long tg = System.nanoTime();
            Generated g = generate(slot, run, request, opt, nPast);
            double decodeMs = (System.nanoTime() - tg) / 1e6;
            return new ModelOutput(g.text, g.probabilityUnsafe, promptTokens, g.tokens, encodeMs, prefillMs, decodeMs);
        } finally {
            NativeBridge.chunksFree(chunks);
        }
    }

    /**
     * Encodes one image chunk under the encoder lock; returns the embeddings copy (caller frees).
     * {@code millis[0]} receives the encoding time without the wait for the lock.
     */
    private long encode(Run run, long chunks, int index, double[] millis) throws ModelException {
        try {
            while (!encodeLock.tryLock(20, TimeUnit.MILLISECONDS)) {
                run.check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the image encoder");
        }
        long embd;
        long t0 = System.nanoTime();
        try {
            embd = NativeBridge.encodeImageChunk(mtmd, model, chunks, index);
        } finally {
            encodeLock.unlock();
        }
        millis[0] = (System.nanoTime() - t0) / 1e6;
        if (embd == 0) {
            throw new ModelException("llama.cpp could not encode the image: " + orUnknown(NativeBridge.recentProblems()));
        }
        return embd;
    }

    private record Generated(String text, int tokens, OptionalDouble probabilityUnsafe) {}

    private Generated generate(Slot slot, Run run, ModelRequest request, GenerationOptions opt, int nPast)
            throws ModelException {
        long seed = config.seed().orElse(opt.seed());
        byte[] grammar = request.policy() == null ? null // llama.cpp's constraint: the policy's GBNF
                : NativeBridge.utf8(io.safetyguard.policy.VerdictGrammar.gbnf(request.policy(), request.verdictOnly()));
        NativeBridge.clearRecentProblems();
        long sampler = NativeBridge.samplerCreate(model, grammar, opt.greedy(), (float) opt.temperature(),
                (float) opt.topP(), opt.topK(), (int) (seed ^ (seed >>> 32)));
        if (sampler == 0) {
            throw new ModelException("llama.cpp rejected the grammar: " + orUnknown(NativeBridge.recentProblems()));
        }
        try {
            int maxNew = Math.min(opt.maxNewTokens(), contextSize - nPast);
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            JsonEnd jsonEnd = grammar != null ? new JsonEnd() : null;
            RatingProbe probe = grammar != null ? ratingProbe : null;
            DecisionTap tap = decisionTap;
            double pUnsafe = Double.NaN;
            boolean probing = probe != null;   // until the rating value has begun
            int generated = 0;
            int pos = nPast;
            while (generated < maxNew) {
                run.check();
                RatingProbe.Decision decision = null;
                float[] tapped = null;
                if (probing && out.size() > RatingProbe.MAX_BYTES_BEFORE_VALUE) {
                    probing = false; // not the verdict grammar: its rating value would have begun by now
                }
                if (probing) {
                    String soFar = out.toString(StandardCharsets.UTF_8);
                    if (RatingProbe.valueOpened(soFar)) {
                        decision = probe.read(slot.ctx, sampler);
                        probing = false;  // the next token starts the value either way
                        tapped = tap != null && decision != null ? allLogits(slot.ctx) : null;
                    } else if (RatingProbe.beforeValue(soFar)) {
                        probe.keepQuoteSeparate(slot.ctx, sampler);
                    }
                }
                int token = NativeBridge.sample(sampler, slot.ctx);
                if (token < 0) {
                    throw new ModelException("llama.cpp could not sample a token: the grammar allows none after \""
                            + out.toString(StandardCharsets.UTF_8) + "\"");
                }
                if (NativeBridge.tokenIsEog(model, token)) {
                    break;
                }
                if (decision != null && decision.covers(token)) {
                    pUnsafe = decision.probabilityUnsafe;
                    if (tapped != null) {
                        tap.observe(out.toString(StandardCharsets.UTF_8), tapped, token, pUnsafe);
                    }
                }
                byte[] piece = piece(token);
                out.write(piece, 0, piece.length);
                generated++;
                if (jsonEnd != null && jsonEnd.feed(piece) && grammarMayEnd(sampler)) {
                    // the JSON object is closed and the grammar accepts the end here: the verdict
                    // grammar allows nothing else, so skip the forward pass that would only yield EOG
                    break;
                }
                if (generated >= maxNew) {
                    break;
                }
                int rc = NativeBridge.decodeToken(slot.ctx, token, pos++);
                if (rc != 0) {
                    throw decodeFailure(run, rc, "generating");
                }
            }
            return new Generated(out.toString(StandardCharsets.UTF_8), generated,
                    Double.isNaN(pUnsafe) ? OptionalDouble.empty() : OptionalDouble.of(pUnsafe));
        } catch (RuntimeException e) {
            if (e instanceof CancellationException) {
                throw e;
            }
            throw new ModelException("llama.cpp failed while generating: " + e.getMessage(), e);
        } finally {
            NativeBridge.samplerFree(sampler);
        }
    }

    private float[] allLogits(long ctx) {
        int n = NativeBridge.modelNVocab(model);
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        float[] logits = new float[n];
        NativeBridge.logitsOf(ctx, all, logits);
        return logits;
    }

    /** The text of a token as generation writes it (tests derive token sets from it). */
    String tokenText(int token) {
        return new String(piece(token), StandardCharsets.UTF_8);
    }

    int vocabularySize() {
        return NativeBridge.modelNVocab(model);
    }

    /** Test hook: receives the logits at every rating decision (null to remove). */
    void decisionTap(DecisionTap tap) {
        this.decisionTap = tap;
    }

    private boolean grammarMayEnd(long sampler) {
        return eogToken >= 0 && NativeBridge.samplerAllowed(sampler, new int[] {eogToken}).length == 1;
    }

    private byte[] piece(int token) {
        return pieces.computeIfAbsent(token, t -> NativeBridge.tokenPiece(model, t, false));
    }

    private ModelException decodeFailure(Run run, int rc, String what) throws ModelException {
        // An abort shows up as a decode failure; report the reason the abort was raised for.
        run.check();
        if (run.abortReason == Run.CLOSED) {
            return new ModelException("the model was closed while " + what);
        }
        if (rc == 1) {
            return new ModelException("llama.cpp found no room in the context while " + what + " (context size "
                    + contextSize + "). Open the model with a larger context size.", null, false);
        }
        return new ModelException("llama.cpp failed while " + what + " (llama_decode returned " + rc + "): "
                + orUnknown(NativeBridge.recentProblems()), null, rc < 0);
    }

    // ------------------------------------------------------------------------------------------
    // Pool and lifecycle

    private void enter() {
        synchronized (state) {
            if (closed) {
                throw new IllegalStateException("this LlamaCppModel (" + info.displayName() + ") has been closed; "
                        + "open a new one with LlamaCppModel.open(config)");
            }
            inFlight++;
        }
    }

    private void exit() {
        synchronized (state) {
            inFlight--;
            state.notifyAll();
        }
        // the Cleaner must not free the native memory while a call is still in native code
        java.lang.ref.Reference.reachabilityFence(this);
    }

    private boolean isClosing() {
        synchronized (state) {
            return closed;
        }
    }

    private Slot borrow(Run run) throws ModelException {
        while (true) {
            Slot s;
            try {
                s = idle.poll(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for a free llama.cpp context");
            }
            if (s != null) {
                return s;
            }
            if (isClosing()) {
                throw new ModelException("the model was closed before this evaluation could start");
            }
            run.check();
        }
    }

    private void release(Slot slot, Run run) {
        synchronized (run) {
            run.done = true;
        }
        ACTIVE.remove(run);
        NativeBridge.contextSetAbort(slot.ctx, false);
        idle.add(slot);
    }

    /**
     * Stops accepting work, waits up to the configured close timeout for running evaluations, aborts
     * the rest, and frees the model once no thread is inside native code. Idempotent.
     */
    @Override
    public void close() {
        synchronized (state) {
            if (closed) {
                return;
            }
            closed = true;
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + config.closeTimeout().toNanos();
        synchronized (state) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(state, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        }
        for (Run r : ACTIVE) {
            if (slots.contains(r.slot)) {
                r.abort(Run.CLOSED);
            }
        }
        synchronized (state) {
            while (inFlight > 0) {
                try {
                    state.wait(50);
                } catch (InterruptedException e) {
                    interrupted = true; // must not free memory that native code still uses
                }
                for (Run r : ACTIVE) {
                    if (slots.contains(r.slot)) {
                        r.abort(Run.CLOSED);
                    }
                }
            }
        }
        cleanable.clean();
        LOG.log(System.Logger.Level.DEBUG, "closed {0}", info.displayName());
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "LlamaCppModel[" + info.displayName() + ", id=" + info.id().substring(0, 12) + "]";
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Frees the native memory exactly once: from {@link #close()}, or when a model that was never
     * closed becomes unreachable (then no thread can be using it).
     */
    private record NativeMemory(long model, long mtmd, long clip, long[] contexts) implements Runnable {
        @Override
        public void run() {
            for (long c : contexts) {
                NativeBridge.contextFree(c);
            }
            NativeBridge.mtmdFree(mtmd);
            NativeBridge.clipFree(clip);
            NativeBridge.modelFree(model);
        }
    }

    /** One pooled llama.cpp context. */
    private static final class Slot {
        final long ctx;
        /** The prompt prefix the context's KV holds at positions 0.. (null: unknown); used by one thread at a time. */
        int[] cachedPrefix;

        Slot(long ctx) {
            this.ctx = ctx;
        }
    }

    /** The running state of one evaluation, visible to the watchdog. */
    private static final class Run {
        static final String CANCELLED = "cancelled";
        static final String TIMEOUT = "timeout";
        static final String INTERRUPTED = "interrupted";
        static final String CLOSED = "closed";

        final BooleanSupplier cancelled;
        final long deadline;
        final Duration timeout;
        final Thread thread;
        volatile Slot slot;
        volatile String abortReason;
        boolean done; // guarded by this

        Run(BooleanSupplier cancelled, long deadline, Duration timeout, Thread thread) {
            this.cancelled = cancelled;
            this.deadline = deadline;
            this.timeout = timeout;
            this.thread = thread;
        }

        /** Why this run should stop now, or null. */
        String reasonToStop() {
            String r = abortReason;
            if (r != null) {
                return r;
            }
            boolean c;
            try {
                c = cancelled.getAsBoolean();
            } catch (RuntimeException e) {
                c = true;
            }
            if (c) {
                return CANCELLED;
            }
            if (thread.isInterrupted()) {
                return INTERRUPTED;
            }
            if (System.nanoTime() - deadline > 0) {
                return TIMEOUT;
            }
            return null;
        }

        /** Raises the native abort flag of this run's context (if it is still running). */
        synchronized void abort(String reason) {
            if (done) {
                return;
            }
            if (abortReason == null) {
                abortReason = reason;
            }
            Slot s = slot;
            if (s != null) {
                NativeBridge.contextSetAbort(s.ctx, true);
            }
        }

        /** Throws if the run must stop. */
        void check() throws ModelException {
            String r = reasonToStop();
            if (r == null) {
                return;
            }
            if (abortReason == null) {
                abortReason = r;
            }
            switch (r) {
                case CANCELLED -> throw new CancellationException("evaluation cancelled");
                case INTERRUPTED -> throw new CancellationException("evaluation interrupted");
                case TIMEOUT -> throw new ModelException("the evaluation timed out after " + timeout.toMillis()
                        + " ms", null, true);
                default -> throw new ModelException("the model was closed during the evaluation");
            }
        }
    }

    private static ScheduledExecutorService newWatchdog() {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "safetyguard-llamacpp-watchdog");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        return ex;
    }

    private static final Object WATCHDOG_LOCK = new Object();
    private static boolean watchdogStarted;

    private static void ensureWatchdog() {
        synchronized (WATCHDOG_LOCK) {
            if (watchdogStarted) {
                return;
            }
            watchdogStarted = true;
            WATCHDOG.scheduleWithFixedDelay(() -> {
                for (Run r : ACTIVE) {
                    try {
                        String reason = r.reasonToStop();
                        if (reason != null) {
                            r.abort(reason);
                        }
                    } catch (Throwable t) {
                        // keep watching the others
                    }
                }
            }, 10, 10, TimeUnit.MILLISECONDS);
        }
    }

    /** Spots the end of the top-level JSON object (the grammar's root) in the generated bytes. */
    static final class JsonEnd {
        private int depth;
        private boolean inString;
        private boolean escape;
        private boolean started;

        /** Feeds bytes; true once the outermost object has closed. */
        boolean feed(byte[] bytes) {
            for (byte b : bytes) {
                char c = (char) (b & 0xff);
                if (inString) {
                    if (escape) {
                        escape = false;
                    } else if (c == '\\') {
                        escape = true;
                    } else if (c == '"') {
                        inString = false;
                    }
                    continue;
                }
                if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                    started = true;
                } else if (c == '}' || c == ']') {
                    depth--;
                    if (started && depth == 0) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
