package io.safetyguard.llamacpp;

import io.safetyguard.llamacpp.gguf.Float16;
import io.safetyguard.llamacpp.gguf.GgmlType;
import io.safetyguard.llamacpp.gguf.GgufFile;
import io.safetyguard.llamacpp.gguf.GgufReader;
import io.safetyguard.llamacpp.gguf.GgufTensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * An independent forward pass of a small LLaVA vision tower + mlp projector read from an mmproj, written from the
 * Hugging Face definitions (CLIPVisionEmbeddings, CLIPEncoderLayer, LLaVA's select_feature "patch" and
 * LlavaMultiModalProjector), in double precision. Tests compare llama.cpp's tile embeddings with it.
 *
 * <p>Weights are read as ggml stores them: a linear {@code [in, out]} tensor ({@code ne0 = in}) is PyTorch's
 * {@code [out][in]} row-major, the patch convolution {@code [kw, kh, c, out]} is PyTorch's {@code [out][c][kh][kw]}.
 * The activation is the tanh form of GELU ({@code clip.use_gelu = true}, as the tiny models are written).
 */
final class ClipTowerForward {

    /** Where the class token goes: the reference puts it first; llama.cpp v0.4.0 unpatched appends it. */
    enum ClsPlacement { FIRST, LAST_AS_UNPATCHED_LLAMA_CPP }

    private final GgufFile f;
    private final int imageSize;
    private final int patchSize;
    private final int embd;
    private final int heads;
    private final double eps;
    private final boolean hasCls;

    ClipTowerForward(Path mmproj) throws IOException {
        this.f = GgufReader.read(mmproj);
        this.imageSize = (int) f.getU32("clip.vision.image_size");
        this.patchSize = (int) f.getU32("clip.vision.patch_size");
        this.embd = (int) f.getU32("clip.vision.embedding_length");
        this.heads = (int) f.getU32("clip.vision.attention.head_count");
        this.eps = f.getF32("clip.vision.attention.layer_norm_epsilon");
        this.hasCls = f.hasTensor("v.class_embd");
        if (!f.getBool("clip.use_gelu")) {
            throw new IllegalArgumentException("this forward implements the tanh GELU only");
        }
    }

    /**
     * The projected embeddings of one normalized {@code 3 x size x size} channel-major tile after {@code layers}
     * encoder blocks: {@code patches x n_embd} floats, token-major, CLS dropped by position (rows 1..n of the
     * sequence, as llama.cpp's "patches" rows and LLaVA's {@code [:, 1:]} do).
     */
    float[] encode(float[] chw, int layers, ClsPlacement cls) throws IOException {
        int side = imageSize / patchSize;
        int nPatches = side * side;
        int nPos = nPatches + (hasCls ? 1 : 0);
        double[][] x = new double[nPos][];
        double[][] patches = patchEmbeddings(chw, side);
        if (hasCls) {
            double[] c = toDouble(read("v.class_embd"));
            if (cls == ClsPlacement.FIRST) {
                x[0] = c;
                System.arraycopy(patches, 0, x, 1, nPatches);
            } else {
                System.arraycopy(patches, 0, x, 0, nPatches);
                x[nPatches] = c;
            }
        } else {
            System.arraycopy(patches, 0, x, 0, nPatches);
        }
        float[] pos = read("v.position_embd.weight");
        for (int i = 0; i < nPos; i++) {
            for (int d = 0; d < embd; d++) {
                x[i][d] += pos[i * embd + d];
            }
        }
        if (f.hasTensor("v.pre_ln.weight")) {
            x = layerNorm(x, "v.pre_ln");
        }
        for (int l = 0; l < layers; l++) {
            x = block(x, "v.blk." + l + ".");
        }
        if (f.hasTensor("v.post_ln.weight")) {
            x = layerNorm(x, "v.post_ln");
        }
        int first = hasCls ? 1 : 0;
        float[] w0 = read("mm.0.weight");
        float[] b0 = read("mm.0.bias");
        float[] w2 = read("mm.2.weight");
        float[] b2 = read("mm.2.bias");
        int out = b0.length;
        float[] result = new float[nPatches * out];
        for (int t = 0; t < nPatches; t++) {
            double[] h = linear(x[first + t], w0, b0);
            for (int i = 0; i < h.length; i++) {
                h[i] = gelu(h[i]);
            }
            double[] y = linear(h, w2, b2);
            for (int i = 0; i < out; i++) {
                result[t * out + i] = (float) y[i];
            }
        }
        return result;
    }

    private double[][] patchEmbeddings(float[] chw, int side) throws IOException {
        float[] w = read("v.patch_embd.weight");
        float[] b = f.hasTensor("v.patch_embd.bias") ? read("v.patch_embd.bias") : new float[embd];
        int ps = patchSize;
        int plane = imageSize * imageSize;
        double[][] out = new double[side * side][embd];
        for (int py = 0; py < side; py++) {
            for (int px = 0; px < side; px++) {
                double[] e = out[py * side + px];
                for (int o = 0; o < embd; o++) {
                    double s = b[o];
                    for (int c = 0; c < 3; c++) {
                        for (int ky = 0; ky < ps; ky++) {
                            for (int kx = 0; kx < ps; kx++) {
                                s += w[((o * 3 + c) * ps + ky) * ps + kx]
                                        * chw[c * plane + (py * ps + ky) * imageSize + px * ps + kx];
                            }
                        }
                    }
                    e[o] = s;
                }
            }
        }
        return out;
    }

    private double[][] block(double[][] x, String p) throws IOException {
        int n = x.length;
        int dHead = embd / heads;
        double[][] h = layerNorm(x, p + "ln1");
        double[][] q = new double[n][];
        double[][] k = new double[n][];
        double[][] v = new double[n][];
        float[] wq = read(p + "attn_q.weight");
        float[] bq = read(p + "attn_q.bias");
        float[] wk = read(p + "attn_k.weight");
        float[] bk = read(p + "attn_k.bias");
        float[] wv = read(p + "attn_v.weight");
        float[] bv = read(p + "attn_v.bias");
        for (int i = 0; i < n; i++) {
            q[i] = linear(h[i], wq, bq);
            k[i] = linear(h[i], wk, bk);
            v[i] = linear(h[i], wv, bv);
        }
        double scale = 1.0 / Math.sqrt(dHead);
        double[][] attn = new double[n][embd];
        for (int hd = 0; hd < heads; hd++) {
            int o = hd * dHead;
            for (int i = 0; i < n; i++) {
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int d = 0; d < dHead; d++) {
                        dot += q[i][o + d] * k[j][o + d];
                    }
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j < n; j++) {
                    for (int d = 0; d < dHead; d++) {
                        attn[i][o + d] += s[j] / sum * v[j][o + d];
                    }
                }
            }
        }
        float[] wo = read(p + "attn_out.weight");
        float[] bo = read(p + "attn_out.bias");
        double[][] r = new double[n][];
        for (int i = 0; i < n; i++) {
            r[i] = add(x[i], linear(attn[i], wo, bo));
        }
        double[][] h2 = layerNorm(r, p + "ln2");
        float[] wu = read(p + "ffn_up.weight");
        float[] bu = read(p + "ffn_up.bias");
        float[] wd = read(p + "ffn_down.weight");
        float[] bd = read(p + "ffn_down.bias");
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] u = linear(h2[i], wu, bu);
            for (int j = 0; j < u.length; j++) {
                u[j] = gelu(u[j]);
            }
            out[i] = add(r[i], linear(u, wd, bd));
        }
        return out;
    }

    private double[][] layerNorm(double[][] x, String name) throws IOException {
        float[] w = read(name + ".weight");
        float[] b = read(name + ".bias");
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double mean = 0;
            for (double v : x[i]) {
                mean += v;
            }
            mean /= x[i].length;
            double var = 0;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[i].length;
            double inv = 1.0 / Math.sqrt(var + eps);
            out[i] = new double[x[i].length];
            for (int d = 0; d < x[i].length; d++) {
                out[i][d] = (x[i][d] - mean) * inv * w[d] + b[d];
            }
        }
        return out;
    }

    /** y = W x + b with W stored as ggml [in, out] (PyTorch [out][in]). */
    private static double[] linear(double[] in, float[] w, float[] b) {
        int nOut = b.length;
        int nIn = in.length;
        if (w.length != nIn * nOut) {
            throw new IllegalArgumentException("weight has " + w.length + " values, expected " + nIn + "x" + nOut);
        }
        double[] out = new double[nOut];
        for (int o = 0; o < nOut; o++) {
            double s = b[o];
            for (int i = 0; i < nIn; i++) {
                s += w[o * nIn + i] * in[i];
            }
            out[o] = s;
        }
        return out;
    }

    private static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    private float[] read(String name) throws IOException {
        GgufTensorInfo t = f.tensor(name).orElseThrow(() -> new IllegalArgumentException("no tensor " + name));
        ByteBuffer b = ByteBuffer.wrap(f.readTensorBytes(name)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) t.elementCount()];
        if (t.type() == GgmlType.F32) {
            b.asFloatBuffer().get(out);
        } else if (t.type() == GgmlType.F16) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Float16.toFloat(b.getShort());
            }
        } else {
            throw new IllegalArgumentException(name + " is " + t.type());
        }
        return out;
    }
}
