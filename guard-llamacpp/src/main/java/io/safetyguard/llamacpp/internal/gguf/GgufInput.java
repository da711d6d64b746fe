package io.safetyguard.llamacpp.internal.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Buffered little-endian reads from a {@link ByteSource} that check every read against the file size first, so a
 * truncated file is reported as such and no length read from the file is trusted before it is checked.
 */
final class GgufInput {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final String file;
    private final ByteSource source;
    private final long size;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private long bufStart; // file position of buf index 0

    GgufInput(String file, ByteSource source) throws IOException {
        this.file = file;
        this.source = source;
        this.size = source.size();
        buf.limit(0);
    }

    long size() {
        return size;
    }

    long position() {
        return bufStart + buf.position();
    }

    long remaining() {
        return size - position();
    }

    /** Fails with a truncation message unless {@code n} more bytes exist. */
    void require(long n, String what) throws GgufFormatException {
        if (n < 0 || n > remaining()) {
            throw new GgufFormatException(
                    file,
                    "the file is truncated: it ends at byte " + size + " while reading " + what + " at byte "
                            + position() + " (an interrupted download or copy?)");
        }
    }

    int u8(String what) throws IOException {
        ensure(1, what);
        return buf.get() & 0xFF;
    }

    short i16(String what) throws IOException {
        ensure(2, what);
        return buf.getShort();
    }

    int i32(String what) throws IOException {
        ensure(4, what);
        return buf.getInt();
    }

    long u32(String what) throws IOException {
        return i32(what) & 0xFFFF_FFFFL;
    }

    long i64(String what) throws IOException {
        ensure(8, what);
        return buf.getLong();
    }

    float f32(String what) throws IOException {
        ensure(4, what);
        return buf.getFloat();
    }

    double f64(String what) throws IOException {
        ensure(8, what);
        return buf.getDouble();
    }

    /** Reads {@code n} bytes; the caller has bounded {@code n}. */
    byte[] bytes(int n, String what) throws IOException {
        require(n, what);
        byte[] out = new byte[n];
        int have = Math.min(n, buf.remaining());
        buf.get(out, 0, have);
        if (have < n) {
            long pos = position();
            ByteBuffer dst = ByteBuffer.wrap(out, have, n - have);
            while (dst.hasRemaining()) {
                int r = source.read(dst, pos);
                if (r <= 0) {
                    throw changedWhileReading();
                }
                pos += r;
            }
            bufStart = pos;
            buf.clear().limit(0);
        }
        return out;
    }

    /** Reads {@code n} bytes as UTF-8 (malformed sequences become U+FFFD; llama.cpp does not validate them). */
    String utf8(int n, String what) throws IOException {
        if (n <= buf.remaining()) {
            String s = new String(buf.array(), buf.arrayOffset() + buf.position(), n, StandardCharsets.UTF_8);
            buf.position(buf.position() + n);
            return s;
        }
        return new String(bytes(n, what), StandardCharsets.UTF_8);
    }

    private void ensure(int n, String what) throws IOException {
        if (buf.remaining() >= n) {
            return;
        }
        require(n, what);
        long pos = position();
        buf.compact();
        bufStart = pos;
        while (buf.position() < n) {
            int r = source.read(buf, bufStart + buf.position());
            if (r <= 0) {
                throw changedWhileReading();
            }
        }
        buf.flip();
    }

    private GgufFormatException changedWhileReading() {
        return new GgufFormatException(
                file, "the file ended before its recorded size of " + size + " bytes; it changed while being read");
    }
}
