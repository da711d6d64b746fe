package io.safetyguard.llamacpp.internal.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.ModelFileException;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufModelPairValidatorTest {

    @TempDir
    Path dir;

    private Path model;
    private Path mmproj;

    @BeforeEach
    void goodPair() throws Exception {
        model = TestModels.writeText(dir.resolve("model.gguf"), TestModels.textKeys("qwen2", 896), 896);
        mmproj = TestModels.writeProjector(dir.resolve("mmproj.gguf"), TestModels.projectorKeys(), 896, true, false);
    }

    @Test
    void aMatchingPairIsValid() throws Exception {
        ModelPairReport r = ModelPairValidator.validate(model, mmproj);

        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).isEmpty();
        assertThat(r.isValid()).isTrue();
        assertThat(r.requireValid()).isSameAs(r);
        assertThat(r.textModel())
                .hasValueSatisfying(t -> assertThat(t.embeddingLength()).isEqualTo(896));
        assertThat(r.projector())
                .hasValueSatisfying(p -> assertThat(p.projectionOutputWidth()).hasValue(896));
        assertThat(r.toString()).contains("model:  " + model, "mmproj: " + mmproj);
    }

    @Test
    void missingFilesAndDirectories() {
        ModelPairReport r = ModelPairValidator.validate(dir.resolve("nope.gguf"), dir);

        assertThat(r.errors())
                .containsExactly(
                        "text model file not found: " + dir.resolve("nope.gguf") + " (--model)",
                        dir + " is a directory; pass the vision projector .gguf file itself as --mmproj");
        assertThat(r.textModel()).isEmpty();
        assertThat(r.projector()).isEmpty();
    }

    @Test
    void notGguf() throws Exception {
        Path pt = Files.write(dir.resolve("pytorch_model.bin"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});

        ModelPairReport r = ModelPairValidator.validate(pt, mmproj);

        assertThat(r.errors())
                .singleElement()
                .asString()
                .startsWith(pt + ": not a GGUF file (magic 0x504B0304")
                .contains("PyTorch checkpoint", "docs/models.md");
    }

    @Test
    void swappedFiles() {
        ModelPairReport r = ModelPairValidator.validate(mmproj, model);

        assertThat(r.errors())
                .containsExactly(mmproj + " looks like a vision projector (general.architecture=clip); "
                        + "did you swap --model and --mmproj?");
    }

    @Test
    void twoProjectorsOrTwoTextModels() {
        assertThat(ModelPairValidator.validate(mmproj, mmproj).errors())
                .containsExactly(mmproj
                        + " is a vision projector (general.architecture=clip), not a text model; pass the language model "
                        + "GGUF as --model");
        assertThat(ModelPairValidator.validate(model, model).errors())
                .containsExactly(model
                        + " is a text model (general.architecture=qwen2), not a vision projector (expected "
                        + "general.architecture=clip); pass the mmproj GGUF as --mmproj");
    }

    @Test
    void projectorFromADifferentModel() throws Exception {
        Path other =
                TestModels.writeProjector(dir.resolve("mmproj-7b.gguf"), TestModels.projectorKeys(), 4096, true, false);

        ModelPairReport r = ModelPairValidator.validate(model, other);

        assertThat(r.errors())
                .containsExactly(
                        other + " projects to 4096-wide embeddings but the text model " + model
                                + " expects 896 — these files are from different models; use the mmproj released with this model");
        assertThatThrownBy(r::requireValid)
                .isInstanceOf(ModelFileException.class)
                .hasMessage(r.errors().get(0))
                .satisfies(e -> assertThat(((ModelFileException) e).problems()).isEqualTo(r.errors()));
    }

    @Test
    void declaredVersionsThatDisagree() throws Exception {
        Map<String, GgufValue> tk = TestModels.textKeys("llama", 896);
        tk.put(ModelKeys.LLAVAGUARD_VERSION, GgufValue.string("v1.1"));
        Map<String, GgufValue> pk = TestModels.projectorKeys();
        pk.put(ModelKeys.LLAVAGUARD_VERSION, GgufValue.string("v1.2"));
        Path t = TestModels.writeText(dir.resolve("t.gguf"), tk, 896);
        Path p = TestModels.writeProjector(dir.resolve("p.gguf"), pk, 896, true, false);

        assertThat(ModelPairValidator.validate(t, p).errors())
                .containsExactly(t + " is LlavaGuard v1.1 but " + p + " is LlavaGuard v1.2 — these files are from "
                        + "different models");
    }

    @Test
    void missingAndMistypedKeysAreAllListed() throws Exception {
        Map<String, GgufValue> tk = TestModels.textKeys("qwen2", 896);
        tk.remove("qwen2.embedding_length");
        tk.remove("tokenizer.ggml.model");
        tk.put("qwen2.block_count", GgufValue.int32(2));
        Map<String, GgufValue> pk = TestModels.projectorKeys();
        pk.put(ModelKeys.HAS_VISION_ENCODER, GgufValue.bool(false));
        pk.put(ModelKeys.IMAGE_GRID_PINPOINTS, GgufValue.int32Array(336, 672, 672));
        pk.put(ModelKeys.IMAGE_STD, GgufValue.float32Array(0.5f));
        pk.put("nested", GgufValue.arrayOfArrays(List.of(GgufValue.int32Array(1))));
        Path t = TestModels.writeText(dir.resolve("t.gguf"), tk, 896);
        Path p = TestModels.writeProjector(dir.resolve("p.gguf"), pk, 896, true, false);

        ModelPairReport r = ModelPairValidator.validate(t, p);

        assertThat(r.errors())
                .containsExactlyInAnyOrder(
                        t + ": required key 'qwen2.embedding_length' (u32) is missing",
                        t
                                + ": key 'qwen2.block_count' has type i32 but llama.cpp reads it as u32 (types must match exactly; "
                                + "re-create the file with the right type)",
                        t + ": required key 'tokenizer.ggml.model' (str) is missing",
                        p + ": key 'nested' is an array of arrays, which llama.cpp v0.4.0 cannot load",
                        p + ": it has no vision encoder (clip.has_vision_encoder=false), so it cannot encode images",
                        p + ": key 'clip.vision.image_std' has 1 elements; llama.cpp needs at least 3",
                        p + ": key 'clip.vision.image_grid_pinpoints' has 3 elements; it must hold width/height pairs");
        assertThatThrownBy(r::requireValid).hasMessageStartingWith("the model files cannot be used:\n  - ");
    }

    @Test
    void missingProjectorTensorsAndZeroSizes() throws Exception {
        Map<String, GgufValue> pk = TestModels.projectorKeys();
        pk.put(ModelKeys.PATCH_SIZE, GgufValue.uint32(0));
        GgufWriter w = new GgufWriter(dir.resolve("empty-mm.gguf"));
        pk.forEach(w::put);
        w.write();

        assertThat(ModelPairValidator.validate(model, dir.resolve("empty-mm.gguf"))
                        .errors())
                .extracting(e -> e.substring(e.indexOf(": ") + 2))
                .containsExactlyInAnyOrder(
                        "key 'clip.vision.patch_size' is 0; it must be positive",
                        "tensor 'mm.0.weight' is missing (the mlp projector's first layer)",
                        "tensor 'mm.2.weight' is missing (the mlp projector's output layer)");
    }

    @Test
    void warningsForTinyModelsAndKnownLlamaCppDeviations() throws Exception {
        Map<String, GgufValue> tk = TestModels.textKeys("qwen2", 896);
        tk.put(ModelKeys.TINY, GgufValue.bool(true));
        Map<String, GgufValue> pk = TestModels.projectorKeys();
        pk.remove(ModelKeys.FEATURE_LAYER);
        pk.remove(ModelKeys.USE_GELU);
        pk.put(ModelKeys.IMAGE_GRID_PINPOINTS, GgufValue.int32Array(336, 1344, 1344, 1344));
        Path t = TestModels.writeText(dir.resolve("t.gguf"), tk, 896);
        Path p = TestModels.writeProjector(dir.resolve("p.gguf"), pk, 896, false, false);

        ModelPairReport r = ModelPairValidator.validate(t, p);

        assertThat(r.isValid()).isTrue();
        assertThat(r.warnings())
                .containsExactly(
                        t + " is a tiny random-weight test model (safetyguard.tiny=true): verdicts are meaningless",
                        p
                                + ": no clip.vision.feature_layer, so llama.cpp v0.4.0 runs one vision layer fewer than stored "
                                + "(ggml-org/llama.cpp#25817); set it to [23] to run them all (see docs/models.md)",
                        p + ": a SigLIP tower (no v.class_embd) without clip.use_gelu=true runs GELU-quick instead of "
                                + "SigLIP's GELU; set clip.use_gelu=true",
                        p
                                + ": with libmtmd's image pipeline (ImagePipeline.LLAMA_CPP, llama-mtmd-cli) its pinpoints allow "
                                + "up to 17 tiles (9792 tokens) per image; for that pipeline keep only grids of at most 9 "
                                + "tiles to leave room for the policy");
    }

    @Test
    void unknownFamilyAndOtherProjectorTypesAreWarnings() throws Exception {
        Map<String, GgufValue> pk = TestModels.projectorKeys();
        pk.put(ModelKeys.PROJECTOR_TYPE, GgufValue.string("ldp"));
        Path t = TestModels.writeText(dir.resolve("t.gguf"), TestModels.textKeys("mistral", 896), 896);
        Path p = TestModels.writeProjector(dir.resolve("p.gguf"), pk, 896, true, false);

        assertThat(ModelPairValidator.validate(t, p).warnings())
                .containsExactly(
                        t
                                + ": cannot tell which LlavaGuard version this is (architecture mistral); LlavaGuard v1.0/v1.1 "
                                + "are llama, v1.2 is qwen2. The prompt format may not match",
                        p
                                + ": projector type 'ldp' is not LLaVA's 'mlp'; LlavaGuard models use 'mlp' and nothing else is "
                                + "tested here");
    }
}
