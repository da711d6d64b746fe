package io.safetyguard.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.ClipTowerForward.ClsPlacement;
import io.safetyguard.llamacpp.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tiny.TinyModelOptions;
import io.safetyguard.llamacpp.tiny.TinyModelPair;
import io.safetyguard.llamacpp.vision.Preprocess;
import io.safetyguard.llamacpp.vision.RgbImage;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLIP tower as llama.cpp runs it (with native/patches/0001-llava-cls-first.patch) against an independent Java
 * forward pass of the same tiny weights ({@link ClipTowerForward}), as CLIPVisionModel + LLaVA's "patch" feature
 * selection define it: CLS first at position 0, patches at 1..n, CLS dropped before the projector, and exactly the
 * layers {@code clip.vision.feature_layer} names.
 *
 * <p>Each test also computes what unpatched llama.cpp v0.4.0 does (CLS appended after the patches, so the patches
 * take positions 0..n-1 and the CLS output reaches the projector, llama.cpp#25814) and checks that it is far from
 * what the shim returns: without the patch these tests fail.
 */
class ClsAndFeatureLayerTest {

    @TempDir static Path dir;

    private static TinyModelPair withKey;     // clip.vision.feature_layer = [2], 2 stored layers
    private static TinyModelPair withoutKey;  // no feature_layer key, 2 stored layers
    private static long clipWithKey;
    private static long clipWithoutKey;
    private static float[] tile;

    @BeforeAll
    static void load() throws Exception {
        NativeBridge.ensureInitialised();
        TinyModelOptions base = TinyModelOptions.defaults(TinyModelFlavor.LLAMA_CLIP).withLayers(1, 2);
        withKey = TinyModelGenerator.generate(base.withFeatureLayer(2), dir.resolve("key"));
        withoutKey = TinyModelGenerator.generate(base, dir.resolve("nokey"));
        clipWithKey = NativeBridge.clipInit(NativeBridge.utf8(withKey.mmproj().toString()), false, false);
        clipWithoutKey = NativeBridge.clipInit(NativeBridge.utf8(withoutKey.mmproj().toString()), false, false);
        assertThat(clipWithKey).isNotZero();
        assertThat(clipWithoutKey).isNotZero();
        byte[] px = new byte[28 * 28 * 3];
        new Random(7).nextBytes(px);
        tile = Preprocess.normalizeChw(new RgbImage(28, 28, px), Preprocess.SIGLIP_MEAN, Preprocess.SIGLIP_STD);
    }

    @AfterAll
    static void free() {
        NativeBridge.clipFree(clipWithKey);
        NativeBridge.clipFree(clipWithoutKey);
    }

    @Test
    void theClassTokenComesFirstAndNeverReachesTheProjector() throws Exception {
        ClipTowerForward reference = new ClipTowerForward(withKey.mmproj());
        float[] got = NativeBridge.clipEncodeTile(clipWithKey, tile, 28, 1);
        float[] expected = reference.encode(tile, 2, ClsPlacement.FIRST);
        float[] unpatched = reference.encode(tile, 2, ClsPlacement.LAST_AS_UNPATCHED_LLAMA_CPP);

        assertThat(got).hasSameSizeAs(expected);
        double error = maxAbsDiff(got, expected);
        double unpatchedGap = maxAbsDiff(unpatched, expected);
        // f16 weights and llama.cpp's f16 matmuls leave small rounding; the ordering bug moves every token
        assertThat(unpatchedGap).as("the unpatched ordering changes the embeddings").isGreaterThan(50 * error);
        assertThat(error).as("llama.cpp vs the reference forward").isLessThan(0.02 * maxAbs(expected));
        assertThat(maxAbsDiff(got, unpatched)).as("llama.cpp does not behave like the unpatched ordering")
                .isGreaterThan(unpatchedGap / 2);
    }

    @Test
    void theFeatureLayerKeyRunsEveryStoredLayerAndItsAbsenceOneFewer() throws Exception {
        // with clip.vision.feature_layer = [2]: both stored layers, as hidden_states[-2] of the original tower
        ClipTowerForward keyed = new ClipTowerForward(withKey.mmproj());
        float[] got = NativeBridge.clipEncodeTile(clipWithKey, tile, 28, 1);
        float[] twoLayers = keyed.encode(tile, 2, ClsPlacement.FIRST);
        float[] oneLayer = keyed.encode(tile, 1, ClsPlacement.FIRST);
        assertThat(maxAbsDiff(got, twoLayers)).isLessThan(maxAbsDiff(got, oneLayer) / 50);

        // without the key llama.cpp v0.4.0 stops one layer short (llama.cpp#25817): why the mmproj needs the key
        ClipTowerForward plain = new ClipTowerForward(withoutKey.mmproj());
        float[] gotPlain = NativeBridge.clipEncodeTile(clipWithoutKey, tile, 28, 1);
        float[] plainOne = plain.encode(tile, 1, ClsPlacement.FIRST);
        float[] plainTwo = plain.encode(tile, 2, ClsPlacement.FIRST);
        assertThat(maxAbsDiff(gotPlain, plainOne)).isLessThan(maxAbsDiff(gotPlain, plainTwo) / 50);
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
