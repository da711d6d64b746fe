package io.safetyguard.llamacpp.internal.gguf;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Where one tensor is in a GGUF file and what shape and type it has; the data itself is not read.
 *
 * <p>Dimensions are in ggml order ({@code ne}): {@code ne[0]} is the length of a row, the fastest-varying index.
 * A numpy array of shape {@code (a, b)} is stored with {@code ne = [b, a]}.
 */
public final class GgufTensorInfo {
    private final String name;
    private final long[] ne;
    private final GgmlType type;
    private final long offset;
    private final long fileOffset;
    private final long byteSize;

    GgufTensorInfo(String name, long[] ne, GgmlType type, long offset, long fileOffset, long byteSize) {
        this.name = Objects.requireNonNull(name, "name");
        this.ne = ne.clone();
        this.type = Objects.requireNonNull(type, "type");
        this.offset = offset;
        this.fileOffset = fileOffset;
        this.byteSize = byteSize;
    }

    /** The tensor name, e.g. {@code blk.0.attn_q.weight}. */
    public String name() {
        return name;
    }

    /** The number of dimensions stored in the file (0–4). */
    public int nDims() {
        return ne.length;
    }

    /** The dimensions in ggml order, as a copy. */
    public long[] dims() {
        return ne.clone();
    }

    /** Dimension {@code i} in ggml order; 1 for {@code i >= nDims()}, as in ggml. */
    public long ne(int i) {
        if (i < 0) {
            throw new IndexOutOfBoundsException(i);
        }
        return i < ne.length ? ne[i] : 1;
    }

    /** The element type. */
    public GgmlType type() {
        return type;
    }

    /** Offset of the data from the start of the file's data section. */
    public long offset() {
        return offset;
    }

    /** Offset of the data from the start of the file. */
    public long fileOffset() {
        return fileOffset;
    }

    /** Size of the data in bytes (without alignment padding). */
    public long byteSize() {
        return byteSize;
    }

    /** Number of elements (product of the dimensions). */
    public long elementCount() {
        long n = 1;
        for (long d : ne) {
            n *= d; // the reader has checked that this does not overflow
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t
                && name.equals(t.name)
                && Arrays.equals(ne, t.ne)
                && type == t.type
                && offset == t.offset
                && fileOffset == t.fileOffset
                && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(ne), type, offset);
    }

    /** E.g. {@code blk.0.attn_q.weight f16 [64, 64]}. */
    @Override
    public String toString() {
        return name + " " + type.ggmlName() + " "
                + Arrays.stream(ne).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
