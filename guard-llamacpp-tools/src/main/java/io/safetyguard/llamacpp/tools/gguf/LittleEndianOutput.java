package io.safetyguard.llamacpp.tools.gguf;

import io.safetyguard.llamacpp.internal.gguf.Float16;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian primitive writes that count the bytes written (GGUF is little-endian; DataOutput is not). */
final class LittleEndianOutput implements TensorSink {
    private final OutputStream out;
    private final byte[] scratch = new byte[8];
    private long written;

    LittleEndianOutput(OutputStream out) {
        this.out = out;
    }

    long written() {
        return written;
    }

    void u8(int v) throws IOException {
        out.write(v);
        written++;
    }

    void i16(int v) throws IOException {
        scratch[0] = (byte) v;
        scratch[1] = (byte) (v >>> 8);
        flushScratch(2);
    }

    void i32(int v) throws IOException {
        for (int i = 0; i < 4; i++) {
            scratch[i] = (byte) (v >>> (8 * i));
        }
        flushScratch(4);
    }

    void i64(long v) throws IOException {
        for (int i = 0; i < 8; i++) {
            scratch[i] = (byte) (v >>> (8 * i));
        }
        flushScratch(8);
    }

    void f64(double v) throws IOException {
        i64(Double.doubleToRawLongBits(v));
    }

    /** A GGUF string: u64 byte length, then UTF-8 bytes without terminator. */
    void string(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        i64(b.length);
        putBytes(b, 0, b.length);
    }

    void zeros(long n) throws IOException {
        for (long i = 0; i < n; i++) {
            u8(0);
        }
    }

    @Override
    public void putF32(float value) throws IOException {
        i32(Float.floatToRawIntBits(value));
    }

    @Override
    public void putF16(float value) throws IOException {
        i16(Float16.fromFloat(value));
    }

    @Override
    public void putBytes(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        written += length;
    }

    private void flushScratch(int n) throws IOException {
        out.write(scratch, 0, n);
        written += n;
    }
}
