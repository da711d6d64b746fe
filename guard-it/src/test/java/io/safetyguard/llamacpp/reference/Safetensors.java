package io.safetyguard.llamacpp.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal reader of one {@code .safetensors} file, for the reference forward pass: an 8-byte little-endian header
 * length, a JSON header mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets} (relative
 * to the end of the header), then the raw data. Reads BF16, F16 and F32 tensors into floats (exactly: every value of
 * those types is a float). Written from the format's description, independent of the converter under test.
 */
public final class Safetensors {

    /** One tensor's entry in the header. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries;

    private Safetensors(Path file, long dataStart, Map<String, Entry> entries) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = entries;
    }

    /** Reads the header of {@code file}. */
    public static Safetensors open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long n = len.flip().getLong();
            if (n <= 0 || n > 100_000_000 || 8 + n > ch.size()) {
                throw new IOException(file + ": header length " + n + " does not fit the file of " + ch.size());
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            readFully(ch, header, 8);
            JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode v = e.getValue();
                long[] shape = new long[v.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = v.get("shape").get(i).asLong();
                }
                JsonNode off = v.get("data_offsets");
                entries.put(
                        e.getKey(),
                        new Entry(
                                e.getKey(),
                                v.get("dtype").asText(),
                                shape,
                                off.get(0).asLong(),
                                off.get(1).asLong()));
            }
            return new Safetensors(file, 8 + n, entries);
        }
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** The tensor as floats in its stored (row-major, torch) order. */
    public float[] read(String name) throws IOException {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IOException(file + " has no tensor " + name);
        }
        int width = switch (e.dtype()) {
            case "BF16", "F16" -> 2;
            case "F32" -> 4;
            default ->
                throw new IOException(file + ": tensor " + name + " has dtype " + e.dtype()
                        + "; the reference reads BF16, F16 and F32");
        };
        long bytes = e.end() - e.begin();
        if (bytes != e.elements() * width) {
            throw new IOException(
                    file + ": tensor " + name + " spans " + bytes + " bytes, its shape needs " + e.elements() * width);
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            readFully(ch, buf, dataStart + e.begin());
        }
        buf.flip();
        float[] out = new float[Math.toIntExact(e.elements())];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (e.dtype()) {
                case "BF16" -> Float.intBitsToFloat((buf.getShort() & 0xFFFF) << 16);
                case "F16" -> halfToFloat(buf.getShort());
                default -> buf.getFloat();
            };
        }
        return out;
    }

    /** IEEE 754 binary16 to float (exact). */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += r;
        }
    }
}
