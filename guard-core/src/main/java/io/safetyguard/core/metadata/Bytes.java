package io.safetyguard.core.metadata;

/** Unsigned integer reads and writes in the byte orders the containers use. */
final class Bytes {
    private Bytes() {}

    static long u32be(byte[] b, int pos) {
        return ((b[pos] & 0xFFL) << 24)
                | ((b[pos + 1] & 0xFFL) << 16)
                | ((b[pos + 2] & 0xFFL) << 8)
                | (b[pos + 3] & 0xFFL);
    }

    static int u16be(byte[] b, int pos) {
        return ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
    }

    static long u32le(byte[] b, int pos) {
        return (b[pos] & 0xFFL)
                | ((b[pos + 1] & 0xFFL) << 8)
                | ((b[pos + 2] & 0xFFL) << 16)
                | ((b[pos + 3] & 0xFFL) << 24);
    }

    static int u24le(byte[] b, int pos) {
        return (b[pos] & 0xFF) | ((b[pos + 1] & 0xFF) << 8) | ((b[pos + 2] & 0xFF) << 16);
    }

    static int u16le(byte[] b, int pos) {
        return (b[pos] & 0xFF) | ((b[pos + 1] & 0xFF) << 8);
    }

    static void putU32be(byte[] b, int pos, long v) {
        b[pos] = (byte) (v >>> 24);
        b[pos + 1] = (byte) (v >>> 16);
        b[pos + 2] = (byte) (v >>> 8);
        b[pos + 3] = (byte) v;
    }

    static void putU32le(byte[] b, int pos, long v) {
        b[pos] = (byte) v;
        b[pos + 1] = (byte) (v >>> 8);
        b[pos + 2] = (byte) (v >>> 16);
        b[pos + 3] = (byte) (v >>> 24);
    }

    static void putU24le(byte[] b, int pos, int v) {
        b[pos] = (byte) v;
        b[pos + 1] = (byte) (v >>> 8);
        b[pos + 2] = (byte) (v >>> 16);
    }
}
