package io.safetyguard.llamacpp.internal.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VisionGeometryTest {

    @Test
    void oneVisionFactoryIsSiglip384WithThe36PinpointsInReferenceOrder() {
        VisionGeometry g = VisionGeometry.llavaOneVisionSiglip384();
        assertThat(g.imageSize()).isEqualTo(384);
        assertThat(g.patchSize()).isEqualTo(14);
        assertThat(g.patchesPerSide()).isEqualTo(27);
        assertThat(g.tokensPerTile()).isEqualTo(729);
        assertThat(g.anyresMaxTiles()).isEqualTo(9);
        assertThat(g.aspectRatioMode()).isEqualTo("anyres_max_9");
        assertThat(g.isAnyres()).isTrue();
        assertThat(g.gridPinpoints()).hasSize(36);
        // LlavaOnevisionImageProcessor lists [384, 384], [384, 768], ... [384, 2304], [768, 384], ... as [h, w].
        assertThat(g.gridPinpoints().get(0)).isEqualTo(Resolution.ofHeightWidth(384, 384));
        assertThat(g.gridPinpoints().get(1)).isEqualTo(Resolution.ofHeightWidth(384, 768));
        assertThat(g.gridPinpoints().get(5)).isEqualTo(Resolution.ofHeightWidth(384, 2304));
        assertThat(g.gridPinpoints().get(6)).isEqualTo(Resolution.ofHeightWidth(768, 384));
        assertThat(g.gridPinpoints().get(35)).isEqualTo(Resolution.of(2304, 2304));
        assertThat(g.maxGridTiles()).isEqualTo(36);
        assertThat(g.describe()).contains("anyres_max_9").contains("729");
    }

    @Test
    void llava15FactoryIsOnePaddedClipTile() {
        VisionGeometry g = VisionGeometry.llava15Clip336();
        assertThat(g.imageSize()).isEqualTo(336);
        assertThat(g.patchesPerSide()).isEqualTo(24);
        assertThat(g.tokensPerTile()).isEqualTo(576);
        assertThat(g.padToSquare()).isTrue();
        assertThat(g.gridPinpoints()).isEmpty();
        assertThat(g.maxGridTiles()).isZero();
        assertThat(g.aspectRatioMode()).isEqualTo("pad");
    }

    @Test
    void llavaNextFactoryIsPlainAnyres() {
        VisionGeometry g = VisionGeometry.llavaNextClip336();
        assertThat(g.anyresMaxTiles()).isZero();
        assertThat(g.aspectRatioMode()).isEqualTo("anyres");
        assertThat(g.gridPinpoints())
                .containsExactly(
                        Resolution.of(672, 336),
                        Resolution.of(336, 672),
                        Resolution.of(672, 672),
                        Resolution.of(336, 1008),
                        Resolution.of(1008, 336));
        assertThat(g.maxGridTiles()).isEqualTo(4);
    }

    @Test
    void fromMetadataReadsPairsAsHeightWidthAndTheAspectRatioMode() {
        VisionGeometry g = VisionGeometry.fromMmprojMetadata(336, 14, new int[] {336, 672, 672, 336}, "anyres");
        assertThat(g.gridPinpoints())
                .containsExactly(Resolution.ofHeightWidth(336, 672), Resolution.ofHeightWidth(672, 336));
        assertThat(g.anyresMaxTiles()).isZero();

        assertThat(VisionGeometry.fromMmprojMetadata(384, 14, new int[] {384, 384}, " ANYRES_MAX_4 ")
                        .anyresMaxTiles())
                .isEqualTo(4);
        // No key: pinpoints mean plain anyres, none mean pad.
        assertThat(VisionGeometry.fromMmprojMetadata(384, 14, new int[] {384, 384}, null)
                        .aspectRatioMode())
                .isEqualTo("anyres");
        assertThat(VisionGeometry.fromMmprojMetadata(336, 14, new int[0], null))
                .isEqualTo(VisionGeometry.llava15Clip336());
        assertThat(VisionGeometry.fromMmprojMetadata(336, 14, List.of(), "  "))
                .isEqualTo(VisionGeometry.llava15Clip336());
        // "pad" wins over pinpoints, as in LLaVA's process_images.
        assertThat(VisionGeometry.fromMmprojMetadata(336, 14, new int[] {336, 672}, "pad")
                        .padToSquare())
                .isTrue();
    }

    @Test
    void badMetadataIsRejectedWithAReason() {
        assertThatThrownBy(() -> VisionGeometry.fromMmprojMetadata(384, 14, new int[] {384}, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pairs");
        assertThatThrownBy(() -> VisionGeometry.fromMmprojMetadata(384, 14, new int[] {384, 384}, "crop"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("crop");
        assertThatThrownBy(() -> VisionGeometry.fromMmprojMetadata(384, 14, new int[] {384, 384}, "anyres_max_0"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VisionGeometry.fromMmprojMetadata(384, 14, new int[0], "anyres_max_9"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pinpoints");
        assertThatThrownBy(() -> VisionGeometry.fromMmprojMetadata(384, 14, new int[] {400, 384}, "anyres"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> VisionGeometry.fromMmprojMetadata(384, 14, new int[] {0, 384}, "anyres"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> VisionGeometry.fromMmprojMetadata(384, 14, new int[] {-384, 384}, "anyres"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> VisionGeometry.fromMmprojMetadata(384, 14, java.util.Arrays.asList(384, null), "anyres"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VisionGeometry.fromMmprojMetadata(384, 14, new int[] {384 * 100, 384}, "anyres"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds");
    }

    @Test
    void invalidGeometriesAreRejected() {
        assertThatThrownBy(() -> new VisionGeometry(0, 14, List.of(), 0, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image size");
        assertThatThrownBy(() -> new VisionGeometry(384, 0, List.of(), 0, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patch size");
        assertThatThrownBy(() -> new VisionGeometry(384, 385, List.of(), 0, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patch size");
        assertThatThrownBy(() -> new VisionGeometry(384, 14, List.of(Resolution.of(384, 384)), 0, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pad-to-square");
        assertThatThrownBy(() -> new VisionGeometry(384, 14, List.of(), 9, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("anyres_max");
        assertThatThrownBy(() -> new VisionGeometry(384, 14, List.of(), 0, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pinpoint");
        assertThatThrownBy(() -> new VisionGeometry(384, 14, List.of(Resolution.of(384, 384)), -1, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VisionGeometry(9000, 14, List.of(), 0, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VisionGeometry.squareGrid(384, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Resolution.of(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pinpointListIsImmutable() {
        VisionGeometry g = VisionGeometry.llavaOneVisionSiglip384();
        assertThatThrownBy(() -> g.gridPinpoints().add(Resolution.of(384, 384)))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
