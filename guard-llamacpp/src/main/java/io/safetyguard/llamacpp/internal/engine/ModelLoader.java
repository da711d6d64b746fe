package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.llamacpp.ImagePipeline;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.NativeLibraryException;
import io.safetyguard.llamacpp.PromptLayout;
import io.safetyguard.llamacpp.internal.CategoryProbe;
import io.safetyguard.llamacpp.internal.ContextMemory;
import io.safetyguard.llamacpp.internal.ModelFiles;
import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.RatingProbe;
import io.safetyguard.llamacpp.internal.ReferenceImagePipeline;
import io.safetyguard.llamacpp.internal.ReferenceVisionSpec;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.internal.jni.ClipContext;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import io.safetyguard.llamacpp.internal.jni.MtmdContext;
import io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Opens a model: first everything that can be checked without native code (the files' metadata, the prompt
 * layout, the image token budget), then the native objects, the context size and the pool, freeing whatever
 * was created when a later step fails.
 */
public final class ModelLoader {

    private static final System.Logger LOG = System.getLogger("io.safetyguard.llamacpp.LlamaCppModel");

    private ModelLoader() {}

    /**
     * Validates the files, loads the model and projector and creates the context pool.
     *
     * @throws ModelException with a message naming the file and what to do when a file is missing, not GGUF,
     *                        swapped, mismatched, too big for the context, or the native libraries cannot load
     */
    public static Engine open(LlamaCppConfig config) throws ModelException {
        long t0 = System.nanoTime();
        // 1. Everything that can be checked without native code.
        ModelFiles files = ModelFiles.inspect(config.modelPath(), config.mmprojPath());
        files.warnings().forEach(w -> LOG.log(System.Logger.Level.WARNING, w));
        PromptLayout layout = config.promptLayout()
                .or(() -> PromptLayout.detect(
                        files.architecture(), files.llavaGuardVersion().orElse(null)))
                .orElseThrow(() -> new ModelException("cannot tell which prompt layout "
                        + config.modelPath().getFileName() + " was trained with (architecture '"
                        + files.architecture() + "', no " + PromptLayout.VERSION_KEY
                        + " key). Set LlamaCppConfig.Builder.promptLayout(...)."));
        // The reference pipeline is planned in Java from the mmproj's metadata; libmtmd's from its tile count.
        boolean reference = config.imagePipeline() == ImagePipeline.REFERENCE;
        ReferenceVisionSpec spec =
                reference ? ReferenceVisionSpec.read(config.mmprojPath(), files.textEmbeddingLength()) : null;
        int maxImageTokens = reference ? spec.maxImageTokens() : files.maxImageTokens();
        if (reference
                && !files.tiny()
                && spec.geometry().isAnyres()
                && spec.geometry().anyresMaxTiles() == 0
                && files.llavaGuardVersion().orElse("").startsWith("v1.2")) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "{0} has pinpoints but no {1} = anyres_max_9: images are laid out "
                            + "as plain anyres (LLaVA-NeXT, no downscale), not as LlavaGuard v1.2 was trained "
                            + "(re-convert with guard model convert, docs/models.md)",
                    config.mmprojPath().getFileName(),
                    ModelKeys.IMAGE_ASPECT_RATIO);
        }
        if (config.contextSize() > 0 && config.contextSize() < maxImageTokens + ContextBudget.MIN_ANSWER_TOKENS) {
            throw new ModelException(contextTooSmall(config.contextSize(), maxImageTokens, 0, files));
        }
        String id;
        try {
            id = ModelFiles.identity(
                    config.modelPath(),
                    config.mmprojPath(),
                    "layout=" + layout
                            + (config.seed().isPresent()
                                    ? ";seed=" + config.seed().getAsLong()
                                    : ""));
        } catch (IOException e) {
            throw new ModelException("cannot read " + config.modelPath() + " or " + config.mmprojPath() + ": " + e, e);
        }

        // 2. Native.
        try {
            NativeBridge.ensureInitialised();
        } catch (NativeLibraryException | IllegalStateException e) {
            throw new ModelException(e.getMessage(), e);
        }
        Deque<AutoCloseable> created = new ArrayDeque<>(); // freed in reverse on failure
        try {
            LlamaModel model = LlamaModel.load(config.modelPath(), config.gpuLayers(), config.useMmap());
            created.push(model);
            ReferenceImagePipeline vision = null;
            MtmdContext mtmd = null;
            if (reference) {
                ClipContext clip = ClipContext.load(config.mmprojPath(), config.gpuLayers() != 0, config.warmup());
                created.push(clip);
                int clipEmbd = clip.embeddingWidth();
                if (clipEmbd != model.inputEmbeddingWidth()) {
                    throw new ModelException(
                            "the projector " + config.mmprojPath().getFileName() + " produces "
                                    + clipEmbd + "-wide embeddings but "
                                    + config.modelPath().getFileName() + " reads "
                                    + model.inputEmbeddingWidth() + "; they do not belong together");
                }
                vision = new ReferenceImagePipeline(spec, clip, config.threads());
            } else {
                mtmd = MtmdContext.load(
                        config.mmprojPath(), model, config.gpuLayers() != 0, config.threads(), config.warmup());
                created.push(mtmd);
            }
            String marker = new String(NativeBridge.mediaMarker(), StandardCharsets.UTF_8);
            int[] prefix = PromptTokens.prefix(model, layout);

            // 3. Context size: the largest image + the default policy + a full answer must fit.
            int defaultPolicyTokens = PromptTokens.textTokens(
                    model, layout, Policy.llavaGuardDefault().render());
            int nCtxTrain = model.trainedContextSize();
            int nCtx = contextSize(config, files, maxImageTokens, defaultPolicyTokens, nCtxTrain);

            // 4. The context pool, if the machine has the memory for it.
            checkMemory(config, files, nCtx, maxImageTokens + defaultPolicyTokens + ContextBudget.MIN_ANSWER_TOKENS);
            ContextPool pool = null;
            BatchScheduler batch = null;
            int actualCtx;
            // built once per model (each scans the whole vocabulary); shared by both ways of generating
            RatingProbe ratingProbe = RatingProbe.build(model);
            CategoryProbe categoryProbe = CategoryProbe.build(model);
            if (config.sequences() > 1) {
                batch = BatchScheduler.start(model, config, nCtx, vision, layout, prefix, ratingProbe, categoryProbe);
                created.push(batch);
                actualCtx = batch.contextSize();
            } else {
                pool = ContextPool.create(model, config, nCtx);
                created.push(pool);
                actualCtx = pool.contextSize();
            }
            ContextBudget budget = new ContextBudget(actualCtx);

            Map<String, String> meta = metadata(
                    config,
                    files,
                    layout,
                    model,
                    maxImageTokens,
                    actualCtx,
                    nCtxTrain,
                    defaultPolicyTokens,
                    reference ? spec : null);
            String display =
                    config.modelPath().getFileName() + " (" + files.architecture() + ", " + layout.name() + ")";
            ModelInfo info = new ModelInfo(id, display, meta);
            PromptPrefill prefill = reference
                    ? new ReferencePrefill(vision, model, layout, prefix, config.reusePrefix(), budget)
                    : new MtmdPrefill(mtmd, layout, marker, budget);
            OptionalLong seed = config.seed();
            TokenGenerator generator = new TokenGenerator(model, ratingProbe, categoryProbe, seed, budget);
            Engine engine = new Engine(
                    config,
                    layout,
                    model,
                    prefill,
                    pool,
                    batch,
                    generator,
                    info,
                    maxImageTokens,
                    actualCtx,
                    prefix.length);
            LOG.log(
                    System.Logger.Level.INFO,
                    "loaded {0} + {1}: layout {2}, context {3} x {4}, {5} threads, in {6} ms{7}",
                    config.modelPath().getFileName(),
                    config.mmprojPath().getFileName(),
                    layout,
                    String.valueOf(actualCtx),
                    String.valueOf(config.parallelContexts()),
                    String.valueOf(config.threads()),
                    String.valueOf((System.nanoTime() - t0) / 1_000_000),
                    config.sequences() > 1 ? ", " + config.sequences() + " sequences batched" : "");
            return engine;
        } catch (RuntimeException e) {
            freeAll(created);
            throw new ModelException(
                    "llama.cpp failed while loading " + config.modelPath().getFileName() + " + "
                            + config.mmprojPath().getFileName() + ": " + e.getMessage(),
                    e);
        } catch (ModelException | Error e) {
            freeAll(created);
            throw e;
        }
    }

    /** The configured context size, or one chosen for the largest image, the policy and a full answer. */
    private static int contextSize(
            LlamaCppConfig config, ModelFiles files, int maxImageTokens, int defaultPolicyTokens, int nCtxTrain)
            throws ModelException {
        int needed = maxImageTokens + defaultPolicyTokens + ContextBudget.MIN_ANSWER_TOKENS;
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
            LOG.log(
                    System.Logger.Level.WARNING,
                    "context size {0} exceeds the {1} tokens {2} was trained with",
                    String.valueOf(nCtx),
                    String.valueOf(nCtxTrain),
                    config.modelPath().getFileName());
        }
        return nCtx;
    }

    private static Map<String, String> metadata(
            LlamaCppConfig config,
            ModelFiles files,
            PromptLayout layout,
            LlamaModel model,
            int maxImageTokens,
            int actualCtx,
            int nCtxTrain,
            int defaultPolicyTokens,
            ReferenceVisionSpec spec) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("backend", "llama.cpp");
        meta.put("llama.cpp.version", NativeBridge.version());
        meta.put("llama.cpp.commit", NativeLibraryLoader.buildInfo().getProperty("llama.cpp.commit", "unknown"));
        meta.put("native.backend", NativeLibraryLoader.buildInfo().getProperty("backend", "unknown"));
        meta.put("native.systemInfo", NativeBridge.systemInfo().strip());
        // which ggml-cpu build runs: a variant's name (CPU-feature dispatch) or "built-in" (one fixed build)
        meta.put("native.cpuVariant", NativeBridge.cpuVariant());
        meta.put("architecture", files.architecture());
        meta.put("llavaguard.version", files.llavaGuardVersion().orElse("unknown"));
        meta.put("promptLayout", layout.name());
        meta.put("model.file", config.modelPath().getFileName().toString());
        meta.put("mmproj.file", config.mmprojPath().getFileName().toString());
        meta.put("model.bytes", Long.toString(model.sizeBytes()));
        meta.put("embeddingLength", Integer.toString(files.textEmbeddingLength()));
        meta.put("projector", files.projectorType());
        meta.put("image.size", Integer.toString(files.imageSize()));
        meta.put("image.tokensPerTile", Integer.toString(files.tokensPerTile()));
        meta.put("image.pipeline", config.imagePipeline().name());
        meta.put("image.maxTokens", Integer.toString(maxImageTokens));
        if (spec != null) {
            meta.put("image.geometry", spec.geometry().describe());
        }
        meta.put("contextSize", Integer.toString(actualCtx));
        meta.put("contextSize.trained", Integer.toString(nCtxTrain));
        meta.put("defaultPolicyTokens", Integer.toString(defaultPolicyTokens));
        meta.put("parallelContexts", Integer.toString(config.parallelContexts()));
        meta.put("sequences", Integer.toString(config.sequences()));
        meta.put("threads", Integer.toString(config.threads()));
        meta.put("gpuLayers", Integer.toString(config.gpuLayers()));
        meta.put("tiny", Boolean.toString(files.tiny()));
        config.seed().ifPresent(s -> meta.put("seedOverride", Long.toString(s)));
        return meta;
    }

    /**
     * Refuses contexts that do not fit in the available memory (see {@link ContextMemory}): llama.cpp would fail
     * slowly or, worse, get the process killed. Skipped when the KV cache may live in GPU memory (a GPU build
     * with offloading), which this estimate does not see.
     */
    private static void checkMemory(LlamaCppConfig config, ModelFiles files, int nCtx, int minimumCtx)
            throws ModelException {
        String backend = NativeLibraryLoader.buildInfo().getProperty("backend", "cpu");
        if (config.gpuLayers() != 0 && !backend.equals("cpu")) {
            return;
        }
        OptionalLong available = ContextMemory.availableBytes();
        if (available.isEmpty()) {
            return;
        }
        Optional<String> refusal = config.sequences() > 1
                ? files.memory().sequenceRefusal(nCtx, config.sequences(), available.getAsLong())
                : files.memory().refusal(nCtx, config.parallelContexts(), available.getAsLong(), minimumCtx);
        if (refusal.isPresent()) {
            throw new ModelException(config.modelPath().getFileName() + ": " + refusal.get());
        }
    }

    private static void freeAll(Deque<AutoCloseable> created) {
        while (!created.isEmpty()) {
            try {
                created.pop().close();
            } catch (Exception e) {
                // freeing what a failed open created; the open's own failure is what the caller needs
            }
        }
    }

    private static String contextTooSmall(int nCtx, int imageTokens, int policyTokens, ModelFiles files) {
        int need = imageTokens + policyTokens + ContextBudget.MIN_ANSWER_TOKENS;
        return "context size " + nCtx + " is too small: an image can take up to " + imageTokens + " tokens ("
                + files.tokensPerTile() + " per tile)"
                + (policyTokens > 0 ? " and the default policy prompt " + policyTokens : "") + ", so at least " + need
                + " are needed. Set a larger context size, e.g. "
                + "LlamaCppConfig.Builder.contextSize(" + ((need + 512 + 255) / 256 * 256) + "), or 0 to choose "
                + "automatically.";
    }
}
