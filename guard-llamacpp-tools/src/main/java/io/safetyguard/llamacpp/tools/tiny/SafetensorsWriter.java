package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.Float16;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes one {@code .safetensors} file the way the Rust safetensors library (and so {@code save_pretrained})
 * lays it out: an 8-byte little-endian header length; a compact JSON header with {@code "__metadata__":
 * {"format":"pt"}} first and then one entry per tensor ({@code dtype}, {@code shape}, {@code data_offsets}),
 * padded with spaces to a multiple of 8 bytes; then the tensors back to back, with no padding between them. Tensors
 * are ordered as that library orders them: by dtype (larger first in its enum order), then by name.
 *
 * <p>Tensor data is produced while writing, so a multi-gigabyte file needs no more heap than the write buffer.
 * The file is written under a temporary name and moved into place when complete.
 */
public final class SafetensorsWriter {
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path target;
    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private boolean written;

    private record Entry(String name, SafetensorsDtype dtype, long[] shape, SafetensorsData data, long elements) {}

    /** A writer for {@code target}. */
    public SafetensorsWriter(Path target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * Declares a tensor.
     *
     * @param shape PyTorch order (outermost first); empty for a scalar
     */
    public SafetensorsWriter add(String name, SafetensorsDtype dtype, long[] shape, SafetensorsData data) {
        if (written) {
            throw new IllegalStateException("already written: " + target);
        }
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        if (Objects.requireNonNull(name, "name").isEmpty() || name.equals("__metadata__")) {
            throw new IllegalArgumentException("invalid tensor name '" + name + "'");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate tensor " + name);
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in shape");
            }
            elements = Math.multiplyExact(elements, d);
        }
        entries.add(new Entry(name, dtype, shape.clone(), data, elements));
        return this;
    }

    /** Total bytes of tensor data declared so far (what an index's {@code metadata.total_size} sums). */
    public long dataSize() {
        long total = 0;
        for (Entry e : entries) {
            total += e.elements * e.dtype.bytes();
        }
        return total;
    }

    /** Writes the file; call once. */
    public void write() throws IOException {
        if (written) {
            throw new IllegalStateException("already written: " + target);
        }
        written = true;
        List<Entry> ordered = new ArrayList<>(entries);
        ordered.sort(Comparator.comparingInt((Entry e) -> -e.dtype.sortRank()).thenComparing(Entry::name));
        byte[] header = header(ordered);

        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // not Files.createTempFile: its owner-only permissions would differ from a downloaded checkpoint's
        Path tmp = dir.resolve(target.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".partial");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                buf.putLong(header.length);
                putBytes(ch, buf, header);
                for (Entry e : ordered) {
                    writeTensor(ch, buf, e);
                }
                drain(ch, buf);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The JSON header as serde_json writes it (no whitespace), padded with spaces to 8 bytes. */
    private static byte[] header(List<Entry> ordered) {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Entry e : ordered) {
            long end = offset + e.elements * e.dtype.bytes();
            json.append(',');
            PythonJson.appendString(json, e.name);
            json.append(":{\"dtype\":\"").append(e.dtype.headerName()).append("\",\"shape\":[");
            for (int i = 0; i < e.shape.length; i++) {
                json.append(i == 0 ? "" : ",").append(e.shape[i]);
            }
            json.append("],\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(end)
                    .append("]}");
            offset = end;
        }
        json.append('}');
        byte[] raw = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(raw, 0, out, 0, raw.length);
        for (int i = raw.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    private static void writeTensor(FileChannel ch, ByteBuffer buf, Entry e) throws IOException {
        long[] count = {0};
        SafetensorsDtype type = e.dtype;
        e.data.writeTo(v -> {
            if (count[0]++ >= e.elements) {
                throw new IllegalStateException(e.name + ": more than its " + e.elements + " elements were written");
            }
            if (buf.remaining() < 4) {
                drain(ch, buf);
            }
            switch (type) {
                case BF16 -> buf.putShort(SafetensorsDtype.floatToBf16(v));
                case F16 -> buf.putShort(Float16.fromFloat(v));
                case F32 -> buf.putFloat(v);
            }
        });
        if (count[0] != e.elements) {
            throw new IllegalStateException(
                    e.name + ": " + count[0] + " elements were written, the shape holds " + e.elements);
        }
    }

    private static void putBytes(FileChannel ch, ByteBuffer buf, byte[] bytes) throws IOException {
        int pos = 0;
        while (pos < bytes.length) {
            if (!buf.hasRemaining()) {
                drain(ch, buf);
            }
            int n = Math.min(buf.remaining(), bytes.length - pos);
            buf.put(bytes, pos, n);
            pos += n;
        }
    }

    private static void drain(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        buf.clear();
    }
}
