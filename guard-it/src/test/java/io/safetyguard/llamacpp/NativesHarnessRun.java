package io.safetyguard.llamacpp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of guard-llamacpp/native/wine/natives_harness.cpp printed: the libraries it loaded, the
 * CPU variant module it registered (null for a bundle with one fixed ggml-cpu), how
 * many JNI symbols it found, and per generated token the greedy choice with the five most likely tokens
 * and their logits.
 */
record NativesHarnessRun(
        List<String> loaded, String cpuVariant, int jniSymbols, List<Integer> tokens, List<Map<Integer, Float>> top) {

    static NativesHarnessRun parse(String stdout) {
        List<String> loaded = new ArrayList<>();
        int jni = -1;
        String cpuVariant = null;
        List<Integer> tokens = new ArrayList<>();
        List<Map<Integer, Float>> top = new ArrayList<>();
        for (String line : stdout.lines().toList()) {
            String[] f = line.strip().split(" ");
            switch (f[0]) {
                case "loaded" -> loaded.add(f[1]);
                case "jni-symbols" -> jni = Integer.parseInt(f[1]);
                case "cpu-variant" -> cpuVariant = f[1];
                case "token" -> {
                    // token ID HEX top ID:LOGIT ID:LOGIT ...
                    tokens.add(Integer.parseInt(f[1]));
                    Map<Integer, Float> ranked = new LinkedHashMap<>();
                    for (int i = 4; i < f.length; i++) {
                        String[] idLogit = f[i].split(":");
                        ranked.put(Integer.parseInt(idLogit[0]), Float.parseFloat(idLogit[1]));
                    }
                    top.add(ranked);
                }
                default -> {}
            }
        }
        if (tokens.isEmpty() || jni < 0) {
            throw new AssertionError("no token or jni-symbols lines in the harness output:\n" + stdout);
        }
        return new NativesHarnessRun(List.copyOf(loaded), cpuVariant, jni, List.copyOf(tokens), List.copyOf(top));
    }

    /** The largest logit difference over the tokens both runs rank in their top five, step by step. */
    double maxLogitDifference(NativesHarnessRun other) {
        double max = 0;
        for (int step = 0; step < Math.min(top.size(), other.top.size()); step++) {
            Map<Integer, Float> theirs = other.top.get(step);
            for (Map.Entry<Integer, Float> e : top.get(step).entrySet()) {
                Float v = theirs.get(e.getKey());
                if (v != null) {
                    max = Math.max(max, Math.abs(v - e.getValue()));
                }
            }
        }
        return max;
    }
}
