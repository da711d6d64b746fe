package io.safetyguard.llamacpp.tools.tiny;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The BPE merges a fast (tokenizer.json) tokenizer needs to reproduce a SentencePiece BPE model: every way to split
 * a normal piece into two normal pieces, best-scored merged piece first (SentencePiece BPE merges the pair whose
 * result scores highest; a tokenizer.json BPE merges the pair ranked first).
 */
final class SpmMerges {
    private static final int TYPE_NORMAL = 1;

    private SpmMerges() {}

    /** Merges as {@code "left right"} strings, ranked. */
    static List<String> derive(List<String> pieces, float[] scores, int[] types) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < pieces.size(); i++) {
            if (types[i] == TYPE_NORMAL) {
                ids.putIfAbsent(pieces.get(i), i);
            }
        }
        record Merge(int merged, int left, int right) {}
        List<Merge> merges = new ArrayList<>();
        for (int id = 0; id < pieces.size(); id++) {
            if (types[id] != TYPE_NORMAL) {
                continue;
            }
            String piece = pieces.get(id);
            for (int k = piece.offsetByCodePoints(0, 1); k < piece.length(); k = piece.offsetByCodePoints(k, 1)) {
                Integer left = ids.get(piece.substring(0, k));
                Integer right = ids.get(piece.substring(k));
                if (left != null && right != null) {
                    merges.add(new Merge(id, left, right));
                }
            }
        }
        merges.sort(Comparator.comparingDouble((Merge m) -> -scores[m.merged()])
                .thenComparingInt(Merge::merged)
                .thenComparingInt(Merge::left)
                .thenComparingInt(Merge::right));
        List<String> out = new ArrayList<>(merges.size());
        for (Merge m : merges) {
            out.add(pieces.get(m.left()) + " " + pieces.get(m.right()));
        }
        return out;
    }
}
