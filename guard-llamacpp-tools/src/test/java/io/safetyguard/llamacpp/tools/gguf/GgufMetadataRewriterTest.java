package io.safetyguard.llamacpp.tools.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelFileInspector;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufMetadataRewriterTest {

    @TempDir
    static Path dir;

    static TinyModelPair siglip;
    static TinyModelPair clip;

    @BeforeAll
    static void generate() throws IOException {
        siglip = TinyModelGenerator.generate(TinyModelFlavor.QWEN2_SIGLIP, dir.resolve("s"));
        clip = TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir.resolve("c"));
    }

    @Test
    void setsAddsAndRemovesKeysAndCopiesEveryTensorByteForByte() throws IOException {
        Path out = dir.resolve("edited.gguf");
        List<MetadataChange> changes = GgufMetadataRewriter.rewrite(
                siglip.mmproj(),
                out,
                List.of(
                        MetadataEdit.parseAssignment("clip.use_gelu=bool:false"),
                        MetadataEdit.parseAssignment("clip.vision.feature_layer=arr[i32]:1"),
                        MetadataEdit.remove(ModelKeys.MM_PATCH_MERGE_TYPE)));

        assertThat(changes)
                .extracting(MetadataChange::describe)
                .containsExactly(
                        "~ clip.use_gelu: bool true -> bool false",
                        "- clip.vision.mm_patch_merge_type (was str \"spatial_unpad\")",
                        "+ clip.vision.feature_layer = arr[i32] [1]");
        GgufFile before = GgufReader.read(siglip.mmproj());
        GgufFile after = GgufReader.read(out);
        assertThat(after.getBool(ModelKeys.USE_GELU)).isFalse();
        assertThat(after.getInt32Array(ModelKeys.FEATURE_LAYER)).containsExactly(1);
        assertThat(after.has(ModelKeys.MM_PATCH_MERGE_TYPE)).isFalse();
        assertThat(after.tensors()).hasSameSizeAs(before.tensors());
        for (GgufTensorInfo t : before.tensors()) {
            GgufTensorInfo copy = after.tensor(t.name()).orElseThrow();
            assertThat(copy.type()).isEqualTo(t.type());
            assertThat(copy.dims()).isEqualTo(t.dims());
            assertThat(after.readTensorBytes(t.name())).as(t.name()).isEqualTo(before.readTensorBytes(t.name()));
        }
        // unchanged keys keep their order and values
        assertThat(after.metadata().keySet()).startsWith(ModelKeys.ARCHITECTURE, ModelKeys.NAME);
    }

    @Test
    void noEditsGiveAByteIdenticalCopyAndAlignmentIsKept() throws IOException {
        Path src = dir.resolve("aligned.gguf");
        new GgufWriter(src, 64)
                .putString(ModelKeys.ARCHITECTURE, "llama")
                .addTensorF32("a", new long[] {3}, new float[] {1, 2, 3})
                .addTensorF32("b", new long[] {5}, new float[] {4, 5, 6, 7, 8})
                .write();
        Path out = dir.resolve("aligned-copy.gguf");
        assertThat(GgufMetadataRewriter.rewrite(src, out, List.of())).isEmpty();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(src));
        assertThat(GgufReader.read(out).alignment()).isEqualTo(64);
    }

    @Test
    void rewritesInPlaceAtomically() throws IOException {
        Path copy = Files.copy(clip.model(), dir.resolve("inplace.gguf"));
        GgufMetadataRewriter.rewrite(
                copy, copy, List.of(MetadataEdit.set(ModelKeys.LLAVAGUARD_VERSION, GgufValue.string("v1.0"))));
        assertThat(GgufReader.read(copy).getString(ModelKeys.LLAVAGUARD_VERSION))
                .isEqualTo("v1.0");
        try (var files = Files.list(dir)) {
            assertThat(files.map(Path::toString)).noneMatch(n -> n.endsWith(".partial"));
        }
    }

    @Test
    void refusesTypesLlamaCppWouldRejectAndNamesTheRightOne() {
        assertThatThrownBy(() -> MetadataEdit.parseAssignment("clip.vision.image_grid_pinpoints=arr[u32]:28,28"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("arr[i32]")
                .hasMessageContaining("not arr[u32]");
        assertThatThrownBy(() -> MetadataEdit.parseAssignment("clip.vision.image_size=i32:28"))
                .hasMessageContaining("as u32, not i32");
        assertThatThrownBy(() -> MetadataEdit.parseAssignment("clip.use_gelu=true"))
                .hasMessageContaining("TYPE:VALUE");
        assertThatThrownBy(() -> MetadataEdit.parseAssignment("x=u8:300")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> MetadataEdit.parseAssignment("x=int:3")).hasMessageContaining("unknown type 'int'");
        assertThatThrownBy(() -> MetadataEdit.parseAssignment("x=bool:maybe")).hasMessageContaining("not a bool");
    }

    @Test
    void refusesEditsThatWouldBreakTheFile() throws IOException {
        GgufFile mmproj = GgufReader.read(siglip.mmproj());
        assertThatThrownBy(() -> GgufMetadataRewriter.plan(mmproj, List.of(MetadataEdit.remove("no.such.key"))))
                .hasMessageContaining("no such key");
        assertThatThrownBy(
                        () -> GgufMetadataRewriter.plan(mmproj, List.of(MetadataEdit.remove(ModelKeys.ARCHITECTURE))))
                .hasMessageContaining("cannot be removed");
        assertThatThrownBy(() -> GgufMetadataRewriter.plan(
                        mmproj, List.of(MetadataEdit.set(ModelKeys.FEATURE_LAYER, GgufValue.int32Array(3)))))
                .hasMessageContaining("feature layer 3 must be between 0 and 2");
        assertThatThrownBy(() -> GgufMetadataRewriter.plan(
                        mmproj,
                        List.of(MetadataEdit.set(ModelKeys.IMAGE_GRID_PINPOINTS, GgufValue.int32Array(28, 28, 56)))))
                .hasMessageContaining("pairs");
        assertThatThrownBy(() -> GgufMetadataRewriter.plan(
                        mmproj,
                        List.of(MetadataEdit.set(ModelKeys.IMAGE_GRID_PINPOINTS, GgufValue.int32Array(28, 30)))))
                .hasMessageContaining("multiple of the tile size 28");
        assertThatThrownBy(() -> GgufMetadataRewriter.plan(
                        mmproj, List.of(MetadataEdit.set(ModelKeys.LLAVAGUARD_VERSION, GgufValue.string("v2")))))
                .hasMessageContaining("v1.0, v1.1 or v1.2");
        assertThatThrownBy(() -> GgufMetadataRewriter.plan(
                        mmproj, List.of(MetadataEdit.set(ModelKeys.IMAGE_STD, GgufValue.float32Array(0.5f, 0f, 0.5f)))))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> GgufMetadataRewriter.plan(
                        mmproj, List.of(MetadataEdit.set(GgufFile.KEY_ALIGNMENT, GgufValue.uint32(64)))))
                .hasMessageContaining("cannot be edited");
    }

    @Test
    void onevisionPresetFixesTheConverterOutputOnceAndThenChangesNothing() throws IOException {
        // what the legacy converter leaves for a SigLIP tower: quick-GELU, CLIP's mean/std, no feature layer
        Path converted = dir.resolve("converted-mmproj.gguf");
        GgufMetadataRewriter.rewrite(
                siglip.mmproj(),
                converted,
                List.of(
                        MetadataEdit.set(ModelKeys.USE_GELU, GgufValue.bool(false)),
                        MetadataEdit.set(
                                ModelKeys.IMAGE_MEAN, GgufValue.float32Array(0.48145466f, 0.4578275f, 0.40821073f)),
                        MetadataEdit.remove(ModelKeys.LLAVAGUARD_VERSION)));
        GgufFile in = GgufReader.read(converted);

        List<MetadataEdit> edits = LlavaGuardPreset.LLAVAGUARD_V1_2_OV.editsFor(in);
        Path fixed = dir.resolve("fixed-mmproj.gguf");
        List<MetadataChange> changes = GgufMetadataRewriter.rewrite(converted, fixed, edits);

        assertThat(changes)
                .extracting(MetadataChange::key)
                .containsExactlyInAnyOrder(
                        ModelKeys.USE_GELU,
                        ModelKeys.IMAGE_MEAN,
                        ModelKeys.LLAVAGUARD_VERSION,
                        ModelKeys.FEATURE_LAYER,
                        ModelKeys.IMAGE_ASPECT_RATIO);
        GgufFile out = GgufReader.read(fixed);
        assertThat(out.getBool(ModelKeys.USE_GELU)).isTrue();
        assertThat(out.getInt32Array(ModelKeys.FEATURE_LAYER)).containsExactly(2);
        assertThat(out.getFloatArray(ModelKeys.IMAGE_MEAN)).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(out.getString(ModelKeys.IMAGE_ASPECT_RATIO)).isEqualTo("anyres_max_9");
        assertThat(out.getString(ModelKeys.LLAVAGUARD_VERSION)).isEqualTo("v1.2");
        assertThat(ModelFileInspector.projectorProblems(out)).isEmpty();

        assertThat(GgufMetadataRewriter.plan(out, LlavaGuardPreset.LLAVAGUARD_V1_2_OV.editsFor(out)))
                .isEmpty();
    }

    @Test
    void clipPresetSetsQuickGeluClipMeanStdAndPad() throws IOException {
        GgufFile in = GgufReader.read(clip.mmproj());
        List<MetadataChange> changes = GgufMetadataRewriter.plan(in, LlavaGuardPreset.LLAVAGUARD_V1_1.editsFor(in));
        assertThat(changes)
                .extracting(MetadataChange::describe)
                .contains(
                        "~ clip.use_gelu: bool true -> bool false",
                        "+ clip.vision.feature_layer = arr[i32] [2]",
                        "+ clip.vision.image_aspect_ratio = str \"pad\"");
    }

    @Test
    void presetsRefuseTheOtherReleasesFiles() throws IOException {
        GgufFile clipMmproj = GgufReader.read(clip.mmproj());
        GgufFile qwenText = GgufReader.read(siglip.model());
        assertThatThrownBy(() -> LlavaGuardPreset.LLAVAGUARD_V1_2_OV.editsFor(clipMmproj))
                .hasMessageContaining("CLIP vision tower")
                .hasMessageContaining("uses SigLIP");
        assertThatThrownBy(() -> LlavaGuardPreset.LLAVAGUARD_V1_1.editsFor(qwenText))
                .hasMessageContaining("'qwen2' text model")
                .hasMessageContaining("'llama'");
        assertThat(LlavaGuardPreset.LLAVAGUARD_V1_2_OV.editsFor(qwenText))
                .containsExactly(MetadataEdit.set(ModelKeys.LLAVAGUARD_VERSION, GgufValue.string("v1.2")));
        assertThatThrownBy(() -> LlavaGuardPreset.fromCliName("v1.2")).hasMessageContaining("llavaguard-v1.2-ov");
    }

    @Test
    void anyresWithoutPinpointsIsRefused() throws IOException {
        GgufFile mmproj = GgufReader.read(siglip.mmproj());
        assertThatThrownBy(() -> GgufMetadataRewriter.plan(
                        mmproj,
                        List.of(
                                MetadataEdit.remove(ModelKeys.IMAGE_GRID_PINPOINTS),
                                MetadataEdit.set(ModelKeys.IMAGE_ASPECT_RATIO, GgufValue.string("anyres_max_9")))))
                .hasMessageContaining("--pinpoints");
    }
}
