package io.safetyguard.llamacpp.internal.gguf;

/** Metadata key names used by llama.cpp's LLaVA path and by SafetyGuard's own additions. */
public final class ModelKeys {
    private ModelKeys() {}

    /** The architecture of an mmproj file. */
    public static final String CLIP_ARCHITECTURE = "clip";

    // ---- SafetyGuard's own keys ----

    /** String: which LlavaGuard release the pair belongs to, e.g. {@code v1.1} or {@code v1.2}. */
    public static final String LLAVAGUARD_VERSION = "safetyguard.llavaguard.version";
    /** Bool: the file is a tiny random-weight test model whose verdicts mean nothing. */
    public static final String TINY = "safetyguard.tiny";

    // ---- general and tokenizer ----

    /** String: {@code general.architecture}. */
    public static final String ARCHITECTURE = GgufFile.KEY_ARCHITECTURE;
    /** String: {@code general.name}, free text. */
    public static final String NAME = "general.name";
    /** u32: {@code general.file_type}, the quantization ({@code llama_ftype}). */
    public static final String FILE_TYPE = "general.file_type";
    /** Prefix of every tokenizer key; all of them are copied when a vocab is reused. */
    public static final String TOKENIZER_PREFIX = "tokenizer.";
    /** String: {@code llama} (SentencePiece), {@code gpt2} (BPE), … */
    public static final String TOKENIZER_MODEL = "tokenizer.ggml.model";
    /** String array: the vocabulary. */
    public static final String TOKENIZER_TOKENS = "tokenizer.ggml.tokens";
    /** String: a Jinja chat template (llama.cpp only pattern-matches it). */
    public static final String CHAT_TEMPLATE = "tokenizer.chat_template";

    // ---- text model, prefixed with the architecture ----

    /** {@code {arch}.context_length} (u32): the training context. */
    public static String contextLength(String arch) {
        return arch + ".context_length";
    }

    /** {@code {arch}.embedding_length} (u32): the width image embeddings must have. */
    public static String embeddingLength(String arch) {
        return arch + ".embedding_length";
    }

    /** {@code {arch}.block_count} (u32). */
    public static String blockCount(String arch) {
        return arch + ".block_count";
    }

    /** {@code {arch}.feed_forward_length} (u32 or per-layer array). */
    public static String feedForwardLength(String arch) {
        return arch + ".feed_forward_length";
    }

    /** {@code {arch}.attention.head_count} (u32 or per-layer array). */
    public static String headCount(String arch) {
        return arch + ".attention.head_count";
    }

    /** {@code {arch}.attention.head_count_kv} (u32, optional). */
    public static String headCountKv(String arch) {
        return arch + ".attention.head_count_kv";
    }

    /** {@code {arch}.attention.layer_norm_rms_epsilon} (f32, required by llama and qwen2). */
    public static String rmsEpsilon(String arch) {
        return arch + ".attention.layer_norm_rms_epsilon";
    }

    /** {@code {arch}.rope.freq_base} (f32, optional). */
    public static String ropeFreqBase(String arch) {
        return arch + ".rope.freq_base";
    }

    /** {@code {arch}.vocab_size} (u32, optional). */
    public static String vocabSize(String arch) {
        return arch + ".vocab_size";
    }

    // ---- mmproj (clip.cpp, tools/mtmd/clip-impl.h) ----

    /** Bool, required: without it clip.cpp builds no vision context. */
    public static final String HAS_VISION_ENCODER = "clip.has_vision_encoder";
    /** String: {@code mlp} for LLaVA. */
    public static final String PROJECTOR_TYPE = "clip.projector_type";
    /** String: the projector type of mixed-modality files, read when {@link #PROJECTOR_TYPE} is absent. */
    public static final String VISION_PROJECTOR_TYPE = "clip.vision.projector_type";
    /** Bool: GELU in the tower's FFN; false or absent means GELU-quick. */
    public static final String USE_GELU = "clip.use_gelu";
    /** u32, required: width of the vision tower. */
    public static final String VISION_EMBEDDING_LENGTH = "clip.vision.embedding_length";
    /** u32, required. */
    public static final String VISION_FEED_FORWARD_LENGTH = "clip.vision.feed_forward_length";
    /** u32, required: stored vision blocks. */
    public static final String VISION_BLOCK_COUNT = "clip.vision.block_count";
    /** u32, required (unused by the mlp projector). */
    public static final String VISION_PROJECTION_DIM = "clip.vision.projection_dim";
    /** u32, required. */
    public static final String VISION_HEAD_COUNT = "clip.vision.attention.head_count";
    /** f32, required. */
    public static final String VISION_LAYER_NORM_EPSILON = "clip.vision.attention.layer_norm_epsilon";
    /** u32, required: side of one tile in pixels. */
    public static final String IMAGE_SIZE = "clip.vision.image_size";
    /** u32, required: side of one patch in pixels. */
    public static final String PATCH_SIZE = "clip.vision.patch_size";
    /** f32 array of 3, required. */
    public static final String IMAGE_MEAN = "clip.vision.image_mean";
    /** f32 array of 3, required. */
    public static final String IMAGE_STD = "clip.vision.image_std";
    /** i32 array: which tower layers feed the projector (see llama.cpp#25817). */
    public static final String FEATURE_LAYER = "clip.vision.feature_layer";
    /** i32 array of width/height pairs: the anyres tiling grids. */
    public static final String IMAGE_GRID_PINPOINTS = "clip.vision.image_grid_pinpoints";
    /** String: {@code pad}, {@code anyres} or {@code anyres_max_N} (written by the converter, unused by llama.cpp v0.4.0). */
    public static final String IMAGE_ASPECT_RATIO = "clip.vision.image_aspect_ratio";
    /** String, e.g. {@code spatial_unpad} (parsed but unused by llama.cpp v0.4.0). */
    public static final String MM_PATCH_MERGE_TYPE = "clip.vision.mm_patch_merge_type";

    /** The LLaVA projector type ({@code mm.0} → GELU → {@code mm.2}). */
    public static final String PROJECTOR_MLP = "mlp";
    /** The projector's second linear layer; its {@code ne[1]} is the text model's embedding width. */
    public static final String MM2_WEIGHT = "mm.2.weight";
    /** The LLaVA-NeXT row separator embedding (loaded but unused by llama.cpp v0.4.0's mlp graph). */
    public static final String IMAGE_NEWLINE = "v.image_newline";
    /** CLIP's class embedding (absent in SigLIP towers). */
    public static final String CLASS_EMBEDDING = "v.class_embd";
}
