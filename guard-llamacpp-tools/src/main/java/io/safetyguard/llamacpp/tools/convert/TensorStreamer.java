package io.safetyguard.llamacpp.tools.convert;

import io.safetyguard.llamacpp.internal.gguf.Float16;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.tools.gguf.TensorData;
import io.safetyguard.llamacpp.tools.gguf.TensorSink;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongConsumer;

/**
 * Produces a GGUF tensor's bytes from a checkpoint tensor while the file is written: reads the source in chunks
 * (positional reads, one reused buffer), widens BF16/F16/F32 to float and stores F32, F16 (round to nearest even,
 * as {@link TensorSink#putF16}) or BF16. Memory does not grow with the model: at most one chunk, or one attention
 * head's rows when they are reordered, is held at a time.
 */
final class TensorStreamer {
    /** Elements per read: 4 MiB of F32. */
    static final int CHUNK_ELEMENTS = 1 << 20;

    /** The smallest magnitude F16 rounds to infinity (65504 is the largest finite value). */
    private static final float F16_OVERFLOW = 65520f;

    private final CheckpointTensors checkpoint;
    private final LongConsumer bytesRead;
    private ByteBuffer in = ByteBuffer.allocate(CHUNK_ELEMENTS * 4).order(ByteOrder.LITTLE_ENDIAN);
    private float[] values = new float[CHUNK_ELEMENTS];
    private byte[] out = new byte[CHUNK_ELEMENTS * 4];

    /**
     * @param bytesRead told the number of source bytes after every chunk, for progress
     */
    TensorStreamer(CheckpointTensors checkpoint, LongConsumer bytesRead) {
        this.checkpoint = checkpoint;
        this.bytesRead = bytesRead;
    }

    /** The data of {@code t} stored as {@code type} (F32, F16 or BF16). */
    TensorData data(PlannedTensor t, GgmlType type) {
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16) {
            throw new IllegalArgumentException("tensors are stored as F32, F16 or BF16, not " + type);
        }
        return sink -> write(t, type, sink);
    }

    private void write(PlannedTensor t, GgmlType type, TensorSink sink) throws IOException {
        if (t.source() == null) {
            writeZeros(t.elements(), type, sink);
        } else if (t.ropeHeadDim() > 0) {
            writePermuted(t, type, sink);
        } else {
            long total = t.elements();
            for (long done = 0; done < total; ) {
                int n = (int) Math.min(CHUNK_ELEMENTS, total - done);
                read(t.source(), done, n);
                emit(t, type, sink, 0, n);
                done += n;
            }
        }
    }

    /** Reads head by head: every head's rows are interleaved as {@link LlamaRopePermutation} says. */
    private void writePermuted(PlannedTensor t, GgmlType type, TensorSink sink) throws IOException {
        long[] shape = t.source().shape();
        int headDim = t.ropeHeadDim();
        long rows = shape[0];
        long rowLength = shape.length > 1 ? shape[1] : 1;
        if (rows % headDim != 0 || headDim % 2 != 0) {
            throw new CheckpointException("tensor " + t.source().where() + " has " + rows
                    + " rows, not a whole number of " + headDim + "-wide heads");
        }
        int block = Math.toIntExact(headDim * rowLength);
        ensureCapacity(block);
        float[] head = new float[block];
        for (long first = 0; first < rows; first += headDim) {
            read(t.source(), first * rowLength, block);
            System.arraycopy(values, 0, head, 0, block);
            for (int r = 0; r < headDim; r++) {
                int src = LlamaRopePermutation.sourceRow(r, headDim);
                System.arraycopy(head, (int) (src * rowLength), values, (int) (r * rowLength), (int) rowLength);
            }
            emit(t, type, sink, 0, block);
        }
    }

    private void read(SafetensorsTensor src, long firstElement, int count) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("conversion interrupted");
        }
        SafetensorsDType dtype = src.dtype().orElseThrow();
        int bytes = dtype.bytes();
        ensureCapacity(count);
        in.clear().limit(count * bytes);
        checkpoint.read(src, firstElement * bytes, in);
        in.flip();
        switch (dtype) {
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    values[i] = Float.intBitsToFloat((in.getShort() & 0xffff) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    values[i] = Float16.toFloat(in.getShort());
                }
            }
            case F32 -> {
                for (int i = 0; i < count; i++) {
                    values[i] = in.getFloat();
                }
            }
        }
        bytesRead.accept((long) count * bytes);
    }

    private void emit(PlannedTensor t, GgmlType type, TensorSink sink, int from, int count) throws IOException {
        int o = 0;
        if (type == GgmlType.F32) {
            for (int i = from; i < from + count; i++) {
                int bits = Float.floatToRawIntBits(values[i]);
                out[o++] = (byte) bits;
                out[o++] = (byte) (bits >>> 8);
                out[o++] = (byte) (bits >>> 16);
                out[o++] = (byte) (bits >>> 24);
            }
        } else if (type == GgmlType.F16) {
            for (int i = from; i < from + count; i++) {
                float v = values[i];
                if (Math.abs(v) >= F16_OVERFLOW && Float.isFinite(v)) {
                    throw new CheckpointException("tensor " + t.source().where() + " holds " + v
                            + ", beyond the F16 range (65504); store it as F32 (--type F32 or --mmproj-type F32)");
                }
                short h = Float16.fromFloat(v);
                out[o++] = (byte) h;
                out[o++] = (byte) (h >>> 8);
            }
        } else {
            for (int i = from; i < from + count; i++) {
                short h = toBf16(values[i]);
                out[o++] = (byte) h;
                out[o++] = (byte) (h >>> 8);
            }
        }
        sink.putBytes(out, 0, o);
    }

    private void writeZeros(long elements, GgmlType type, TensorSink sink) throws IOException {
        byte[] zeros = new byte[(int) Math.min(CHUNK_ELEMENTS, elements * type.byteSize(1))];
        long left = type.byteSize(elements);
        while (left > 0) {
            int n = (int) Math.min(zeros.length, left);
            sink.putBytes(zeros, 0, n);
            left -= n;
        }
    }

    /** f32 to bf16, round to nearest even (NaN stays NaN). */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    private void ensureCapacity(int elements) {
        if (elements > values.length) {
            values = new float[elements];
            in = ByteBuffer.allocate(elements * 4).order(ByteOrder.LITTLE_ENDIAN);
            out = new byte[elements * 4];
        }
    }
}
