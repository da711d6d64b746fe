package io.safetyguard.llamacpp.internal.gguf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tensor table of a GGUF file, for {@link GgufReader}: reads each tensor's header with the checks llama.cpp
 * makes (name length, at most {@link GgufReader#MAX_DIMS} dimensions, overflow, known types, whole blocks per
 * row, no duplicate names), then places the data: aligned, back to back in header order, inside the file.
 */
final class GgufTensorTable {

    private final String file;
    private final GgufInput in;

    GgufTensorTable(String file, GgufInput in) {
        this.file = file;
        this.in = in;
    }

    /** Reads {@code count} tensor headers from the input's position. */
    List<Header> readHeaders(long count) throws IOException {
        List<Header> headers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < count; i++) {
            Header t = readHeader(i);
            if (!names.add(t.name)) {
                throw problem("tensor name '" + Printable.of(t.name) + "' occurs twice; llama.cpp rejects duplicate "
                        + "tensor names");
            }
            headers.add(t);
        }
        return headers;
    }

    /** One tensor as its header describes it, before its data is placed. */
    record Header(String name, long[] ne, GgmlType type, long offset, long byteSize) {}

    private Header readHeader(long index) throws IOException {
        String name = readTensorName(index);
        String what = "tensor '" + Printable.of(name) + "'";
        long nDims = in.u32("the dimension count of " + what);
        if (nDims > GgufReader.MAX_DIMS) {
            throw problem(what + " has " + nDims + " dimensions; ggml allows at most " + GgufReader.MAX_DIMS);
        }
        long[] ne = new long[(int) nDims];
        long elements = 1;
        for (int j = 0; j < ne.length; j++) {
            ne[j] = in.i64("a dimension of " + what);
            if (ne[j] < 0) {
                throw problem(what + " has a negative dimension ne[" + j + "] = " + ne[j]);
            }
        }
        for (long d : ne) {
            elements = multiply(
                    elements,
                    d,
                    what + " has more elements than fit in 64 bits (shape " + java.util.Arrays.toString(ne) + ")");
        }
        int typeId = in.i32("the type of " + what);
        GgmlType type = GgmlType.fromId(typeId)
                .orElseThrow(() -> problem(what + " has "
                        + (typeId >= 0 && typeId < GgmlType.ID_LIMIT
                                ? "ggml type id " + typeId + ", which ggml has removed"
                                : "unknown ggml type id " + typeId + " (the pinned llama.cpp knows 0.."
                                        + (GgmlType.ID_LIMIT - 1) + ")")
                        + "; re-convert or re-quantize the model with llama.cpp v0.4.0"));
        long rowLength = ne.length > 0 ? ne[0] : 1;
        if (rowLength % type.blockSize() != 0) {
            throw problem(what + " has rows of " + rowLength + " elements, not a multiple of the " + type.ggmlName()
                    + " block size " + type.blockSize());
        }
        long byteSize = multiply(elements / type.blockSize(), type.blockBytes(), what + " is larger than 2^63 bytes");
        long offset = in.i64("the data offset of " + what);
        return new Header(name, ne, type, offset, byteSize);
    }

    private String readTensorName(long index) throws IOException {
        String what = "the name of tensor #" + index;
        long len = in.i64("the length of " + what);
        if (len < 0 || len > GgufReader.MAX_TENSOR_NAME_BYTES) {
            throw problem("tensor #" + index + " has a name of " + Long.toUnsignedString(len) + " bytes; llama.cpp "
                    + "allows at most " + GgufReader.MAX_TENSOR_NAME_BYTES);
        }
        return in.utf8((int) len, what);
    }

    /** Checks llama.cpp's layout rule (aligned, back to back, in header order) and that data lies in the file. */
    List<GgufTensorInfo> place(List<Header> headers, long alignment, long dataOffset) throws GgufFormatException {
        List<GgufTensorInfo> tensors = new ArrayList<>(headers.size());
        long available = in.size() - dataOffset;
        long expected = 0;
        for (Header t : headers) {
            String what = "tensor '" + Printable.of(t.name) + "'";
            if (t.offset < 0 || t.offset % alignment != 0) {
                throw problem(what + " has data offset " + Long.toUnsignedString(t.offset)
                        + ", which is not a multiple of the alignment " + alignment);
            }
            if (t.offset != expected) {
                throw problem(what + " has data offset " + t.offset + " but llama.cpp expects " + expected
                        + ": tensor data must be stored back to back in header order, each padded to the alignment");
            }
            if (t.offset > available || t.byteSize > available - t.offset) {
                throw problem("the file is truncated: " + what + " needs bytes " + (dataOffset + t.offset) + ".."
                        + (dataOffset + t.offset + t.byteSize) + " but the file ends at byte " + in.size()
                        + " (an interrupted download or copy?)");
            }
            tensors.add(new GgufTensorInfo(t.name, t.ne, t.type, t.offset, dataOffset + t.offset, t.byteSize));
            expected = pad(t.offset + t.byteSize, alignment); // both <= file size, so no overflow
        }
        return tensors;
    }

    private long multiply(long a, long b, String overflowProblem) throws GgufFormatException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw problem(overflowProblem);
        }
    }

    static long pad(long x, long alignment) {
        return (x + alignment - 1) & -alignment;
    }

    private GgufFormatException problem(String text) {
        return new GgufFormatException(file, text);
    }
}
