package io.safetyguard.llamacpp.reference;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A plain-Java, double-precision forward pass of the Hugging Face Qwen2 and Llama decoders, read from a LLaVA
 * checkpoint: token embeddings, per layer RMSNorm, self-attention with grouped-query heads and the rotate-half RoPE
 * convention (q/k/v biases where the checkpoint has them: Qwen2), a SwiGLU MLP, the final RMSNorm and the output
 * projection ({@code lm_head}, or the token embeddings when tied). Causal attention over the whole sequence, no
 * cache: the sequences of the agreement test are a few hundred positions of a tiny model.
 */
public final class ReferenceLanguageModel {

    private final HfCheckpoint ckpt;
    private final String p;
    private final int hidden;
    private final int layers;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int ffn;
    private final int vocab;
    private final double eps;
    private final double ropeTheta;
    private final float[] outputWeight;

    private ReferenceLanguageModel(HfCheckpoint ckpt) {
        this.ckpt = ckpt;
        JsonNode tc = ckpt.textConfig();
        this.p = ckpt.layout().languageModel;
        this.hidden = HfCheckpoint.intOr(tc, "hidden_size", -1);
        this.layers = HfCheckpoint.intOr(tc, "num_hidden_layers", -1);
        this.heads = HfCheckpoint.intOr(tc, "num_attention_heads", -1);
        this.kvHeads = HfCheckpoint.intOr(tc, "num_key_value_heads", heads);
        this.headDim = HfCheckpoint.intOr(tc, "head_dim", hidden / heads);
        this.ffn = HfCheckpoint.intOr(tc, "intermediate_size", -1);
        this.eps = HfCheckpoint.doubleOr(tc, "rms_norm_eps", 1e-6);
        JsonNode ropeParams = tc.get("rope_parameters");
        this.ropeTheta =
                HfCheckpoint.doubleOr(tc, "rope_theta", HfCheckpoint.doubleOr(ropeParams, "rope_theta", 10000.0));
        JsonNode scaling = tc.get("rope_scaling");
        if (scaling != null
                && !scaling.isNull()
                && !HfCheckpoint.stringOr(scaling, "rope_type", "default").equals("default")) {
            throw new IllegalArgumentException("rope_scaling " + scaling + " is not supported by the reference");
        }
        float[] embed = ckpt.get(p + "embed_tokens.weight");
        this.vocab = embed.length / hidden;
        this.outputWeight = tied(ckpt) ? embed : ckpt.get(ckpt.layout().lmHead);
        if (outputWeight.length != (long) vocab * hidden) {
            throw new IllegalStateException("the output projection does not have vocab x hidden values");
        }
    }

    /**
     * Whether the output projection is the token embedding: {@code tie_word_embeddings} of the text config (or of
     * the top-level config), true when the checkpoint carries no {@code lm_head} at all.
     */
    private static boolean tied(HfCheckpoint ckpt) {
        JsonNode t = ckpt.textConfig().get("tie_word_embeddings");
        if (t == null || t.isNull()) {
            t = ckpt.config().get("tie_word_embeddings");
        }
        if (t != null && !t.isNull()) {
            return t.asBoolean();
        }
        return !ckpt.has(ckpt.layout().lmHead);
    }

    public static ReferenceLanguageModel of(HfCheckpoint ckpt) {
        return new ReferenceLanguageModel(ckpt);
    }

    public int hidden() {
        return hidden;
    }

    public int vocabularySize() {
        return vocab;
    }

    /** The input embedding of {@code token}. */
    public double[] embed(int token) {
        float[] e = ckpt.get(p + "embed_tokens.weight");
        double[] out = new double[hidden];
        for (int i = 0; i < hidden; i++) {
            out[i] = e[token * hidden + i];
        }
        return out;
    }

    /**
     * Runs the decoder over input embeddings at positions {@code 0..n-1} and returns the logits at the positions
     * {@code outputs} ({@code [outputs.length][vocab]}).
     */
    public double[][] logits(double[][] inputs, int[] outputs) {
        double[][] x = new double[inputs.length][];
        for (int t = 0; t < x.length; t++) {
            x[t] = inputs[t].clone();
        }
        for (int l = 0; l < layers; l++) {
            String lp = p + "layers." + l + ".";
            double[][] a = rmsNorm(x, ckpt.get(lp + "input_layernorm.weight"));
            double[][] q = linear(a, lp + "self_attn.q_proj", heads * headDim);
            double[][] k = linear(a, lp + "self_attn.k_proj", kvHeads * headDim);
            double[][] v = linear(a, lp + "self_attn.v_proj", kvHeads * headDim);
            rope(q, heads);
            rope(k, kvHeads);
            double[][] o = linear(attention(q, k, v), lp + "self_attn.o_proj", hidden);
            addInPlace(x, o);
            double[][] m = rmsNorm(x, ckpt.get(lp + "post_attention_layernorm.weight"));
            double[][] gate = linear(m, lp + "mlp.gate_proj", ffn);
            double[][] up = linear(m, lp + "mlp.up_proj", ffn);
            for (int t = 0; t < gate.length; t++) {
                for (int i = 0; i < ffn; i++) {
                    double g = gate[t][i];
                    gate[t][i] = g / (1 + Math.exp(-g)) * up[t][i]; // SiLU(gate) * up
                }
            }
            addInPlace(x, linear(gate, lp + "mlp.down_proj", hidden));
        }
        float[] norm = ckpt.get(p + "norm.weight");
        double[][] out = new double[outputs.length][];
        for (int i = 0; i < outputs.length; i++) {
            double[] h = rmsNorm(new double[][] {x[outputs[i]]}, norm)[0];
            double[] logits = new double[vocab];
            for (int tok = 0; tok < vocab; tok++) {
                double s = 0;
                int base = tok * hidden;
                for (int d = 0; d < hidden; d++) {
                    s += outputWeight[base + d] * h[d];
                }
                logits[tok] = s;
            }
            out[i] = logits;
        }
        return out;
    }

    /** x * w / sqrt(mean(x^2) + eps), per row. */
    private double[][] rmsNorm(double[][] x, float[] w) {
        double[][] y = new double[x.length][hidden];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double v : x[t]) {
                ss += v * v;
            }
            double inv = 1.0 / Math.sqrt(ss / hidden + eps);
            for (int i = 0; i < hidden; i++) {
                y[t][i] = x[t][i] * inv * w[i];
            }
        }
        return y;
    }

    /** y = x W^T (+ b when the checkpoint has a bias); W is torch {@code [out][in]}. */
    private double[][] linear(double[][] x, String prefix, int out) {
        float[] w = ckpt.get(prefix + ".weight");
        float[] b = ckpt.find(prefix + ".bias");
        int in = x[0].length;
        if (w.length != (long) in * out) {
            throw new IllegalStateException(
                    prefix + ".weight has " + w.length + " values, expected " + out + " x " + in);
        }
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            double[] xt = x[t];
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                int base = o * in;
                for (int i = 0; i < in; i++) {
                    s += w[base + i] * xt[i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    /**
     * Rotary embedding, rotate-half convention: within each head, dimension {@code i < d/2} pairs with
     * {@code i + d/2}, rotated by {@code pos * theta^(-2i/d)}.
     */
    private void rope(double[][] x, int nHeads) {
        int half = headDim / 2;
        for (int pos = 0; pos < x.length; pos++) {
            for (int i = 0; i < half; i++) {
                double angle = pos * Math.pow(ropeTheta, -2.0 * i / headDim);
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                for (int h = 0; h < nHeads; h++) {
                    int a = h * headDim + i;
                    int b = a + half;
                    double xa = x[pos][a];
                    double xb = x[pos][b];
                    x[pos][a] = xa * cos - xb * sin;
                    x[pos][b] = xb * cos + xa * sin;
                }
            }
        }
    }

    /** Causal softmax attention; query head h reads key/value head {@code h / (heads / kvHeads)}. */
    private double[][] attention(double[][] q, double[][] k, double[][] v) {
        int n = q.length;
        int group = heads / kvHeads;
        double scale = 1.0 / Math.sqrt(headDim);
        double[][] out = new double[n][heads * headDim];
        double[] scores = new double[n];
        for (int h = 0; h < heads; h++) {
            int qo = h * headDim;
            int ko = (h / group) * headDim;
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double s = 0;
                    for (int d = 0; d < headDim; d++) {
                        s += q[i][qo + d] * k[j][ko + d];
                    }
                    scores[j] = s * scale;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j <= i; j++) {
                    double wgt = scores[j] / sum;
                    for (int d = 0; d < headDim; d++) {
                        out[i][qo + d] += wgt * v[j][ko + d];
                    }
                }
            }
        }
        return out;
    }

    private static void addInPlace(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) {
            for (int i = 0; i < x[t].length; i++) {
                x[t][i] += y[t][i];
            }
        }
    }
}
