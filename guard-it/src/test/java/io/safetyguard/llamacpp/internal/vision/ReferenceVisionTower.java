package io.safetyguard.llamacpp.internal.vision;

import io.safetyguard.llamacpp.internal.gguf.Float16;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A plain-Java forward pass of a (tiny) LLaVA vision tower plus its {@code mlp2x_gelu} projector, read from an
 * mmproj GGUF with F16/F32 tensors ({@link #load}) or from any {@link TensorSource} named as in an mmproj (e.g. a
 * Hugging Face checkpoint: {@code io.safetyguard.llamacpp.reference.HfVisionTower}). Test utility: slow (naive loops
 * in double precision), meant for towers of a few dozen channels.
 *
 * <p>{@link Variant#HF_REFERENCE} computes what the Hugging Face reference computes for one normalised tile:
 * <ul>
 *   <li>a CLIP tower ({@code v.class_embd} present): patch conv, the class token FIRST, position embeddings
 *       {@code 0..n} over {@code [CLS, patch 0..n-1]}, pre-layernorm, encoder layers with quick-GELU (or erf GELU
 *       when {@code clip.use_gelu}: a converted {@code hidden_act="gelu"}), {@code hidden_states[feature layer]},
 *       then the CLS row dropped (LLaVA's {@code select_feature="patch"/"default"});</li>
 *   <li>a SigLIP tower (no class embedding): patch conv, positions {@code 0..n-1}, no pre-layernorm, tanh GELU
 *       ({@code gelu_pytorch_tanh}), {@code hidden_states[feature layer]} without post-layernorm, all rows kept
 *       (LLaVA-OneVision's {@code "full"} selection of a tower whose last layer was removed);</li>
 *   <li>then the projector {@code mm.0 -> GELU(erf) -> mm.2} (transformers' {@code LlavaMultiModalProjector} with
 *       {@code projector_hidden_act="gelu"}).</li>
 * </ul>
 * The feature layer is {@code clip.vision.feature_layer} when set, otherwise all stored blocks: the legacy
 * converter stores exactly the layers LLaVA reads (it drops the ones after {@code vision_feature_layer}).
 *
 * <p>{@link Variant#UNPATCHED_LLAMA_CPP} reproduces {@code tools/mtmd/models/llava.cpp} of the pinned llama.cpp,
 * bugs included: the class token is appended LAST, positions {@code 0..n} run over {@code [patch 0..n-1, CLS]}
 * and the rows {@code 1..n} are projected, so patch 0 is lost and the CLS row reaches the LLM
 * (ggml-org/llama.cpp#25814); without {@code clip.vision.feature_layer} it runs {@code block_count - 1} blocks
 * (ggml-org/llama.cpp#25817); GELU is ggml's tanh form everywhere ({@code clip.use_gelu}) or quick-GELU.
 * Comparing both variants with llama.cpp's own output shows which of the two a build computes.
 */
public final class ReferenceVisionTower {

    /** Which computation {@link #encode} performs. */
    public enum Variant {
        /** What transformers' LLaVA / LLaVA-OneVision computes. */
        HF_REFERENCE,
        /** What llama.cpp v0.4.0's llava graph computes, with upstream issues ggml-org/llama.cpp#25814 and #25817. */
        UNPATCHED_LLAMA_CPP
    }

    private static final double QUICK_GELU_COEF = 1.702;

    /** Where the tower's tensors come from, by their mmproj GGUF names ({@code v.blk.0.attn_q.weight}, {@code mm.0.bias}). */
    @FunctionalInterface
    public interface TensorSource {
        /** The tensor in torch order ({@code [out][in]} for linears), as floats; null when there is none. */
        float[] find(String ggufName);
    }

    /**
     * The tower's shape and the Hugging Face semantics it follows.
     *
     * @param imageSize     tile side in pixels
     * @param patchSize     patch side in pixels
     * @param width         hidden width of the tower
     * @param heads         attention heads
     * @param blocks        encoder layers available
     * @param projectionDim output width of the projector
     * @param eps           layer-norm epsilon
     * @param useGelu       {@code clip.use_gelu}: which GELU the unpatched llama.cpp variant runs
     * @param featureLayer  {@code hidden_states} index the features come from (= layers run); empty: all blocks
     *                      (HF) or {@code blocks - 1} (unpatched llama.cpp)
     * @param hfActivation  the encoder's {@code hidden_act} as the HF variant computes it
     * @param dropFirstRow  LLaVA's {@code vision_feature_select_strategy == "default"}: drop row 0 (the CLS)
     * @param mean          per-channel normalisation mean
     * @param std           per-channel normalisation std
     */
    public record Config(
            int imageSize,
            int patchSize,
            int width,
            int heads,
            int blocks,
            int projectionDim,
            double eps,
            boolean useGelu,
            Optional<Integer> featureLayer,
            Activation hfActivation,
            boolean dropFirstRow,
            float[] mean,
            float[] std) {}

    private final TensorSource tensors;
    private final Config config;
    private final int imageSize;
    private final int patchSize;
    private final int width;
    private final int heads;
    private final int blocks;
    private final int projectionDim;
    private final double eps;
    private final boolean useGelu;
    private final Optional<Integer> featureLayer;
    private final float[] imageMean;
    private final float[] imageStd;

    /** A tower over any tensor source (e.g. a Hugging Face checkpoint read directly). */
    public ReferenceVisionTower(Config config, TensorSource tensors) {
        this.config = config;
        this.tensors = tensors;
        this.imageSize = config.imageSize();
        this.patchSize = config.patchSize();
        this.width = config.width();
        this.heads = config.heads();
        this.blocks = config.blocks();
        this.projectionDim = config.projectionDim();
        this.eps = config.eps();
        this.useGelu = config.useGelu();
        this.featureLayer = config.featureLayer();
        this.imageMean = config.mean();
        this.imageStd = config.std();
    }

    private static Config configOf(GgufFile file, boolean hasCls) throws IOException {
        Optional<int[]> fl = file.findInt32Array(ModelKeys.FEATURE_LAYER);
        if (fl.isPresent() && fl.get().length != 1) {
            throw new IllegalArgumentException(
                    "only a single feature layer is supported (LLaVA), got " + java.util.Arrays.toString(fl.get()));
        }
        if (!file.getString(ModelKeys.PROJECTOR_TYPE).equals(ModelKeys.PROJECTOR_MLP)) {
            throw new IllegalArgumentException("only the 'mlp' projector is supported");
        }
        boolean useGelu = file.findBool(ModelKeys.USE_GELU).orElse(false);
        // SigLIP: gelu_pytorch_tanh whatever the converter wrote; CLIP: gelu (erf) when use_gelu, else quick_gelu
        Activation hf = !hasCls ? Activation.GELU_TANH : useGelu ? Activation.GELU_ERF : Activation.GELU_QUICK;
        return new Config(
                Math.toIntExact(file.getU32(ModelKeys.IMAGE_SIZE)),
                Math.toIntExact(file.getU32(ModelKeys.PATCH_SIZE)),
                Math.toIntExact(file.getU32(ModelKeys.VISION_EMBEDDING_LENGTH)),
                Math.toIntExact(file.getU32(ModelKeys.VISION_HEAD_COUNT)),
                Math.toIntExact(file.getU32(ModelKeys.VISION_BLOCK_COUNT)),
                Math.toIntExact(file.getU32(ModelKeys.VISION_PROJECTION_DIM)),
                file.getF32(ModelKeys.VISION_LAYER_NORM_EPSILON),
                useGelu,
                fl.map(a -> a[0]),
                hf,
                hasCls,
                file.getFloatArray(ModelKeys.IMAGE_MEAN),
                file.getFloatArray(ModelKeys.IMAGE_STD));
    }

    /** Reads every tensor of an mmproj (F16 or F32 only) into memory. */
    public static ReferenceVisionTower load(Path mmproj) throws IOException {
        GgufFile file = GgufReader.read(mmproj);
        Map<String, float[]> tensors = new HashMap<>();
        for (GgufTensorInfo t : file.tensors()) {
            tensors.put(t.name(), toFloats(t, file.readTensorBytes(t.name())));
        }
        return new ReferenceVisionTower(configOf(file, tensors.containsKey(ModelKeys.CLASS_EMBEDDING)), tensors::get);
    }

    private static float[] toFloats(GgufTensorInfo t, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[Math.toIntExact(t.elementCount())];
        if (t.type() == GgmlType.F32) {
            b.asFloatBuffer().get(out);
        } else if (t.type() == GgmlType.F16) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Float16.toFloat(b.getShort());
            }
        } else {
            throw new IllegalArgumentException(
                    "tensor " + t.name() + " is " + t.type() + "; only F16/F32 are supported");
        }
        return out;
    }

    /** Side of the square tile the tower takes, in pixels. */
    public int imageSize() {
        return imageSize;
    }

    /** The per-channel normalisation mean (e.g. for LLaVA-1.5's pad colour). */
    public float[] normalizeMean() {
        return imageMean.clone();
    }

    /** Width of the projected embeddings (the text model's embedding width). */
    public int projectionDim() {
        return projectionDim;
    }

    /** Whether this is a CLIP tower (class embedding) rather than SigLIP. */
    public boolean hasClassToken() {
        return tensors.find(ModelKeys.CLASS_EMBEDDING) != null;
    }

    /**
     * Normalises packed RGB of exactly {@link #imageSize()} square to CHW, {@code (v/255 - mean) / std} per channel
     * with the mmproj's mean and std, as both the HF processor and libmtmd do for an image already of tile size.
     */
    public float[][][] normalize(RgbImage tile) {
        if (tile.width() != imageSize || tile.height() != imageSize) {
            throw new IllegalArgumentException(
                    "tile must be " + imageSize + "x" + imageSize + ", got " + tile.width() + "x" + tile.height());
        }
        float[][][] chw = new float[3][imageSize][imageSize];
        byte[] px = tile.rgb();
        for (int y = 0; y < imageSize; y++) {
            for (int x = 0; x < imageSize; x++) {
                for (int c = 0; c < 3; c++) {
                    float v = (px[(y * imageSize + x) * 3 + c] & 0xFF) / 255f;
                    chw[c][y][x] = (v - imageMean[c]) / imageStd[c];
                }
            }
        }
        return chw;
    }

    /** {@link #encode(float[][][], Variant)} of {@link #normalize(RgbImage) normalize(tile)}. */
    public float[][] encode(RgbImage tile, Variant variant) {
        return encode(normalize(tile), variant);
    }

    /**
     * Encodes one normalised CHW tile into the rows the LLM receives: {@code [tokens][projectionDim]}, tokens in
     * raster order of the patches (plus, for the unpatched variant of a CLIP tower, the CLS row last).
     */
    public float[][] encode(float[][][] chw, Variant variant) {
        int side = imageSize / patchSize;
        int nPatches = side * side;
        double[][] patches = patchEmbeddings(chw, side);
        boolean cls = hasClassToken();

        // token order and position ids
        double[][] h = new double[nPatches + (cls ? 1 : 0)][];
        if (cls && variant == Variant.HF_REFERENCE) {
            h[0] = toDouble(tensor(ModelKeys.CLASS_EMBEDDING));
            System.arraycopy(patches, 0, h, 1, nPatches);
        } else {
            System.arraycopy(patches, 0, h, 0, nPatches);
            if (cls) {
                h[nPatches] = toDouble(tensor(ModelKeys.CLASS_EMBEDDING)); // llama.cpp#25814: CLS appended last
            }
        }
        float[] pos = tensor("v.position_embd.weight");
        for (int t = 0; t < h.length; t++) {
            for (int i = 0; i < width; i++) {
                h[t][i] += pos[t * width + i]; // positions 0..n in order, whatever the token order
            }
        }
        if (tensors.find("v.pre_ln.weight") != null) {
            h = layerNorm(h, tensor("v.pre_ln.weight"), tensor("v.pre_ln.bias"));
        }

        int layers = featureLayer.orElse(variant == Variant.HF_REFERENCE ? blocks : blocks - 1); // llama.cpp#25817
        if (layers < 0 || layers > blocks) {
            throw new IllegalStateException("feature layer " + layers + " outside 0.." + blocks);
        }
        Activation ffnAct = encoderActivation(variant);
        for (int il = 0; il < layers; il++) {
            h = block(h, "v.blk." + il + ".", ffnAct);
        }

        // which rows reach the projector
        double[][] selected;
        boolean drop = variant == Variant.HF_REFERENCE ? config.dropFirstRow() : cls;
        if (!drop) {
            selected = h;
        } else {
            // HF drops row 0 (the CLS); llama.cpp takes rows 1..n of [patches..., CLS]: patch 0 lost, CLS kept
            selected = java.util.Arrays.copyOfRange(h, 1, h.length);
        }
        Activation projAct = variant == Variant.HF_REFERENCE ? Activation.GELU_ERF : Activation.GELU_TANH;
        double[][] p = linear(selected, "mm.0");
        apply(p, projAct);
        p = linear(p, "mm.2");
        float[][] out = new float[p.length][projectionDim];
        for (int t = 0; t < p.length; t++) {
            for (int i = 0; i < projectionDim; i++) {
                out[t][i] = (float) p[t][i];
            }
        }
        return out;
    }

    private Activation encoderActivation(Variant variant) {
        if (variant == Variant.UNPATCHED_LLAMA_CPP) {
            return useGelu ? Activation.GELU_TANH : Activation.GELU_QUICK;
        }
        return config.hfActivation();
    }

    // ---- building blocks ----------------------------------------------------------------------------------

    private double[][] patchEmbeddings(float[][][] chw, int side) {
        if (chw.length != 3 || chw[0].length != imageSize || chw[0][0].length != imageSize) {
            throw new IllegalArgumentException("expected a 3x" + imageSize + "x" + imageSize + " tile");
        }
        // v.patch_embd.weight has ggml ne [P, P, 3, width]: torch [width][3][P][P]
        float[] w = tensor("v.patch_embd.weight");
        float[] bias = tensors.find("v.patch_embd.bias");
        int ps = patchSize;
        double[][] out = new double[side * side][width];
        for (int py = 0; py < side; py++) {
            for (int px = 0; px < side; px++) {
                double[] o = out[py * side + px];
                for (int oc = 0; oc < width; oc++) {
                    double s = bias == null ? 0 : bias[oc];
                    for (int c = 0; c < 3; c++) {
                        for (int ky = 0; ky < ps; ky++) {
                            int base = ((oc * 3 + c) * ps + ky) * ps;
                            for (int kx = 0; kx < ps; kx++) {
                                s += w[base + kx] * (double) chw[c][py * ps + ky][px * ps + kx];
                            }
                        }
                    }
                    o[oc] = s;
                }
            }
        }
        return out;
    }

    /** One pre-norm encoder layer: x + attn(ln1(x)), then x + ffn(ln2(x)). */
    private double[][] block(double[][] x, String p, Activation act) {
        double[][] a = layerNorm(x, tensor(p + "ln1.weight"), tensor(p + "ln1.bias"));
        double[][] attn = linear(
                attention(linear(a, p + "attn_q"), linear(a, p + "attn_k"), linear(a, p + "attn_v")), p + "attn_out");
        double[][] r = add(x, attn);
        double[][] f = layerNorm(r, tensor(p + "ln2.weight"), tensor(p + "ln2.bias"));
        f = linear(f, p + "ffn_up");
        apply(f, act);
        f = linear(f, p + "ffn_down");
        return add(r, f);
    }

    private double[][] attention(double[][] q, double[][] k, double[][] v) {
        int n = q.length;
        int dHead = width / heads;
        double scale = 1.0 / Math.sqrt(dHead);
        double[][] out = new double[n][width];
        double[] scores = new double[n];
        for (int hd = 0; hd < heads; hd++) {
            int off = hd * dHead;
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int d = 0; d < dHead; d++) {
                        s += q[i][off + d] * k[j][off + d];
                    }
                    scores[j] = s * scale;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j < n; j++) {
                    double wgt = scores[j] / sum;
                    for (int d = 0; d < dHead; d++) {
                        out[i][off + d] += wgt * v[j][off + d];
                    }
                }
            }
        }
        return out;
    }

    /** y = W x + b for every row; W has ggml ne [in, out], i.e. torch [out][in]. */
    private double[][] linear(double[][] x, String prefix) {
        float[] w = tensor(prefix + ".weight");
        float[] b = tensors.find(prefix + ".bias");
        int in = x[0].length;
        if (w.length % in != 0) {
            throw new IllegalStateException(prefix + ".weight does not take " + in + " inputs");
        }
        int outDim = w.length / in;
        double[][] y = new double[x.length][outDim];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < outDim; o++) {
                double s = b == null ? 0 : b[o];
                int base = o * in;
                for (int i = 0; i < in; i++) {
                    s += w[base + i] * x[t][i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private double[][] layerNorm(double[][] x, float[] w, float[] b) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= x[t].length;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[t].length;
            double inv = 1.0 / Math.sqrt(var + eps);
            y[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) {
                y[t][i] = (x[t][i] - mean) * inv * w[i] + b[i];
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][];
        for (int t = 0; t < a.length; t++) {
            y[t] = new double[a[t].length];
            for (int i = 0; i < a[t].length; i++) {
                y[t][i] = a[t][i] + b[t][i];
            }
        }
        return y;
    }

    private static void apply(double[][] x, Activation act) {
        for (double[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = act.apply(row[i]);
            }
        }
    }

    private float[] tensor(String name) {
        float[] t = tensors.find(name);
        if (t == null) {
            throw new IllegalStateException("the tower has no tensor " + name);
        }
        return t;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** The activations involved. */
    public enum Activation {
        /** x * sigmoid(1.702 x): CLIP's quick_gelu, ggml_gelu_quick. */
        GELU_QUICK {
            @Override
            public double apply(double x) {
                return x / (1 + Math.exp(-QUICK_GELU_COEF * x));
            }
        },
        /** The tanh approximation: gelu_pytorch_tanh, ggml_gelu. */
        GELU_TANH {
            @Override
            public double apply(double x) {
                return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            }
        },
        /** The exact form, 0.5 x (1 + erf(x / sqrt 2)): torch's nn.GELU() / ACT2FN["gelu"]. */
        GELU_ERF {
            @Override
            public double apply(double x) {
                return 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
            }
        };

        public abstract double apply(double x);
    }

    /** erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, far below float rounding here). */
    public static final class Erf {
        private Erf() {}

        public static double erf(double x) {
            double t = 1 / (1 + 0.3275911 * Math.abs(x));
            double poly =
                    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
            double y = 1 - poly * Math.exp(-x * x);
            return x >= 0 ? y : -y;
        }
    }
}
