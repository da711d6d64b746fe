package io.safetyguard.llamacpp.internal.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds raw GGUF bytes by hand, so tests can write files no well-behaved writer would produce. */
public final class GgufBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** "GGUF", version, tensor count, kv count. */
    public static GgufBytes header(int version, long nTensors, long nKv) {
        return new GgufBytes()
                .raw('G', 'G', 'U', 'F')
                .u32(version)
                .i64(nTensors)
                .i64(nKv);
    }

    GgufBytes raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    GgufBytes u8(int v) {
        out.write(v);
        return this;
    }

    GgufBytes u32(long v) {
        return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v));
    }

    GgufBytes i64(long v) {
        return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v));
    }

    GgufBytes f32(float v) {
        return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v));
    }

    GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        i64(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    /** A key with a u32 value. */
    public GgufBytes kvU32(String key, long v) {
        return str(key).u32(GgufValueType.UINT32.id()).u32(v);
    }

    /** A key with a string value. */
    GgufBytes kvStr(String key, String v) {
        return str(key).u32(GgufValueType.STRING.id()).str(v);
    }

    /** A tensor info entry. */
    GgufBytes tensor(String name, int type, long offset, long... ne) {
        str(name).u32(ne.length);
        for (long d : ne) {
            i64(d);
        }
        return u32(type).i64(offset);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    GgufBytes pad(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    GgufBytes zeros(int n) {
        out.write(new byte[n], 0, n);
        return this;
    }

    int size() {
        return out.size();
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    private GgufBytes put(ByteBuffer b) {
        out.write(b.array(), 0, b.capacity());
        return this;
    }
}
