package io.safetyguard.llamacpp.tools.convert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pieces of a SentencePiece {@code tokenizer.model} (a serialized {@code sentencepiece.ModelProto}; only
 * {@code pieces}, field 1, is read: {@code piece} 1, {@code score} 2, {@code type} 3).
 *
 * @param types SentencePiece piece types: 1 normal, 2 unknown, 3 control, 4 user defined, 5 unused, 6 byte
 */
record SentencePieceModel(List<String> pieces, float[] scores, int[] types) {
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    private static final int FIELD_PIECES = 1;
    private static final int FIELD_PIECE = 1;
    private static final int FIELD_SCORE = 2;
    private static final int FIELD_TYPE = 3;

    static SentencePieceModel read(Path file) throws IOException {
        ProtobufInput in = new ProtobufInput(file.toString(), Files.readAllBytes(file));
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        while (in.hasMore()) {
            long tag = in.tag();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == FIELD_PIECES && wire == ProtobufInput.LENGTH_DELIMITED) {
                readPiece(in.message(), pieces, scores, types, in);
            } else {
                in.skip(wire);
            }
        }
        if (pieces.isEmpty()) {
            throw in.malformed("no pieces");
        }
        float[] s = new float[scores.size()];
        int[] t = new int[types.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
            t[i] = types.get(i);
        }
        return new SentencePieceModel(List.copyOf(pieces), s, t);
    }

    private static void readPiece(
            ProtobufInput in, List<String> pieces, List<Float> scores, List<Integer> types, ProtobufInput outer)
            throws IOException {
        String piece = null;
        float score = 0f;
        int type = NORMAL;
        while (in.hasMore()) {
            long tag = in.tag();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == FIELD_PIECE && wire == ProtobufInput.LENGTH_DELIMITED) {
                piece = in.string();
            } else if (field == FIELD_SCORE && wire == ProtobufInput.FIXED32) {
                score = in.fixed32Float();
            } else if (field == FIELD_TYPE && wire == ProtobufInput.VARINT) {
                type = (int) in.varint();
            } else {
                in.skip(wire);
            }
        }
        if (piece == null) {
            throw outer.malformed("piece " + pieces.size() + " has no text");
        }
        if (type < NORMAL || type > BYTE) {
            throw outer.malformed("piece " + pieces.size() + " ('" + piece + "') has unknown type " + type);
        }
        pieces.add(piece);
        scores.add(score);
        types.add(type);
    }
}
