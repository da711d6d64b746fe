package io.safetyguard.llamacpp.internal.gguf;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the header, metadata and tensor table of a GGUF v2/v3 file without reading tensor data.
 *
 * <p>This is a security boundary: model files come from users and the web, and native code trusts them. Every
 * count and length read from the file is checked against the bytes that remain before anything is allocated, and
 * the checks llama.cpp v0.4.0 makes in {@code gguf_init_from_file} (version, duplicate keys and tensor names,
 * at most 4 dimensions, element-count and byte-size overflow, known tensor types, row lengths that fit the block
 * size, aligned back-to-back tensor data) are made here too, plus one llama.cpp leaves to later: every tensor's
 * data must lie inside the file. Any problem with the content is a {@link GgufFormatException}; nothing else is
 * thrown for bad content.
 */
public final class GgufReader {
    /** Highest GGUF version the pinned llama.cpp reads. */
    public static final int MAX_VERSION = 3;
    /** Tensor names must be shorter than this many bytes ({@code GGML_MAX_NAME}). */
    public static final int MAX_TENSOR_NAME_BYTES = 63;
    /** Maximum number of tensor dimensions ({@code GGML_MAX_DIMS}). */
    public static final int MAX_DIMS = 4;
    /** Default alignment of tensor data when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;

    private static final int MAX_KEY_BYTES = 64 * 1024;
    // smallest possible entries, used to reject counts the rest of the file cannot hold
    private static final int MIN_KV_BYTES = 8 + 1 + 4 + 1; // key length, 1-byte key, type, u8 value
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8; // name length, n_dims, type, offset
    // rough heap cost of one element, to bound memory on top of the file-size bound
    private static final int STRING_OVERHEAD = 56;
    private static final int ARRAY_OVERHEAD = 64;

    /**
     * Bounds on what a file may make the reader allocate, beyond the file-size bound.
     *
     * @param maxStringBytes    longest string value (chat templates are tens of KB)
     * @param maxMetadataMemory estimated heap for all metadata (a 152k-token vocabulary needs about 20 MB)
     * @param maxArrayDepth     deepest nesting of arrays of arrays
     */
    public record Limits(int maxStringBytes, long maxMetadataMemory, int maxArrayDepth) {
        /** 16 MiB strings, 256 MiB metadata, arrays nested 4 deep. */
        public static final Limits DEFAULT = new Limits(16 << 20, 256L << 20, 4);

        public Limits {
            if (maxStringBytes < 0 || maxMetadataMemory < 0 || maxArrayDepth < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    private final String file;
    private final Path path;
    private final byte[] bytes;
    private final GgufInput in;
    private final Limits limits;
    private long memory;

    private GgufReader(String file, Path path, byte[] bytes, ByteSource source, Limits limits) throws IOException {
        this.file = file;
        this.path = path;
        this.bytes = bytes;
        this.in = new GgufInput(file, source);
        this.limits = limits;
    }

    /** Reads a GGUF file's metadata with the default limits. */
    public static GgufFile read(Path path) throws IOException {
        return read(path, Limits.DEFAULT);
    }

    /**
     * Reads a GGUF file's metadata.
     *
     * @throws GgufFormatException when the content is not a valid GGUF file (the message names the file)
     * @throws IOException         when the file cannot be opened or read
     */
    public static GgufFile read(Path path, Limits limits) throws IOException {
        Objects.requireNonNull(limits, "limits");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return new GgufReader(path.toString(), path, null, ByteSource.of(ch), limits).parse();
        }
    }

    /** Reads GGUF content held in memory, with the default limits; {@code name} is used in messages. */
    public static GgufFile read(String name, byte[] content) throws GgufFormatException {
        return read(name, content, Limits.DEFAULT);
    }

    /**
     * Reads GGUF content held in memory. The array is not copied; do not change it while the result is in use.
     *
     * @param name used in messages, e.g. the resource name
     */
    public static GgufFile read(String name, byte[] content, Limits limits) throws GgufFormatException {
        Objects.requireNonNull(limits, "limits");
        try {
            return new GgufReader(name, null, content, ByteSource.of(content), limits).parse();
        } catch (GgufFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("reading from memory cannot fail", e);
        }
    }

    private GgufFile parse() throws IOException {
        checkMagic();
        int version = readVersion();
        long nTensors = readCount("tensor count", MIN_TENSOR_INFO_BYTES, "tensor entries");
        long nKv = readCount("key/value count", MIN_KV_BYTES, "key/value pairs");

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            readKeyValue(i, metadata);
        }
        long alignment = alignment(metadata);

        GgufTensorTable table = new GgufTensorTable(file, in);
        List<GgufTensorTable.Header> headers = table.readHeaders(nTensors);

        long dataOffset = in.position();
        if (nTensors > 0) {
            dataOffset = GgufTensorTable.pad(dataOffset, alignment);
            if (dataOffset > in.size()) {
                throw problem("the file is truncated: the tensor data should start at byte " + dataOffset
                        + " but the file has only " + in.size() + " bytes (an interrupted download or copy?)");
            }
        }
        List<GgufTensorInfo> tensors = table.place(headers, alignment, dataOffset);
        return new GgufFile(file, path, bytes, version, in.size(), alignment, dataOffset, metadata, tensors);
    }

    // ---- header ----

    private void checkMagic() throws IOException {
        long size = in.size();
        if (size == 0) {
            throw problem("the file is empty (0 bytes); the download or copy probably failed");
        }
        byte[] head = in.bytes((int) Math.min(size, 4), "the magic");
        if (size < 4 || head[0] != 'G' || head[1] != 'G' || head[2] != 'U' || head[3] != 'F') {
            byte[] more = size > 4 ? in.bytes((int) Math.min(size - 4, 60), "the magic") : new byte[0];
            byte[] all = new byte[head.length + more.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(more, 0, all, head.length, more.length);
            throw problem(FileSignature.notGguf(all, size));
        }
    }

    private int readVersion() throws IOException {
        long v = in.u32("the GGUF version");
        if (v == 0) {
            throw problem("bad GGUF version 0; the file is corrupt");
        }
        if ((v & 0xFFFF) == 0) {
            throw problem(String.format(
                    "the version field reads 0x%08X: this is a big-endian GGUF file, but "
                            + "llama.cpp on this machine needs little-endian; convert it with gguf-py's "
                            + "gguf_convert_endian.py",
                    v));
        }
        if (v == 1) {
            throw problem("GGUF version 1 is no longer supported by llama.cpp; re-convert the model with a current "
                    + "llama.cpp");
        }
        if (v > MAX_VERSION) {
            throw problem("GGUF version " + v + " is newer than the pinned llama.cpp (v0.4.0) reads (up to "
                    + MAX_VERSION + ")");
        }
        return (int) v;
    }

    private long readCount(String what, int minEntryBytes, String entries) throws IOException {
        long n = in.i64("the " + what);
        long fit = in.remaining() / minEntryBytes;
        if (n < 0 || n > fit) {
            throw problem("the header declares " + Long.toUnsignedString(n) + " " + entries + ", but the rest of "
                    + "the file (" + in.remaining() + " bytes) cannot hold that many; the file is corrupt or "
                    + "truncated");
        }
        return n;
    }

    // ---- key/value pairs ----

    private void readKeyValue(long index, Map<String, GgufValue> metadata) throws IOException {
        String key = readString("the name of key #" + index, MAX_KEY_BYTES);
        String shown = Printable.of(key); // key names come from the file: never echo them raw
        if (key.isEmpty()) {
            throw problem("key #" + index + " has an empty name; llama.cpp rejects empty keys");
        }
        if (metadata.containsKey(key)) {
            throw problem("key '" + shown + "' occurs twice; llama.cpp rejects duplicate keys");
        }
        GgufValueType type = readValueType(shown, "the type of key '" + shown + "'");
        metadata.put(key, readValue(shown, type, 0));
    }

    private GgufValueType readValueType(String key, String what) throws IOException {
        int id = in.i32(what);
        return GgufValueType.fromId(id)
                .orElseThrow(
                        () -> problem("key '" + key + "' has unknown value type id " + id + " (GGUF defines 0..12)"));
    }

    /** {@code key} is the printable key name, used only in messages. */
    private GgufValue readValue(String key, GgufValueType type, int depth) throws IOException {
        String what = "the value of key '" + key + "'";
        return switch (type) {
            case UINT8 -> GgufValue.integerFromFile(type, in.u8(what));
            case INT8 -> GgufValue.integerFromFile(type, (byte) in.u8(what));
            case UINT16 -> GgufValue.integerFromFile(type, in.i16(what) & 0xFFFF);
            case INT16 -> GgufValue.integerFromFile(type, in.i16(what));
            case UINT32 -> GgufValue.integerFromFile(type, in.u32(what));
            case INT32 -> GgufValue.integerFromFile(type, in.i32(what));
            case UINT64, INT64 -> GgufValue.integerFromFile(type, in.i64(what));
            case FLOAT32 -> GgufValue.float32(in.f32(what));
            case FLOAT64 -> GgufValue.float64(in.f64(what));
            case BOOL -> GgufValue.bool(in.u8(what) != 0);
            case STRING -> GgufValue.string(readString(what, limits.maxStringBytes()));
            case ARRAY -> readArray(key, depth);
        };
    }

    private GgufValue readArray(String key, int depth) throws IOException {
        if (depth >= limits.maxArrayDepth()) {
            throw problem("key '" + key + "' nests arrays more than " + limits.maxArrayDepth() + " deep");
        }
        GgufValueType elementType = readValueType(key, "the element type of key '" + key + "'");
        long n = in.i64("the array length of key '" + key + "'");
        int minElementBytes = switch (elementType) {
            case STRING -> 8; // length prefix
            case ARRAY -> 4 + 8; // type and length
            default -> elementType.size();
        };
        if (n < 0 || n > in.remaining() / minElementBytes || n > Integer.MAX_VALUE - 8) {
            throw problem("key '" + key + "' declares an array of " + Long.toUnsignedString(n) + " "
                    + elementType.shortName() + " elements, but only " + in.remaining()
                    + " bytes remain in the file; the file is corrupt or truncated");
        }
        int len = (int) n;
        String what = "an element of key '" + key + "'";
        switch (elementType) {
            case STRING, ARRAY ->
                charge(
                        (long) len * (elementType == GgufValueType.STRING ? STRING_OVERHEAD : ARRAY_OVERHEAD),
                        "key '" + key + "'");
            default -> charge((long) len * elementType.size() + ARRAY_OVERHEAD, "key '" + key + "'");
        }
        return switch (elementType) {
            case UINT8, INT8 -> GgufValue.array(elementType, in.bytes(len, what));
            case BOOL -> {
                boolean[] a = new boolean[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.u8(what) != 0;
                }
                yield GgufValue.array(elementType, a);
            }
            case UINT16, INT16 -> {
                short[] a = new short[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.i16(what);
                }
                yield GgufValue.array(elementType, a);
            }
            case UINT32, INT32 -> {
                int[] a = new int[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.i32(what);
                }
                yield GgufValue.array(elementType, a);
            }
            case UINT64, INT64 -> {
                long[] a = new long[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.i64(what);
                }
                yield GgufValue.array(elementType, a);
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.f32(what);
                }
                yield GgufValue.array(elementType, a);
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.f64(what);
                }
                yield GgufValue.array(elementType, a);
            }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) {
                    a[i] = readString(what, limits.maxStringBytes());
                }
                yield GgufValue.array(elementType, a);
            }
            case ARRAY -> {
                GgufValue[] a = new GgufValue[len];
                for (int i = 0; i < len; i++) {
                    a[i] = readArray(key, depth + 1);
                }
                yield GgufValue.array(elementType, a);
            }
        };
    }

    private String readString(String what, int maxBytes) throws IOException {
        long len = in.i64("the length of " + what);
        if (len < 0 || len > in.remaining()) {
            throw problem("the length of " + what + " is " + Long.toUnsignedString(len) + " bytes, but only "
                    + in.remaining() + " bytes remain in the file; the file is corrupt or truncated");
        }
        if (len > maxBytes) {
            throw problem(what + " is " + len + " bytes long, more than the limit of " + maxBytes + " bytes");
        }
        charge(len + STRING_OVERHEAD, what);
        return in.utf8((int) len, what);
    }

    private void charge(long cost, String what) throws GgufFormatException {
        memory += cost;
        if (memory > limits.maxMetadataMemory()) {
            long limit = limits.maxMetadataMemory();
            throw problem("the metadata would need more than the limit of "
                    + (limit >= 1 << 20 ? (limit >> 20) + " MiB" : limit + " bytes") + " of memory (at " + what
                    + "); the file is corrupt or hostile");
        }
    }

    private long alignment(Map<String, GgufValue> metadata) throws GgufFormatException {
        GgufValue v = metadata.get(GgufFile.KEY_ALIGNMENT);
        if (v == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (v.type() != GgufValueType.UINT32) {
            throw problem("key '" + GgufFile.KEY_ALIGNMENT + "' must be of type u32 but is " + v.typeName());
        }
        long a = v.longValue();
        if (a == 0 || (a & (a - 1)) != 0) {
            throw problem("alignment " + a + " (key '" + GgufFile.KEY_ALIGNMENT + "') is not a power of 2");
        }
        return a;
    }

    // ---- helpers ----

    private GgufFormatException problem(String text) {
        return new GgufFormatException(file, text);
    }
}
