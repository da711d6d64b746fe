package io.safetyguard.llamacpp.internal.vision;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.NativeTileEmbeddings;
import io.safetyguard.llamacpp.internal.vision.ReferenceVisionTower.Variant;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelOptions;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validates {@link ReferenceVisionTower} against the native encoder of the pinned llama.cpp as SafetyGuard builds it
 * (with the CLS-first patch) on the tiny towers: CLIP towers now follow the reference's CLS ordering
 * (llama.cpp#25814), and without {@code clip.vision.feature_layer} llama.cpp still runs one layer short
 * (llama.cpp#25817, handled by metadata).
 *
 * <p>Errors are relative to the largest output magnitude. llama.cpp rounds matmul inputs and GELU arguments to f16
 * on CPU; measured agreement is 1.5e-4 or better. The random tiny layers are close to identity (weights N(0, 0.02)
 * on a residual stream), so a missing layer moves the output by about 1e-2, while the CLS ordering moves it by
 * about 0.5 (measured on these seeds; the test prints the numbers).
 */
class ReferenceVisionTowerIT {

    /** Agreement: what f16 rounding inside ggml leaves (measured 4.2e-5 SigLIP, 1.5e-4 CLIP; about 3x margin). */
    private static final double SAME = 5e-4;
    /** One layer more or less (measured 1.1e-2). */
    private static final double LAYER_MISSING = 5e-3;
    /** Another token layout: patch 0 lost, CLS projected, positions shifted (measured 0.55). */
    private static final double OTHER_TOKENS = 0.1;

    @TempDir
    Path dir;

    @Test
    void siglipTowerWithFeatureLayerMatchesNativeInBothVariants() throws IOException {
        Encoded e =
                encode(TinyModelOptions.defaults(TinyModelFlavor.QWEN2_SIGLIP).withFeatureLayer(2));

        assertThat(e.reference.length).isEqualTo(4).isEqualTo(e.nativeRows.length);
        assertThat(relativeError(e.unpatched, e.nativeRows)).isLessThan(SAME);
        // no CLS, all layers run: only the projector's erf-vs-tanh GELU separates HF from llama.cpp here
        assertThat(relativeError(e.reference, e.nativeRows)).isLessThan(SAME);
    }

    @Test
    void siglipTowerWithoutFeatureLayerRunsOneLayerShortNatively() throws IOException {
        Encoded e = encode(TinyModelOptions.defaults(TinyModelFlavor.QWEN2_SIGLIP));

        assertThat(relativeError(e.unpatched, e.nativeRows)).isLessThan(SAME);
        assertThat(relativeError(e.reference, e.nativeRows)).isGreaterThan(LAYER_MISSING);
    }

    @Test
    void clipTowerWithTheBuildPatchPutsTheClsTokenFirstAsTheReference() throws IOException {
        // feature_layer set, so the layer count agrees and only the CLS ordering (llama.cpp#25814) could differ;
        // the build applies native/patches/0001-llava-cls-first.patch, so native must follow the reference, not the bug
        Encoded e = encode(TinyModelOptions.defaults(TinyModelFlavor.LLAMA_CLIP).withFeatureLayer(2));

        assertThat(e.nativeRows.length).isEqualTo(4).isEqualTo(e.reference.length);
        assertThat(relativeError(e.reference, e.nativeRows)).isLessThan(SAME);
        assertThat(relativeError(e.unpatched, e.nativeRows)).isGreaterThan(OTHER_TOKENS);
    }

    @Test
    void clipTowerWithoutFeatureLayerStillRunsOneLayerShort() throws IOException {
        // llama.cpp#25817 is handled by metadata (set-meta writes clip.vision.feature_layer), not patched:
        // without the key native has the reference's token order but one layer fewer
        Encoded e = encode(TinyModelOptions.defaults(TinyModelFlavor.LLAMA_CLIP));

        assertThat(relativeError(e.reference, e.nativeRows))
                .isGreaterThan(LAYER_MISSING)
                .isLessThan(OTHER_TOKENS);
        assertThat(relativeError(e.unpatched, e.nativeRows)).isGreaterThan(OTHER_TOKENS);
    }

    @Test
    void variantsAgreeWhereTheBugsDoNotApply() throws IOException {
        // pure Java: a SigLIP tower with feature_layer differs only in the projector GELU (erf vs tanh)
        TinyModelPair pair = TinyModelGenerator.generate(
                TinyModelOptions.defaults(TinyModelFlavor.QWEN2_SIGLIP).withFeatureLayer(2), dir.resolve("s"));
        ReferenceVisionTower tower = ReferenceVisionTower.load(pair.mmproj());
        float[][][] chw = tower.normalize(tile(tower.imageSize(), 3));
        assertThat(relativeError(
                        tower.encode(chw, Variant.HF_REFERENCE), tower.encode(chw, Variant.UNPATCHED_LLAMA_CPP)))
                .isLessThan(SAME);
    }

    private record Encoded(float[][] reference, float[][] unpatched, float[][] nativeRows) {}

    private Encoded encode(TinyModelOptions options) throws IOException {
        TinyModelPair pair = TinyModelGenerator.generate(
                options, dir.resolve(options.flavor().cliName()));
        ReferenceVisionTower tower = ReferenceVisionTower.load(pair.mmproj());
        RgbImage tile = tile(tower.imageSize(), 7);
        float[][][] chw = tower.normalize(tile);
        Encoded e = new Encoded(
                tower.encode(chw, Variant.HF_REFERENCE),
                tower.encode(chw, Variant.UNPATCHED_LLAMA_CPP),
                NativeTileEmbeddings.encodeFirstImageChunk(pair.model(), pair.mmproj(), tile));
        System.out.printf(
                "%s feature_layer=%s: unpatched vs native %.2e, reference vs native %.2e%n",
                options.flavor().cliName(),
                options.featureLayer(),
                relativeError(e.unpatched, e.nativeRows),
                relativeError(e.reference, e.nativeRows));
        return e;
    }

    static RgbImage tile(int size, long seed) {
        byte[] px = new byte[size * size * 3];
        new Random(seed).nextBytes(px);
        return new RgbImage(size, size, px);
    }

    /** max |a - b| / max |b|; infinite when the shapes differ. */
    static double relativeError(float[][] a, float[][] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int t = 0; t < a.length; t++) {
            if (a[t].length != b[t].length) {
                return Double.POSITIVE_INFINITY;
            }
            for (int i = 0; i < a[t].length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[t][i] - b[t][i]));
                maxRef = Math.max(maxRef, Math.abs(b[t][i]));
            }
        }
        return maxDiff / maxRef;
    }
}
