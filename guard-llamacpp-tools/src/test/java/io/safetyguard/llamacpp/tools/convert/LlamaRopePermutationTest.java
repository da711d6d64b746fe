package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LlamaRopePermutationTest {

    @Test
    void interleavesTheHalvesOfEveryHead() {
        // two heads of 4: rows 0,1 | 2,3 are the halves of head 0, rows 4,5 | 6,7 of head 1
        int[] order = IntStream.range(0, 8)
                .map(r -> LlamaRopePermutation.sourceRow(r, 4))
                .toArray();
        assertThat(order).containsExactly(0, 2, 1, 3, 4, 6, 5, 7);
        int[] order8 = IntStream.range(0, 8)
                .map(r -> LlamaRopePermutation.sourceRow(r, 8))
                .toArray();
        assertThat(order8).containsExactly(0, 4, 1, 5, 2, 6, 3, 7);
    }

    /**
     * The point of the permutation: Hugging Face's rotate-half RoPE on the original rows and ggml's adjacent-pair
     * RoPE on the permuted rows give the same attention score for every pair of positions.
     */
    @Test
    void hfRotateHalfOnOriginalRowsEqualsGgmlPairRopeOnPermutedRows() {
        int headDim = 8;
        int heads = 2;
        int in = 5;
        Random random = new Random(3);
        double[][] wq = randomMatrix(random, heads * headDim, in);
        double[][] wk = randomMatrix(random, heads * headDim, in);
        double[] x = random.doubles(in).toArray();
        double[] y = random.doubles(in).toArray();
        double[][] wqPermuted = permuteRows(wq, headDim);
        double[][] wkPermuted = permuteRows(wk, headDim);
        for (int head = 0; head < heads; head++) {
            for (int[] pos : new int[][] {{0, 0}, {3, 1}, {7, 11}}) {
                double hf = dot(
                        rotateHalf(head(mul(wq, x), head, headDim), pos[0]),
                        rotateHalf(head(mul(wk, y), head, headDim), pos[1]));
                double ggml = dot(
                        rotatePairs(head(mul(wqPermuted, x), head, headDim), pos[0]),
                        rotatePairs(head(mul(wkPermuted, y), head, headDim), pos[1]));
                assertThat(ggml).isCloseTo(hf, within(1e-12));
                // without the permutation the scores differ: the test can tell
                double unpermuted = dot(
                        rotatePairs(head(mul(wq, x), head, headDim), pos[0]),
                        rotatePairs(head(mul(wk, y), head, headDim), pos[1]));
                if (pos[0] != pos[1]) {
                    assertThat(Math.abs(unpermuted - hf)).isGreaterThan(1e-6);
                }
            }
        }
    }

    private static double theta(int i, int headDim, int pos) {
        return pos * Math.pow(10000, -2.0 * i / headDim);
    }

    /** transformers' Llama: dimension i pairs with i + d/2. */
    private static double[] rotateHalf(double[] q, int pos) {
        int h = q.length / 2;
        double[] out = new double[q.length];
        for (int i = 0; i < h; i++) {
            double c = Math.cos(theta(i, q.length, pos));
            double s = Math.sin(theta(i, q.length, pos));
            out[i] = q[i] * c - q[i + h] * s;
            out[i + h] = q[i + h] * c + q[i] * s;
        }
        return out;
    }

    /** ggml's normal RoPE: dimension 2i pairs with 2i + 1. */
    private static double[] rotatePairs(double[] q, int pos) {
        double[] out = new double[q.length];
        for (int i = 0; i < q.length / 2; i++) {
            double c = Math.cos(theta(i, q.length, pos));
            double s = Math.sin(theta(i, q.length, pos));
            out[2 * i] = q[2 * i] * c - q[2 * i + 1] * s;
            out[2 * i + 1] = q[2 * i] * s + q[2 * i + 1] * c;
        }
        return out;
    }

    private static double[][] permuteRows(double[][] w, int headDim) {
        double[][] out = new double[w.length][];
        for (int r = 0; r < w.length; r++) {
            out[r] = w[LlamaRopePermutation.sourceRow(r, headDim)];
        }
        return out;
    }

    private static double[][] randomMatrix(Random random, int rows, int cols) {
        double[][] m = new double[rows][];
        for (int r = 0; r < rows; r++) {
            m[r] = random.doubles(cols, -1, 1).toArray();
        }
        return m;
    }

    private static double[] mul(double[][] w, double[] x) {
        double[] out = new double[w.length];
        for (int r = 0; r < w.length; r++) {
            out[r] = dot(w[r], x);
        }
        return out;
    }

    private static double[] head(double[] v, int head, int headDim) {
        double[] out = new double[headDim];
        System.arraycopy(v, head * headDim, out, 0, headDim);
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
