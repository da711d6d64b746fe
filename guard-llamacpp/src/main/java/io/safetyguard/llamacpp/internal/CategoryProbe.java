package io.safetyguard.llamacpp.internal;

import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import io.safetyguard.policy.Policy;
import io.safetyguard.policy.VerdictGrammar;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What the category step needs from a model's vocabulary: every token's bytes, indexed so that the tokens that can
 * continue a category value are found without scanning the vocabulary. Strings here hold bytes one per char
 * (ISO-8859-1), so prefixes are byte prefixes and non-ASCII labels and partial UTF-8 tokens need no special case.
 *
 * <p>Built once per model; immutable apart from a small cache of per-policy {@link Labels}; thread-safe.
 * {@link CategoryReading} does the reading for one answer.
 */
public final class CategoryProbe {

    private static final int MAX_POLICIES = 64;

    /** Token bytes (as ISO-8859-1 text) to the tokens that write exactly them. */
    private final NavigableMap<String, int[]> byPiece;
    /** Each token's bytes as ISO-8859-1 text. */
    private final String[] pieces;

    private final ConcurrentMap<List<String>, Labels> labels = new ConcurrentHashMap<>();

    private CategoryProbe(NavigableMap<String, int[]> byPiece, String[] pieces) {
        this.byPiece = byPiece;
        this.pieces = pieces;
    }

    /** Reads every token's bytes once (one native call per token). */
    public static CategoryProbe build(LlamaModel model) {
        int n = model.vocabularySize();
        String[] pieces = new String[n];
        Map<String, List<Integer>> grouped = new HashMap<>();
        for (int t = 0; t < n; t++) {
            String p = bytes(model.tokenBytes(t));
            pieces[t] = p;
            if (!p.isEmpty()) {
                grouped.computeIfAbsent(p, k -> new ArrayList<>(1)).add(t);
            }
        }
        NavigableMap<String, int[]> byPiece = new TreeMap<>();
        grouped.forEach((p, ts) ->
                byPiece.put(p, ts.stream().mapToInt(Integer::intValue).toArray()));
        return new CategoryProbe(byPiece, pieces);
    }

    static String bytes(byte[] utf8) {
        return new String(utf8, StandardCharsets.ISO_8859_1);
    }

    /** The bytes of {@code token} as ISO-8859-1 text. */
    String piece(int token) {
        return pieces[token];
    }

    /** The tokens whose bytes are exactly {@code piece}; empty when none. */
    int[] tokensWriting(String piece) {
        int[] t = byPiece.get(piece);
        return t == null ? new int[0] : t;
    }

    /** The tokens whose bytes start with {@code prefix} and are longer than it. */
    Iterable<int[]> tokensExtending(String prefix) {
        return byPiece.subMap(prefix, false, prefix + '\uffff', false).values();
    }

    /** The category values of {@code policy} as the grammar lets the model write them. */
    public Labels labels(Policy policy) {
        List<String> key = policy.categoryLabels();
        Labels l = labels.get(key);
        if (l == null) {
            if (labels.size() > MAX_POLICIES) {
                labels.clear();
            }
            l = labels.computeIfAbsent(key, k -> new Labels(policy, this));
        }
        return l;
    }

    /**
     * A policy's category values: the id of each, the bytes the model writes after the value's opening quote (the
     * JSON text of the label and the closing quote), and the tokens that would write the opening quote together
     * with a value's first byte.
     */
    public static final class Labels {
        final String[] ids;
        final String[] values;
        final int[] quoteWithValue;

        private Labels(Policy policy, CategoryProbe probe) {
            List<String> labels = policy.categoryLabels();
            ids = new String[labels.size()];
            values = new String[labels.size()];
            StringBuilder firsts = new StringBuilder();
            for (int i = 0; i < labels.size(); i++) {
                String label = labels.get(i);
                ids[i] = policy.categoryIdForLabel(label).orElse(label);
                // the grammar's literal with its opening quote dropped
                values[i] =
                        bytes(VerdictGrammar.categoryLiteral(label).substring(1).getBytes(StandardCharsets.UTF_8));
                if (firsts.indexOf(values[i].substring(0, 1)) < 0) {
                    firsts.append(values[i].charAt(0));
                }
            }
            List<Integer> fused = new ArrayList<>();
            for (int t = 0; t < probe.pieces.length; t++) {
                String p = probe.pieces[t];
                for (int q = p.indexOf('"'); q >= 0 && q + 1 < p.length(); q = p.indexOf('"', q + 1)) {
                    if (firsts.indexOf(p.substring(q + 1, q + 2)) >= 0) {
                        fused.add(t);
                        break;
                    }
                }
            }
            quoteWithValue = fused.stream().mapToInt(Integer::intValue).toArray();
        }

        /** How many values (the policy's categories and {@code NA}). */
        public int size() {
            return ids.length;
        }
    }
}
