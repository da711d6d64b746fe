package io.safetyguard.llamacpp.internal.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Summarises the two files of a LlavaGuard pair (text model and mmproj) from their metadata, and lists what
 * llama.cpp v0.4.0 would reject before it gets to load them.
 *
 * <p>Which keys are required and with which exact types follows {@code src/llama-model.cpp} (text) and
 * {@code tools/mtmd/clip.cpp} (mmproj) of the pinned release.
 */
public final class ModelFileInspector {
    private static final Pattern MM_INDEXED_WEIGHT = Pattern.compile("mm\\.(\\d{1,9})\\.weight");

    private ModelFileInspector() {}

    // ---- text model ----

    /** Reads and summarises a text model file. */
    public static TextModelSummary inspectTextModel(Path model) throws IOException {
        return inspectTextModel(GgufReader.read(model));
    }

    /**
     * Summarises a text model.
     *
     * @throws GgufFormatException when it is an mmproj, or required keys are missing or mistyped (all are listed)
     */
    public static TextModelSummary inspectTextModel(GgufFile f) throws GgufFormatException {
        List<String> problems = textModelProblems(f);
        if (!problems.isEmpty()) {
            throw new GgufFormatException(f.name(), join(problems));
        }
        String arch = f.getString(ModelKeys.ARCHITECTURE);
        Optional<String> declared = f.findString(ModelKeys.LLAVAGUARD_VERSION);
        LlavaGuardFamily family = declared.map(LlavaGuardFamily::fromVersion)
                .orElseGet(() -> LlavaGuardFamily.guessFromArchitecture(arch));
        return new TextModelSummary(
                f.name(),
                arch,
                f.getU32(ModelKeys.embeddingLength(arch)),
                f.getU32(ModelKeys.blockCount(arch)),
                f.findU32(ModelKeys.contextLength(arch)),
                f.getArray(ModelKeys.TOKENIZER_TOKENS).length(),
                f.findString(ModelKeys.TOKENIZER_MODEL),
                f.has(ModelKeys.CHAT_TEMPLATE),
                f.findU32(ModelKeys.FILE_TYPE),
                family,
                declared,
                f.findBool(ModelKeys.TINY).orElse(false),
                f.tensors().size());
    }

    /**
     * What keeps llama.cpp from loading this file as the text model: an mmproj given instead, missing or mistyped
     * keys, a missing token embedding. Messages do not repeat the file name. Empty when nothing was found.
     */
    public static List<String> textModelProblems(GgufFile f) {
        KeyChecks c = new KeyChecks(f);
        GgufValue archValue = c.require(ModelKeys.ARCHITECTURE, GgufValueType.STRING);
        if (archValue == null) {
            return c.problems();
        }
        String arch = archValue.stringValue();
        if (arch.equals(ModelKeys.CLIP_ARCHITECTURE)) {
            c.add("this is a vision projector (general.architecture=clip), not a text model");
            return c.problems();
        }
        c.requirePositiveU32(ModelKeys.embeddingLength(arch));
        c.requirePositiveU32(ModelKeys.blockCount(arch));
        c.require(ModelKeys.contextLength(arch), GgufValueType.UINT32);
        c.requireCountOrPerLayerArray(ModelKeys.headCount(arch));
        if (arch.equals("llama") || arch.equals("qwen2")) {
            c.require(ModelKeys.rmsEpsilon(arch), GgufValueType.FLOAT32);
        }
        c.require(ModelKeys.TOKENIZER_MODEL, GgufValueType.STRING);
        c.requireArray(ModelKeys.TOKENIZER_TOKENS, GgufValueType.STRING, 1);
        c.optional(ModelKeys.CHAT_TEMPLATE, GgufValueType.STRING);
        c.optional(ModelKeys.FILE_TYPE, GgufValueType.UINT32);
        c.optional(ModelKeys.LLAVAGUARD_VERSION, GgufValueType.STRING);
        c.optional(ModelKeys.TINY, GgufValueType.BOOL);
        c.requireTensor("token_embd.weight", "every text model has a token embedding");
        return c.problems();
    }

    // ---- mmproj ----

    /** Reads and summarises an mmproj file. */
    public static ProjectorSummary inspectProjector(Path mmproj) throws IOException {
        return inspectProjector(GgufReader.read(mmproj));
    }

    /**
     * Summarises an mmproj.
     *
     * @throws GgufFormatException when it is a text model, or required keys are missing or mistyped (all listed)
     */
    public static ProjectorSummary inspectProjector(GgufFile f) throws GgufFormatException {
        List<String> problems = projectorProblems(f);
        if (!problems.isEmpty()) {
            throw new GgufFormatException(f.name(), join(problems));
        }
        Optional<GgufTensorInfo> out = projectionOutput(f);
        return new ProjectorSummary(
                f.name(),
                f.getString(ModelKeys.ARCHITECTURE),
                projectorType(f).orElseThrow(),
                f.getBool(ModelKeys.HAS_VISION_ENCODER),
                f.getU32(ModelKeys.IMAGE_SIZE),
                f.getU32(ModelKeys.PATCH_SIZE),
                f.getU32(ModelKeys.VISION_EMBEDDING_LENGTH),
                f.getU32(ModelKeys.VISION_BLOCK_COUNT),
                out.map(t -> OptionalLong.of(t.ne(1))).orElse(OptionalLong.empty()),
                out.map(GgufTensorInfo::name),
                ints(f.findInt32Array(ModelKeys.IMAGE_GRID_PINPOINTS)),
                ints(f.findInt32Array(ModelKeys.FEATURE_LAYER)),
                f.findBool(ModelKeys.USE_GELU),
                floats(f.getFloatArray(ModelKeys.IMAGE_MEAN)),
                floats(f.getFloatArray(ModelKeys.IMAGE_STD)),
                f.hasTensor(ModelKeys.IMAGE_NEWLINE),
                f.hasTensor(ModelKeys.CLASS_EMBEDDING),
                f.findString(ModelKeys.MM_PATCH_MERGE_TYPE),
                f.findString(ModelKeys.LLAVAGUARD_VERSION),
                f.findBool(ModelKeys.TINY).orElse(false),
                f.tensors().size());
    }

    /**
     * What keeps llama.cpp from loading this file as the mmproj: a text model given instead, no vision encoder,
     * missing or mistyped keys (clip.cpp asserts exact types), missing projector weights. Empty when nothing was
     * found.
     */
    public static List<String> projectorProblems(GgufFile f) {
        KeyChecks c = new KeyChecks(f);
        GgufValue archValue = c.require(ModelKeys.ARCHITECTURE, GgufValueType.STRING);
        if (archValue == null) {
            return c.problems();
        }
        String arch = archValue.stringValue();
        if (!arch.equals(ModelKeys.CLIP_ARCHITECTURE)) {
            c.add("this is a text model (general.architecture=" + Printable.of(arch) + "), not a vision projector "
                    + "(an mmproj has general.architecture=clip)");
            return c.problems();
        }
        GgufValue vision = c.require(ModelKeys.HAS_VISION_ENCODER, GgufValueType.BOOL);
        if (vision != null && !vision.boolValue()) {
            c.add("it has no vision encoder (clip.has_vision_encoder=false), so it cannot encode images");
        }
        if (projectorType(f).isEmpty()) {
            c.require(ModelKeys.PROJECTOR_TYPE, GgufValueType.STRING);
        }
        for (String key : List.of(
                ModelKeys.VISION_EMBEDDING_LENGTH,
                ModelKeys.VISION_FEED_FORWARD_LENGTH,
                ModelKeys.VISION_BLOCK_COUNT,
                ModelKeys.VISION_HEAD_COUNT,
                ModelKeys.IMAGE_SIZE,
                ModelKeys.PATCH_SIZE)) {
            c.requirePositiveU32(key);
        }
        c.require(ModelKeys.VISION_PROJECTION_DIM, GgufValueType.UINT32);
        c.require(ModelKeys.VISION_LAYER_NORM_EPSILON, GgufValueType.FLOAT32);
        c.requireArray(ModelKeys.IMAGE_MEAN, GgufValueType.FLOAT32, 3);
        c.requireArray(ModelKeys.IMAGE_STD, GgufValueType.FLOAT32, 3);
        GgufValue pinpoints = c.optionalArray(ModelKeys.IMAGE_GRID_PINPOINTS, GgufValueType.INT32);
        if (pinpoints != null && pinpoints.length() % 2 != 0) {
            c.add("key '" + ModelKeys.IMAGE_GRID_PINPOINTS + "' has " + pinpoints.length()
                    + " elements; it must hold width/height pairs");
        }
        c.optionalArray(ModelKeys.FEATURE_LAYER, GgufValueType.INT32);
        c.optional(ModelKeys.USE_GELU, GgufValueType.BOOL);
        c.optional(ModelKeys.MM_PATCH_MERGE_TYPE, GgufValueType.STRING);
        c.optional(ModelKeys.LLAVAGUARD_VERSION, GgufValueType.STRING);
        c.optional(ModelKeys.TINY, GgufValueType.BOOL);
        if (projectorType(f).filter(ModelKeys.PROJECTOR_MLP::equals).isPresent()) {
            c.requireTensor("mm.0.weight", "the mlp projector's first layer");
            c.requireTensor(ModelKeys.MM2_WEIGHT, "the mlp projector's output layer");
        }
        return c.problems();
    }

    // ---- helpers ----

    /**
     * Image tokens one tile produces: {@code (imageSize / patchSize)²} (clip.cpp, no merging for mlp). For
     * CLIP-L/336 that is 576; for SigLIP-so400m/384, 729.
     */
    public static long tokensPerTile(long imageSize, long patchSize) {
        if (imageSize <= 0 || patchSize <= 0) {
            throw new IllegalArgumentException(
                    "image and patch size must be positive: " + imageSize + ", " + patchSize);
        }
        long side = imageSize / patchSize;
        return side * side;
    }

    /** {@code clip.projector_type}, else {@code clip.vision.projector_type}, as clip.cpp looks them up. */
    private static Optional<String> projectorType(GgufFile f) {
        for (String key : List.of(ModelKeys.PROJECTOR_TYPE, ModelKeys.VISION_PROJECTOR_TYPE)) {
            GgufValue v = f.metadata().get(key);
            if (v != null
                    && v.type() == GgufValueType.STRING
                    && !v.stringValue().isEmpty()) {
                return Optional.of(v.stringValue());
            }
        }
        return Optional.empty();
    }

    /** {@code mm.2.weight}, else the highest-numbered {@code mm.N.weight}, else the last {@code mm.*weight}. */
    private static Optional<GgufTensorInfo> projectionOutput(GgufFile f) {
        Optional<GgufTensorInfo> mm2 = f.tensor(ModelKeys.MM2_WEIGHT);
        if (mm2.isPresent()) {
            return mm2;
        }
        GgufTensorInfo best = null;
        int bestIndex = -1;
        GgufTensorInfo last = null;
        for (GgufTensorInfo t : f.tensors()) {
            Matcher m = MM_INDEXED_WEIGHT.matcher(t.name());
            if (m.matches() && Integer.parseInt(m.group(1)) > bestIndex) {
                bestIndex = Integer.parseInt(m.group(1));
                best = t;
            }
            if (t.name().startsWith("mm.") && t.name().endsWith("weight")) {
                last = t;
            }
        }
        return Optional.ofNullable(best != null ? best : last);
    }

    private static List<Integer> ints(Optional<int[]> values) {
        List<Integer> out = new ArrayList<>();
        values.ifPresent(a -> {
            for (int v : a) {
                out.add(v);
            }
        });
        return out;
    }

    private static List<Float> floats(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }

    private static String join(List<String> problems) {
        return problems.size() == 1 ? problems.get(0) : problems.size() + " problems: " + String.join("; ", problems);
    }
}
