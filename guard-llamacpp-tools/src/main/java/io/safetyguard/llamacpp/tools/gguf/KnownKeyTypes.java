package io.safetyguard.llamacpp.tools.gguf;

import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.util.Map;
import java.util.Optional;

/**
 * The exact types llama.cpp v0.4.0 (and SafetyGuard) read some keys as. llama.cpp asserts the type when it reads
 * a key ({@code gguf_get_val_u32} and friends abort the process on a mismatch; {@code clip.cpp} rejects arrays of
 * another element type), so a metadata edit must use exactly these types.
 */
public final class KnownKeyTypes {
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry(ModelKeys.ARCHITECTURE, "str"),
            Map.entry(ModelKeys.NAME, "str"),
            Map.entry(ModelKeys.FILE_TYPE, "u32"),
            Map.entry(ModelKeys.LLAVAGUARD_VERSION, "str"),
            Map.entry(ModelKeys.TINY, "bool"),
            Map.entry(ModelKeys.HAS_VISION_ENCODER, "bool"),
            Map.entry(ModelKeys.PROJECTOR_TYPE, "str"),
            Map.entry(ModelKeys.VISION_PROJECTOR_TYPE, "str"),
            Map.entry(ModelKeys.USE_GELU, "bool"),
            Map.entry("clip.use_silu", "bool"),
            Map.entry(ModelKeys.VISION_EMBEDDING_LENGTH, "u32"),
            Map.entry(ModelKeys.VISION_FEED_FORWARD_LENGTH, "u32"),
            Map.entry(ModelKeys.VISION_BLOCK_COUNT, "u32"),
            Map.entry(ModelKeys.VISION_PROJECTION_DIM, "u32"),
            Map.entry(ModelKeys.VISION_HEAD_COUNT, "u32"),
            Map.entry(ModelKeys.VISION_LAYER_NORM_EPSILON, "f32"),
            Map.entry(ModelKeys.IMAGE_SIZE, "u32"),
            Map.entry(ModelKeys.PATCH_SIZE, "u32"),
            Map.entry(ModelKeys.IMAGE_MEAN, "arr[f32]"),
            Map.entry(ModelKeys.IMAGE_STD, "arr[f32]"),
            Map.entry(ModelKeys.FEATURE_LAYER, "arr[i32]"),
            Map.entry(ModelKeys.IMAGE_GRID_PINPOINTS, "arr[i32]"),
            Map.entry(ModelKeys.MM_PATCH_MERGE_TYPE, "str"),
            Map.entry(ModelKeys.IMAGE_ASPECT_RATIO, "str"));

    private KnownKeyTypes() {}

    /** The type a key must have, in llama.cpp's notation ({@code u32}, {@code arr[i32]}), when it is known. */
    public static Optional<String> expected(String key) {
        return Optional.ofNullable(TYPES.get(key));
    }

    /** The type of a value in the same notation, without an array's length: {@code u32}, {@code arr[i32]}. */
    public static String typeOf(GgufValue value) {
        return value.isArray()
                ? "arr[" + value.elementType().shortName() + "]"
                : value.type().shortName();
    }

    /**
     * Checks a value for a key.
     *
     * @throws IllegalArgumentException when the key is known and the value has another type
     */
    public static void check(String key, GgufValue value) {
        String want = TYPES.get(key);
        String got = typeOf(value);
        if (want != null && !want.equals(got)) {
            throw new IllegalArgumentException("llama.cpp reads '" + key + "' as " + want + ", not " + got
                    + " (types must match exactly); write " + key + "=" + want + ":...");
        }
    }
}
