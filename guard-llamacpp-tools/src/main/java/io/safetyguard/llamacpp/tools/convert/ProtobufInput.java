package io.safetyguard.llamacpp.tools.convert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reads protocol buffer wire format (no schema): tags, varints, fixed32 and length-delimited fields. */
final class ProtobufInput {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final String source;
    private final byte[] bytes;
    private int pos;
    private final int end;

    ProtobufInput(String source, byte[] bytes) {
        this(source, bytes, 0, bytes.length);
    }

    private ProtobufInput(String source, byte[] bytes, int start, int end) {
        this.source = source;
        this.bytes = bytes;
        this.pos = start;
        this.end = end;
    }

    boolean hasMore() {
        return pos < end;
    }

    /** The next tag: field number {@code << 3 | wire type}. */
    long tag() throws IOException {
        return varint();
    }

    long varint() throws IOException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = nextByte();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw malformed("a varint longer than ten bytes");
    }

    float fixed32Float() throws IOException {
        int bits = 0;
        for (int i = 0; i < 4; i++) {
            bits |= nextByte() << (8 * i);
        }
        return Float.intBitsToFloat(bits);
    }

    String string() throws IOException {
        int length = length();
        String s = new String(bytes, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    /** The content of a length-delimited field, as its own input. */
    ProtobufInput message() throws IOException {
        int length = length();
        ProtobufInput sub = new ProtobufInput(source, bytes, pos, pos + length);
        pos += length;
        return sub;
    }

    /** Skips a field of this wire type. */
    void skip(int wireType) throws IOException {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> advance(8);
            case LENGTH_DELIMITED -> advance(length());
            case FIXED32 -> advance(4);
            default -> throw malformed("wire type " + wireType + " (groups and unknown types are not expected)");
        }
    }

    IOException malformed(String what) {
        return new IOException(source + ": not a valid SentencePiece model (protobuf): " + what + " at byte " + pos);
    }

    private int length() throws IOException {
        long length = varint();
        if (length < 0 || length > end - pos) {
            throw malformed("a field of " + length + " bytes where " + (end - pos) + " remain");
        }
        return (int) length;
    }

    private void advance(int n) throws IOException {
        if (n > end - pos) {
            throw malformed("a field running past the end");
        }
        pos += n;
    }

    private int nextByte() throws IOException {
        if (pos >= end) {
            throw malformed("a field cut off by the end");
        }
        return bytes[pos++] & 0xFF;
    }
}
