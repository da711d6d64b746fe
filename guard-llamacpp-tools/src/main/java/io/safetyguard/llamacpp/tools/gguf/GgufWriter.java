package io.safetyguard.llamacpp.tools.gguf;

import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a GGUF v3 file: key/value pairs of any type, then tensors whose data is produced while writing.
 *
 * <p>Declare everything, then call {@link #write()} once. Keys and tensors are written in the order they were
 * added; tensor data is laid out back to back, each tensor padded to the alignment, as llama.cpp requires. The
 * file is written under a temporary name in the same directory and moved into place only when complete, so a
 * failed write never leaves a file that looks valid. The output depends only on what was added, so equal input
 * gives byte-identical files.
 *
 * <pre>{@code
 * new GgufWriter(path)
 *     .putString("general.architecture", "llama")
 *     .putU32("llama.embedding_length", 64)
 *     .addTensor("output_norm.weight", GgmlType.F32, new long[] {64}, TensorData.f32(ones))
 *     .write();
 * }</pre>
 */
public final class GgufWriter {
    /** The GGUF version written. */
    public static final int VERSION = 3;

    private final Path target;
    private final int alignment;
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private final Map<String, Tensor> tensorsByName = new LinkedHashMap<>();
    private long dataSize;
    private boolean written;

    private record Tensor(String name, GgmlType type, long[] ne, TensorData data, long offset, long byteSize) {}

    /** A writer for {@code target} with the default alignment of 32 bytes. */
    public GgufWriter(Path target) {
        this(target, GgufReader.DEFAULT_ALIGNMENT);
    }

    /**
     * A writer for {@code target}.
     *
     * @param alignment tensor data alignment, a power of two; when not 32 it is recorded as {@code general.alignment}
     */
    public GgufWriter(Path target, int alignment) {
        this.target = Objects.requireNonNull(target, "target");
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        this.alignment = alignment;
    }

    /** Adds a key/value pair. Keys must be non-empty and unique. */
    public GgufWriter put(String key, GgufValue value) {
        checkOpen();
        Objects.requireNonNull(value, "value");
        if (Objects.requireNonNull(key, "key").isEmpty()) {
            throw new IllegalArgumentException("keys must not be empty");
        }
        if (key.equals(GgufFile.KEY_ALIGNMENT)) {
            throw new IllegalArgumentException("set the alignment with the constructor, not as a key");
        }
        if (metadata.putIfAbsent(key, value) != null) {
            throw new IllegalArgumentException("duplicate key '" + key + "'");
        }
        return this;
    }

    /** Adds a string value. */
    public GgufWriter putString(String key, String value) {
        return put(key, GgufValue.string(value));
    }

    /** Adds a u32 value. */
    public GgufWriter putU32(String key, long value) {
        return put(key, GgufValue.uint32(value));
    }

    /** Adds an i32 value. */
    public GgufWriter putI32(String key, int value) {
        return put(key, GgufValue.int32(value));
    }

    /** Adds an f32 value. */
    public GgufWriter putF32(String key, float value) {
        return put(key, GgufValue.float32(value));
    }

    /** Adds a bool value. */
    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValue.bool(value));
    }

    /**
     * Declares a tensor; its data is produced by {@code data} during {@link #write()}.
     *
     * @param ne dimensions in ggml order (1–4 of them; {@code ne[0]} is the row length and must be a multiple of
     *           the type's block size). A numpy array of shape {@code (a, b)} has {@code ne = {b, a}}.
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] ne, TensorData data) {
        checkOpen();
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        int nameBytes = Objects.requireNonNull(name, "name").getBytes(StandardCharsets.UTF_8).length;
        if (name.isEmpty() || nameBytes > GgufReader.MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException(
                    "tensor names must be 1.." + GgufReader.MAX_TENSOR_NAME_BYTES + " bytes: '" + name + "'");
        }
        if (tensorsByName.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor '" + name + "'");
        }
        if (ne.length < 1 || ne.length > GgufReader.MAX_DIMS) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "' needs 1.." + GgufReader.MAX_DIMS + " dimensions, got " + ne.length);
        }
        long elements = 1;
        for (long d : ne) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension");
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (ne[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': row length " + ne[0]
                    + " is not a multiple of the " + type.ggmlName() + " block size " + type.blockSize());
        }
        long byteSize = type.byteSize(elements);
        Tensor t = new Tensor(name, type, ne.clone(), data, dataSize, byteSize);
        tensors.add(t);
        tensorsByName.put(name, t);
        dataSize = pad(dataSize + byteSize);
        return this;
    }

    /** Declares an f32 tensor with the given elements (not copied). */
    public GgufWriter addTensorF32(String name, long[] ne, float[] values) {
        return addTensor(name, GgmlType.F32, ne, checked(name, ne, values, TensorData.f32(values)));
    }

    /** Declares an f16 tensor from float elements (not copied; converted while writing). */
    public GgufWriter addTensorF16(String name, long[] ne, float[] values) {
        return addTensor(name, GgmlType.F16, ne, checked(name, ne, values, TensorData.f16(values)));
    }

    /**
     * Writes the file. Can be called once.
     *
     * @throws IOException when writing fails or a {@link TensorData} wrote the wrong number of bytes; the target
     *                     is then left as it was
     */
    public void write() throws IOException {
        checkOpen();
        written = true;
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, absolute.getFileName().toString() + ".", ".partial");
        try {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                writeTo(new LittleEndianOutput(os));
            }
            moveIntoPlace(tmp, absolute);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void writeTo(LittleEndianOutput out) throws IOException {
        boolean writeAlignment = alignment != GgufReader.DEFAULT_ALIGNMENT;
        out.putBytes(new byte[] {'G', 'G', 'U', 'F'}, 0, 4);
        out.i32(VERSION);
        out.i64(tensors.size());
        out.i64(metadata.size() + (writeAlignment ? 1 : 0));
        if (writeAlignment) {
            writeKeyValue(out, GgufFile.KEY_ALIGNMENT, GgufValue.uint32(alignment));
        }
        for (Map.Entry<String, GgufValue> kv : metadata.entrySet()) {
            writeKeyValue(out, kv.getKey(), kv.getValue());
        }
        for (Tensor t : tensors) {
            out.string(t.name);
            out.i32(t.ne.length);
            for (long d : t.ne) {
                out.i64(d);
            }
            out.i32(t.type.id());
            out.i64(t.offset);
        }
        out.zeros(pad(out.written()) - out.written());
        long dataStart = out.written();
        for (Tensor t : tensors) {
            long before = out.written();
            t.data.writeTo(out);
            long wrote = out.written() - before;
            if (wrote != t.byteSize) {
                throw new IOException("tensor '" + t.name + "' wrote " + wrote + " bytes of data but its shape "
                        + java.util.Arrays.toString(t.ne) + " and type " + t.type.ggmlName() + " need " + t.byteSize);
            }
            out.zeros(pad(out.written() - dataStart) - (out.written() - dataStart));
        }
    }

    private static void writeKeyValue(LittleEndianOutput out, String key, GgufValue value) throws IOException {
        out.string(key);
        out.i32(value.type().id());
        writeValue(out, value);
    }

    private static void writeValue(LittleEndianOutput out, GgufValue v) throws IOException {
        if (v.isArray()) {
            writeArray(out, v);
            return;
        }
        switch (v.type()) {
            case UINT8, INT8 -> out.u8((int) v.longValue());
            case UINT16, INT16 -> out.i16((int) v.longValue());
            case UINT32, INT32 -> out.i32((int) v.longValue());
            case UINT64, INT64 -> out.i64(v.longValue());
            case FLOAT32 -> out.putF32(v.floatValue());
            case FLOAT64 -> out.f64(v.doubleValue());
            case BOOL -> out.u8(v.boolValue() ? 1 : 0);
            case STRING -> out.string(v.stringValue());
            case ARRAY -> throw new AssertionError("arrays are handled above");
        }
    }

    private static void writeArray(LittleEndianOutput out, GgufValue v) throws IOException {
        Object raw = v.raw();
        out.i32(v.elementType().id());
        out.i64(v.length());
        switch (v.elementType()) {
            case UINT8, INT8 -> {
                byte[] a = (byte[]) raw;
                out.putBytes(a, 0, a.length);
            }
            case UINT16, INT16 -> {
                for (short s : (short[]) raw) {
                    out.i16(s);
                }
            }
            case UINT32, INT32 -> {
                for (int i : (int[]) raw) {
                    out.i32(i);
                }
            }
            case UINT64, INT64 -> {
                for (long l : (long[]) raw) {
                    out.i64(l);
                }
            }
            case FLOAT32 -> {
                for (float f : (float[]) raw) {
                    out.putF32(f);
                }
            }
            case FLOAT64 -> {
                for (double d : (double[]) raw) {
                    out.f64(d);
                }
            }
            case BOOL -> {
                for (boolean b : (boolean[]) raw) {
                    out.u8(b ? 1 : 0);
                }
            }
            case STRING -> {
                for (String s : (String[]) raw) {
                    out.string(s);
                }
            }
            case ARRAY -> {
                for (GgufValue e : (GgufValue[]) raw) {
                    writeArray(out, e);
                }
            }
        }
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static TensorData checked(String name, long[] ne, float[] values, TensorData data) {
        long elements = 1;
        for (long d : ne) {
            elements = Math.multiplyExact(elements, d);
        }
        if (elements != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + java.util.Arrays.toString(ne) + " ("
                    + elements + " elements) but " + values.length + " values were given");
        }
        return data;
    }

    private long pad(long x) {
        return (x + alignment - 1) & -(long) alignment;
    }

    private void checkOpen() {
        if (written) {
            throw new IllegalStateException("this writer has already written " + target);
        }
    }
}
