package io.safetyguard.llamacpp.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.internal.vision.FeaturePacker;
import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout;
import io.safetyguard.llamacpp.internal.vision.ImageTokenPlanner;
import io.safetyguard.llamacpp.internal.vision.VisionGeometry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reference's own {@code pack_image_features} ({@link ReferenceLlava#packOneVision}) and SafetyGuard's
 * {@link FeaturePacker} are written independently; on random tile features they must lay out the same tokens for
 * plain anyres and for the {@code anyres_max} downscale (which SafetyGuard plans, and the reference recomputes).
 */
class OneVisionPackingTest {

    private static final int DIM = 3;

    @ParameterizedTest(name = "{0}x{1} {2}")
    @CsvSource({
        "28,28,anyres",
        "56,28,anyres",
        "28,56,anyres",
        "60,40,anyres",
        "40,60,anyres",
        "70,30,anyres",
        "640,480,anyres",
        "56,56,anyres_max_1",
        "60,40,anyres_max_1",
        "30,90,anyres_max_1",
        "84,84,anyres_max_2",
        "100,37,anyres_max_2"
    })
    void referencePackingEqualsSafetyGuards(int width, int height, String aspect) {
        VisionGeometry geometry = VisionGeometry.fromMmprojMetadata(
                28, 14, new int[] {28, 28, 28, 56, 56, 28, 56, 56, 28, 84, 84, 28, 84, 84}, aspect);
        ImageTokenLayout layout = ImageTokenPlanner.plan(geometry, width, height);
        Random r = new Random(width * 31L + height);
        List<float[][]> tiles = new ArrayList<>();
        List<float[]> flat = new ArrayList<>();
        for (int t = 0; t < layout.tileCount(); t++) {
            float[][] f = new float[4][DIM];
            float[] g = new float[4 * DIM];
            for (int i = 0; i < 4; i++) {
                for (int d = 0; d < DIM; d++) {
                    f[i][d] = (float) r.nextGaussian();
                    g[i * DIM + d] = f[i][d];
                }
            }
            tiles.add(f);
            flat.add(g);
        }
        float[] newline = {7f, 8f, 9f};
        float[][] ref = ReferenceLlava.packOneVision(
                tiles, 2, layout.gridRows(), layout.gridCols(), width, height, geometry.anyresMaxTiles(), newline);
        float[] sg = FeaturePacker.pack(geometry, layout, flat, newline, DIM);

        assertThat(ref.length).as(layout.describe()).isEqualTo(layout.totalTokens());
        for (int t = 0; t < ref.length; t++) {
            for (int d = 0; d < DIM; d++) {
                assertThat((double) ref[t][d])
                        .as("token %d of %s", t, layout.describe())
                        .isCloseTo(sg[t * DIM + d], org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }
}
