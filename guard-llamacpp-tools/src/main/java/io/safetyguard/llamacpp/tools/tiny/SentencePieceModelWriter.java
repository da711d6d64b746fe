package io.safetyguard.llamacpp.tools.tiny;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a SentencePiece {@code tokenizer.model}: the serialized {@code sentencepiece.ModelProto} (fields from
 * sentencepiece_model.proto) with one piece per token and the trainer and normalizer settings of the Llama 2
 * tokenizer that LLaVA-1.5 (Vicuna) ships: BPE, byte fallback, digits split, a dummy prefix, no whitespace folding.
 */
final class SentencePieceModelWriter {
    // ModelProto
    private static final int PIECES = 1;
    private static final int TRAINER_SPEC = 2;
    private static final int NORMALIZER_SPEC = 3;
    // ModelProto.SentencePiece
    private static final int PIECE = 1;
    private static final int SCORE = 2;
    private static final int TYPE = 3;
    /** SentencePiece.Type NORMAL, the proto default: left out as the trainer leaves it out. */
    private static final int TYPE_NORMAL = 1;
    // TrainerSpec
    private static final int MODEL_TYPE = 3;
    private static final int VOCAB_SIZE = 4;
    private static final int SPLIT_DIGITS = 25;
    private static final int BYTE_FALLBACK = 35;
    private static final int UNK_ID = 40;
    private static final int BOS_ID = 41;
    private static final int EOS_ID = 42;
    private static final int PAD_ID = 43;
    private static final int MODEL_TYPE_BPE = 2;
    // NormalizerSpec
    private static final int NORMALIZER_NAME = 1;
    private static final int ADD_DUMMY_PREFIX = 3;
    private static final int REMOVE_EXTRA_WHITESPACES = 4;
    private static final int ESCAPE_WHITESPACES = 5;

    private SentencePieceModelWriter() {}

    /**
     * Writes the model.
     *
     * @param types SentencePiece piece types, which have the numbers of llama.cpp's token types (1 normal ... 6 byte)
     */
    static void write(Path file, List<String> pieces, float[] scores, int[] types, int unkId, int bosId, int eosId)
            throws IOException {
        ProtobufOutput model = new ProtobufOutput();
        for (int i = 0; i < pieces.size(); i++) {
            ProtobufOutput piece =
                    new ProtobufOutput().string(PIECE, pieces.get(i)).float32(SCORE, scores[i]);
            if (types[i] != TYPE_NORMAL) {
                piece.varint(TYPE, types[i]);
            }
            model.message(PIECES, piece);
        }
        model.message(
                TRAINER_SPEC,
                new ProtobufOutput()
                        .varint(MODEL_TYPE, MODEL_TYPE_BPE)
                        .varint(VOCAB_SIZE, pieces.size())
                        .bool(SPLIT_DIGITS, true)
                        .bool(BYTE_FALLBACK, true)
                        .varint(UNK_ID, unkId)
                        .varint(BOS_ID, bosId)
                        .varint(EOS_ID, eosId)
                        .varint(PAD_ID, -1));
        model.message(
                NORMALIZER_SPEC,
                new ProtobufOutput()
                        .string(NORMALIZER_NAME, "identity")
                        .bool(ADD_DUMMY_PREFIX, true)
                        .bool(REMOVE_EXTRA_WHITESPACES, false)
                        .bool(ESCAPE_WHITESPACES, true));
        Files.write(file, model.toByteArray());
    }
}
