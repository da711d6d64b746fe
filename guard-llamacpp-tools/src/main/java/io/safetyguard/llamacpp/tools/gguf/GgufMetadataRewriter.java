package io.safetyguard.llamacpp.tools.gguf;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Copies a GGUF file with changed metadata. Tensor data is streamed from the input in 1 MiB pieces, never held
 * in memory, so multi-gigabyte models need no more heap than small ones. Keys keep their order (new keys go at
 * the end), tensors keep their order, types and bytes; the alignment is kept. The output is written under a
 * temporary name next to the target and moved into place when complete ({@link GgufWriter}), so the target is
 * replaced whole or not at all, and may be the input itself.
 */
public final class GgufMetadataRewriter {
    private static final int COPY_BUFFER = 1 << 20;

    private GgufMetadataRewriter() {}

    /**
     * The changes {@code edits} would make, in order, without writing anything. Edits that set a key to the value
     * it already has are not changes.
     *
     * @throws IllegalArgumentException when an edit is not allowed (see {@link #apply})
     */
    public static List<MetadataChange> plan(GgufFile input, List<MetadataEdit> edits) {
        return apply(input, edits).changes;
    }

    /**
     * Writes {@code output}: {@code input} with {@code edits} applied in order (a later edit of a key wins).
     *
     * @return the changes made (empty when none: the output is then a faithful copy)
     * @throws IllegalArgumentException when an edit removes a key that is absent or required, touches
     *                                  {@code general.alignment}, or gives a known key the wrong type
     * @throws IOException              when reading or writing fails; {@code output} is then left as it was
     */
    public static List<MetadataChange> rewrite(Path input, Path output, List<MetadataEdit> edits) throws IOException {
        GgufFile in = GgufReader.read(input);
        Result r = apply(in, edits);
        GgufWriter w = new GgufWriter(output, Math.toIntExact(in.alignment()));
        r.metadata.forEach(w::put);
        try (FileChannel ch = FileChannel.open(input, StandardOpenOption.READ)) {
            for (GgufTensorInfo t : in.tensors()) {
                w.addTensor(t.name(), t.type(), t.dims(), copyOf(ch, t));
            }
            w.write();
        }
        return r.changes;
    }

    private record Result(Map<String, GgufValue> metadata, List<MetadataChange> changes) {}

    private static Result apply(GgufFile in, List<MetadataEdit> edits) {
        Map<String, GgufValue> meta = new LinkedHashMap<>(in.metadata());
        meta.remove(GgufFile.KEY_ALIGNMENT); // the writer records the alignment it is constructed with
        for (MetadataEdit e : edits) {
            String key = e.key();
            if (key.equals(GgufFile.KEY_ALIGNMENT)) {
                throw new IllegalArgumentException(key + " cannot be edited: it describes the tensor data layout, "
                        + "which a metadata rewrite keeps");
            }
            if (e.value().isPresent()) {
                KnownKeyTypes.check(key, e.value().get());
                meta.put(key, e.value().get());
            } else if (key.equals(ModelKeys.ARCHITECTURE)) {
                throw new IllegalArgumentException(key + " cannot be removed: llama.cpp needs it to load the file");
            } else if (meta.remove(key) == null && !in.has(key)) {
                throw new IllegalArgumentException("cannot remove '" + key + "': " + in.name() + " has no such key");
            }
        }
        MetadataChecks.check(in.name(), meta);
        List<MetadataChange> changes = new ArrayList<>();
        for (Map.Entry<String, GgufValue> kv : in.metadata().entrySet()) {
            if (kv.getKey().equals(GgufFile.KEY_ALIGNMENT)) {
                continue;
            }
            GgufValue after = meta.get(kv.getKey());
            if (after == null) {
                changes.add(new MetadataChange(kv.getKey(), Optional.of(kv.getValue()), Optional.empty()));
            } else if (!after.equals(kv.getValue())) {
                changes.add(new MetadataChange(kv.getKey(), Optional.of(kv.getValue()), Optional.of(after)));
            }
        }
        for (Map.Entry<String, GgufValue> kv : meta.entrySet()) {
            if (!in.has(kv.getKey())) {
                changes.add(new MetadataChange(kv.getKey(), Optional.empty(), Optional.of(kv.getValue())));
            }
        }
        return new Result(meta, changes);
    }

    private static TensorData copyOf(FileChannel ch, GgufTensorInfo t) {
        return sink -> {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(COPY_BUFFER, Math.max(1, t.byteSize())));
            long pos = t.fileOffset();
            long left = t.byteSize();
            while (left > 0) {
                buf.clear().limit((int) Math.min(buf.capacity(), left));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new IOException("tensor '" + t.name() + "' ends beyond the end of the input file; "
                            + "the file changed while it was being copied");
                }
                sink.putBytes(buf.array(), 0, n);
                pos += n;
                left -= n;
            }
        };
    }
}
