package io.safetyguard.llamacpp.internal.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The metadata of a GGUF file: header facts, every key/value pair in file order and every tensor's name, shape,
 * type and position. Built by {@link GgufReader}; immutable.
 *
 * <p>The typed getters follow llama.cpp, which asserts exact types ({@code gguf_get_val_u32} on an {@code i32}
 * key aborts): a value of another type is reported as a {@link GgufFormatException} naming the key, the type
 * llama.cpp expects and the type found. {@code get*} methods require the key; {@code find*} methods return empty
 * when it is absent but still reject a wrong type.
 */
public final class GgufFile {
    /** Key of the architecture, e.g. {@code llama}, {@code qwen2} or {@code clip}. */
    public static final String KEY_ARCHITECTURE = "general.architecture";
    /** Key of the data alignment (u32, a power of two; 32 when absent). */
    public static final String KEY_ALIGNMENT = "general.alignment";

    private final String name;
    private final Path path;
    private final byte[] bytes;
    private final int version;
    private final long fileSize;
    private final long alignment;
    private final long dataOffset;
    private final Map<String, GgufValue> metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> tensorsByName;

    GgufFile(
            String name,
            Path path,
            byte[] bytes,
            int version,
            long fileSize,
            long alignment,
            long dataOffset,
            Map<String, GgufValue> metadata,
            List<GgufTensorInfo> tensors) {
        this.name = name;
        this.path = path;
        this.bytes = bytes;
        this.version = version;
        this.fileSize = fileSize;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.tensors = List.copyOf(tensors);
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : tensors) {
            byName.put(t.name(), t);
        }
        this.tensorsByName = Collections.unmodifiableMap(byName);
    }

    /** The file name as given to the reader; every message about this file starts with it. */
    public String name() {
        return name;
    }

    /** The path the file was read from; empty when it was read from memory. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** The GGUF version (2 or 3). */
    public int version() {
        return version;
    }

    /** The file size in bytes. */
    public long fileSize() {
        return fileSize;
    }

    /** The alignment of tensor data ({@code general.alignment}, default 32). */
    public long alignment() {
        return alignment;
    }

    /** Offset of the tensor data section from the start of the file. */
    public long dataOffset() {
        return dataOffset;
    }

    /** All key/value pairs in file order, unmodifiable. */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** All tensors in file order. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    /** The tensor with this name, if present. */
    public Optional<GgufTensorInfo> tensor(String tensorName) {
        return Optional.ofNullable(tensorsByName.get(tensorName));
    }

    /** Whether a tensor with this name is present. */
    public boolean hasTensor(String tensorName) {
        return tensorsByName.containsKey(tensorName);
    }

    /** {@code general.architecture}, if present and a string. */
    public Optional<String> architecture() {
        GgufValue v = metadata.get(KEY_ARCHITECTURE);
        return v != null && v.type() == GgufValueType.STRING ? Optional.of(v.stringValue()) : Optional.empty();
    }

    // ---- untyped access ----

    /** Whether the key is present. */
    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    /** The value of a key, if present. */
    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** The value of a required key. */
    public GgufValue get(String key) throws GgufFormatException {
        GgufValue v = metadata.get(key);
        if (v == null) {
            throw new GgufFormatException(name, "required key '" + key + "' is missing");
        }
        return v;
    }

    // ---- typed scalars ----

    /** A required string. */
    public String getString(String key) throws GgufFormatException {
        return scalar(get(key), key, GgufValueType.STRING).stringValue();
    }

    /** An optional string. */
    public Optional<String> findString(String key) throws GgufFormatException {
        GgufValue v = metadata.get(key);
        return v == null
                ? Optional.empty()
                : Optional.of(scalar(v, key, GgufValueType.STRING).stringValue());
    }

    /** A required u32 (exactly; llama.cpp does not convert other integer types). */
    public long getU32(String key) throws GgufFormatException {
        return scalar(get(key), key, GgufValueType.UINT32).longValue();
    }

    /** An optional u32. */
    public OptionalLong findU32(String key) throws GgufFormatException {
        GgufValue v = metadata.get(key);
        return v == null
                ? OptionalLong.empty()
                : OptionalLong.of(scalar(v, key, GgufValueType.UINT32).longValue());
    }

    /** A required i32. */
    public int getI32(String key) throws GgufFormatException {
        return (int) scalar(get(key), key, GgufValueType.INT32).longValue();
    }

    /** An optional i32. */
    public OptionalInt findI32(String key) throws GgufFormatException {
        GgufValue v = metadata.get(key);
        return v == null
                ? OptionalInt.empty()
                : OptionalInt.of((int) scalar(v, key, GgufValueType.INT32).longValue());
    }

    /** A required u64, as raw bits (use {@link Long#toUnsignedString(long)} to print). */
    public long getU64(String key) throws GgufFormatException {
        return scalar(get(key), key, GgufValueType.UINT64).longValue();
    }

    /** A required i64. */
    public long getI64(String key) throws GgufFormatException {
        return scalar(get(key), key, GgufValueType.INT64).longValue();
    }

    /** A required f32. */
    public float getF32(String key) throws GgufFormatException {
        return scalar(get(key), key, GgufValueType.FLOAT32).floatValue();
    }

    /** An optional f32. */
    public Optional<Float> findF32(String key) throws GgufFormatException {
        GgufValue v = metadata.get(key);
        return v == null
                ? Optional.empty()
                : Optional.of(scalar(v, key, GgufValueType.FLOAT32).floatValue());
    }

    /** A required f64. */
    public double getF64(String key) throws GgufFormatException {
        return scalar(get(key), key, GgufValueType.FLOAT64).doubleValue();
    }

    /** A required bool. */
    public boolean getBool(String key) throws GgufFormatException {
        return scalar(get(key), key, GgufValueType.BOOL).boolValue();
    }

    /** An optional bool. */
    public Optional<Boolean> findBool(String key) throws GgufFormatException {
        GgufValue v = metadata.get(key);
        return v == null
                ? Optional.empty()
                : Optional.of(scalar(v, key, GgufValueType.BOOL).boolValue());
    }

    // ---- typed arrays ----

    /** A required array of any element type. */
    public GgufValue getArray(String key) throws GgufFormatException {
        GgufValue v = get(key);
        if (!v.isArray()) {
            throw typeMismatch(key, "an array", v);
        }
        return v;
    }

    /** An optional array of any element type. */
    public Optional<GgufValue> findArray(String key) throws GgufFormatException {
        return has(key) ? Optional.of(getArray(key)) : Optional.empty();
    }

    /** A required i32 array (exactly, as clip.cpp's {@code get_arr_int} demands, e.g. pinpoints). */
    public int[] getInt32Array(String key) throws GgufFormatException {
        return array(get(key), key, GgufValueType.INT32).toIntArray();
    }

    /** An optional i32 array. */
    public Optional<int[]> findInt32Array(String key) throws GgufFormatException {
        return has(key) ? Optional.of(getInt32Array(key)) : Optional.empty();
    }

    /** A required f32 array (e.g. {@code clip.vision.image_mean}). */
    public float[] getFloatArray(String key) throws GgufFormatException {
        return array(get(key), key, GgufValueType.FLOAT32).toFloatArray();
    }

    /** An optional f32 array. */
    public Optional<float[]> findFloatArray(String key) throws GgufFormatException {
        return has(key) ? Optional.of(getFloatArray(key)) : Optional.empty();
    }

    /** A required string array (e.g. {@code tokenizer.ggml.tokens}), as an unmodifiable view. */
    public List<String> getStringArray(String key) throws GgufFormatException {
        return array(get(key), key, GgufValueType.STRING).strings();
    }

    /** An optional string array. */
    public Optional<List<String>> findStringArray(String key) throws GgufFormatException {
        return has(key) ? Optional.of(getStringArray(key)) : Optional.empty();
    }

    // ---- tensor data ----

    /**
     * Reads the data of one tensor. Meant for small tensors (norms, {@code v.image_newline}); the size must fit in
     * a Java array.
     *
     * @throws IllegalArgumentException when there is no such tensor or it is too large for an array
     * @throws IOException              when the file cannot be read (e.g. it changed since it was inspected)
     */
    public byte[] readTensorBytes(String tensorName) throws IOException {
        GgufTensorInfo t = tensor(tensorName)
                .orElseThrow(() -> new IllegalArgumentException(name + ": no tensor named '" + tensorName + "'"));
        if (t.byteSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": tensor '" + tensorName + "' is too large to read into memory ("
                    + t.byteSize() + " bytes)");
        }
        byte[] out = new byte[(int) t.byteSize()];
        if (bytes != null) {
            System.arraycopy(bytes, (int) t.fileOffset(), out, 0, out.length);
            return out;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.wrap(out);
            long pos = t.fileOffset();
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new GgufFormatException(
                            name,
                            "tensor '" + tensorName
                                    + "' ends beyond the end of the file; the file changed after it was read");
                }
                pos += n;
            }
        }
        return out;
    }

    // ---- helpers ----

    private GgufValue scalar(GgufValue v, String key, GgufValueType expected) throws GgufFormatException {
        if (v.type() != expected) {
            throw typeMismatch(key, expected.shortName(), v);
        }
        return v;
    }

    private GgufValue array(GgufValue v, String key, GgufValueType elementType) throws GgufFormatException {
        if (!v.isArray() || v.elementType() != elementType) {
            throw typeMismatch(key, "arr[" + elementType.shortName() + "]", v);
        }
        return v;
    }

    private GgufFormatException typeMismatch(String key, String expected, GgufValue actual) {
        return new GgufFormatException(name, typeMismatchProblem(key, expected, actual));
    }

    /** The text of a type mismatch, shared with the model checks so both read the same. */
    static String typeMismatchProblem(String key, String expected, GgufValue actual) {
        return "key '" + Printable.of(key) + "' has type " + actual.typeName() + " but llama.cpp reads it as "
                + expected + " (types must match exactly; re-create the file with the right type)";
    }

    @Override
    public String toString() {
        return name + " (GGUF v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors)";
    }
}
