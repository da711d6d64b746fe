package io.safetyguard.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.jni.ClipContext;
import io.safetyguard.llamacpp.internal.vision.ReferenceVisionTower;
import io.safetyguard.llamacpp.internal.vision.ReferenceVisionTower.Variant;
import io.safetyguard.llamacpp.internal.vision.RgbImage;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelOptions;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLIP tower as llama.cpp runs it (with native/patches/0001-llava-cls-first.patch) against an independent Java
 * forward pass of the same tiny weights ({@link ReferenceVisionTower}, from the modeltools branch, unchanged):
 * {@link Variant#HF_REFERENCE} is what CLIPVisionModel + LLaVA's "patch" selection compute (CLS first at position 0,
 * dropped before the projector, the layers {@code clip.vision.feature_layer} names); {@link
 * Variant#UNPATCHED_LLAMA_CPP} is what llama.cpp v0.4.0 computes without the patch (CLS appended last, so the
 * patches shift position and the CLS output reaches the projector, llama.cpp#25814). Without the patch these tests
 * fail (checked by swapping the unpatched libmtmd into the bundle).
 *
 * <p>The reference uses erf-GELU where a converted CLIP has {@code hidden_act="gelu"} and in the projector; ggml uses
 * its tanh form. That difference is documented (docs/models.md) and far below the ordering bug's effect.
 */
class ClsAndFeatureLayerIT {

    @TempDir
    static Path dir;

    private static TinyModelPair withKey; // clip.vision.feature_layer = [2], 2 stored layers
    private static TinyModelPair withKeyOne; // the same weights, feature_layer = [1]
    private static TinyModelPair withoutKey; // the same weights, no feature_layer key
    private static ClipContext clipWithKey;
    private static ClipContext clipWithoutKey;
    private static RgbImage tile;

    @BeforeAll
    static void load() throws Exception {
        NativeBridge.ensureInitialised();
        TinyModelOptions base =
                TinyModelOptions.defaults(TinyModelFlavor.LLAMA_CLIP).withLayers(1, 2);
        withKey = TinyModelGenerator.generate(base.withFeatureLayer(2), dir.resolve("key2"));
        withKeyOne = TinyModelGenerator.generate(base.withFeatureLayer(1), dir.resolve("key1"));
        withoutKey = TinyModelGenerator.generate(base, dir.resolve("nokey"));
        clipWithKey = ClipContext.load(withKey.mmproj(), false, false);
        clipWithoutKey = ClipContext.load(withoutKey.mmproj(), false, false);
        assertThat(clipWithKey.isClosed()).isFalse();
        assertThat(clipWithoutKey.isClosed()).isFalse();
        byte[] px = new byte[28 * 28 * 3];
        new Random(7).nextBytes(px);
        tile = new RgbImage(28, 28, px);
    }

    @AfterAll
    static void free() {
        clipWithKey.close();
        clipWithoutKey.close();
    }

    private static float[] llamaCpp(ClipContext clip, ReferenceVisionTower tower) {
        float[][][] chw = tower.normalize(tile);
        float[] flat = new float[3 * 28 * 28];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 28; y++) {
                System.arraycopy(chw[c][y], 0, flat, (c * 28 + y) * 28, 28);
            }
        }
        return clip.encodeTile(flat, 28, 1);
    }

    @Test
    void theClassTokenComesFirstAndNeverReachesTheProjector() throws Exception {
        ReferenceVisionTower tower = ReferenceVisionTower.load(withKey.mmproj());
        float[] got = llamaCpp(clipWithKey, tower);
        float[] expected = flat(tower.encode(tile, Variant.HF_REFERENCE));
        float[] unpatched = flat(tower.encode(tile, Variant.UNPATCHED_LLAMA_CPP));

        double error = maxAbsDiff(got, expected);
        double unpatchedGap = maxAbsDiff(unpatched, expected);
        System.out.printf(
                "llama-clip feature_layer=2: llama.cpp vs reference %.2e, unpatched vs reference %.2e "
                        + "(max abs difference / max abs reference value)%n",
                error / maxAbs(expected), unpatchedGap / maxAbs(expected));
        assertThat(unpatchedGap)
                .as("the unpatched ordering changes the embeddings")
                .isGreaterThan(50 * error);
        // f16 rounding inside ggml: measured 1.5e-4 of the largest value; the bound leaves about 3x margin
        assertThat(error).as("llama.cpp vs the reference forward").isLessThan(5e-4 * maxAbs(expected));
        assertThat(maxAbsDiff(got, unpatched))
                .as("llama.cpp does not behave like the unpatched ordering")
                .isGreaterThan(unpatchedGap / 2);
    }

    @Test
    void theFeatureLayerKeyRunsEveryStoredLayerAndItsAbsenceOneFewer() throws Exception {
        ReferenceVisionTower two = ReferenceVisionTower.load(withKey.mmproj());
        ReferenceVisionTower one = ReferenceVisionTower.load(withKeyOne.mmproj());
        float[] referenceTwo = flat(two.encode(tile, Variant.HF_REFERENCE));
        float[] referenceOne = flat(one.encode(tile, Variant.HF_REFERENCE));

        // feature_layer = [2]: both stored layers, as the reference reads them
        float[] got = llamaCpp(clipWithKey, two);
        assertThat(maxAbsDiff(got, referenceTwo)).isLessThan(maxAbsDiff(got, referenceOne) / 50);

        // no key: llama.cpp v0.4.0 stops one layer short (llama.cpp#25817), i.e. computes feature layer [1] -
        // why the mmproj must carry the key (the converter writes it; the model-pair check warns without it)
        float[] gotPlain = llamaCpp(clipWithoutKey, two);
        assertThat(maxAbsDiff(gotPlain, referenceOne)).isLessThan(maxAbsDiff(gotPlain, referenceTwo) / 50);
    }

    private static float[] flat(float[][] rows) {
        int dim = rows[0].length;
        float[] out = new float[rows.length * dim];
        for (int t = 0; t < rows.length; t++) {
            System.arraycopy(rows[t], 0, out, t * dim, dim);
        }
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
