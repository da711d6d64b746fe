package io.safetyguard.llamacpp.internal.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Positional reads from a file or a byte array, so the reader never needs the whole file in memory. */
interface ByteSource {

    /** Total size in bytes. */
    long size() throws IOException;

    /** Reads up to {@code dst.remaining()} bytes at {@code position}; returns the count, or -1 at the end. */
    int read(ByteBuffer dst, long position) throws IOException;

    static ByteSource of(FileChannel channel) {
        return new ByteSource() {
            @Override
            public long size() throws IOException {
                return channel.size();
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return channel.read(dst, position);
            }
        };
    }

    static ByteSource of(byte[] bytes) {
        return new ByteSource() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public int read(ByteBuffer dst, long position) {
                if (position >= bytes.length) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), bytes.length - position);
                dst.put(bytes, (int) position, n);
                return n;
            }
        };
    }
}
