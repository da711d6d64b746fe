package io.safetyguard.llamacpp.tools.quantize;

import static io.safetyguard.llamacpp.TestSupport.VERDICT_ONLY;
import static io.safetyguard.llamacpp.TestSupport.assertValidVerdict;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.decode;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.greedy;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static io.safetyguard.llamacpp.TestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.TestSupport;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.internal.jni.ClipContext;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ModelQuantizer} on the tiny pair: llama.cpp's own quantizer for the text model, ggml's for the mmproj,
 * then a verdict from the result.
 */
class ModelQuantizerIT {

    @TempDir
    static Path dir;

    static TinyModelPair pair;

    @BeforeAll
    static void generate() {
        pair = TestSupport.generate(TinyModelFlavor.LLAMA_CLIP, dir);
    }

    /**
     * Q8_0/Q4_0 have 32-wide blocks, which the tiny model's 64-wide rows fit. Q4_K_M has 256-wide blocks, which
     * they do not: llama.cpp falls back per tensor to a 32-block type, and the file still says Q4_K_M.
     */
    @ParameterizedTest
    @CsvSource({"Q8_0, Q8_0", "Q4_0, Q4_0", "Q4_K_M, Q5_0"})
    void quantizedModelLoadsAndGivesAVerdict(String typeName, String expectedMatrixType) throws Exception {
        QuantizationType type = QuantizationType.fromName(typeName);
        Path out = dir.resolve("tiny-" + typeName + ".gguf");

        ModelQuantizer.Result r = ModelQuantizer.quantize(pair.model(), out, type, 1, false);

        assertThat(r.fileType()).isEqualTo(typeName);
        assertThat(r.inputBytes()).isEqualTo(Files.size(pair.model()));
        assertThat(r.outputBytes()).isEqualTo(Files.size(out)).isPositive();
        GgufFile q = GgufReader.read(out);
        assertThat(q.getU32(ModelKeys.FILE_TYPE)).isEqualTo(type.llamaFtype());
        assertThat(q.tensor("blk.0.attn_q.weight").orElseThrow().type().name()).isEqualTo(expectedMatrixType);
        assertThat(q.tensor("output_norm.weight").orElseThrow().type()).isEqualTo(GgmlType.F32);
        assertThat(q.getString(ModelKeys.LLAVAGUARD_VERSION))
                .as("metadata is carried over")
                .isEqualTo("v1.1");

        TinyModelPair quantized = new TinyModelPair(out, pair.mmproj(), pair.flavor());
        try (LlamaCppModel model = LlamaCppModel.open(config(quantized).build())) {
            ModelOutput verdict = model.evaluate(request(
                    decode(encode(pattern(40, 30, 5), "png"), "a.png"), VERDICT_ONLY, greedy(100)));
            assertValidVerdict(verdict.text(), true);
        }
    }

    /**
     * An mmproj quantized to Q8_0: its matrices are Q8_0, everything the encoder adds rather than multiplies keeps
     * its bytes, and the projected embeddings of one tile move by less than 2 % (relative L2 norm) against F16.
     * Measured: 0.5 % on this tiny tower, 2.0 % on the full-size random SigLIP-so400m tower (26 layers); a wrong
     * block layout or row length would give unrelated embeddings, far beyond the bound.
     */
    @Test
    void mmprojQuantizedToQ8_0KeepsTheProjectedEmbeddingsClose() throws Exception {
        Path out = dir.resolve("tiny-mmproj-q8_0.gguf");

        ModelQuantizer.Result r = ModelQuantizer.quantize(pair.mmproj(), out, QuantizationType.Q8_0, 1, false);

        assertThat(r.fileType()).isEqualTo("Q8_0");
        assertThat(r.outputBytes()).isEqualTo(Files.size(out)).isLessThan(r.inputBytes());
        GgufFile f16 = GgufReader.read(pair.mmproj());
        GgufFile q = GgufReader.read(out);
        assertThat(q.getU32(ModelKeys.FILE_TYPE)).isEqualTo(7);
        assertThat(q.tensor("v.blk.0.attn_q.weight").orElseThrow().type()).isEqualTo(GgmlType.Q8_0);
        assertThat(q.tensor("mm.0.weight").orElseThrow().type()).isEqualTo(GgmlType.Q8_0);
        for (String kept : new String[] {"v.position_embd.weight", "v.patch_embd.weight", "v.blk.0.ln1.weight"}) {
            assertThat(q.tensor(kept).orElseThrow().type())
                    .as(kept)
                    .isEqualTo(f16.tensor(kept).orElseThrow().type());
            assertThat(q.readTensorBytes(kept)).as(kept).isEqualTo(f16.readTensorBytes(kept));
        }
        assertThat(q.tensors()).hasSameSizeAs(f16.tensors());

        int size = Math.toIntExact(f16.getU32("clip.vision.image_size"));
        float[] tile = new float[3 * size * size];
        Random random = new Random(11);
        for (int i = 0; i < tile.length; i++) {
            tile[i] = random.nextFloat() * 2 - 1;
        }
        float[] reference;
        float[] quantized;
        try (ClipContext a = ClipContext.load(pair.mmproj(), false, false);
                ClipContext b = ClipContext.load(out, false, false)) {
            reference = a.encodeTile(tile, size, 1);
            quantized = b.encodeTile(tile, size, 1);
        }
        assertThat(quantized).hasSameSizeAs(reference);
        double moved = relativeDistance(reference, quantized);
        assertThat(moved)
                .as("relative L2 distance of the projected embeddings")
                .isGreaterThan(0)
                .isLessThan(0.02);

        TinyModelPair withQ8Mmproj = new TinyModelPair(pair.model(), out, pair.flavor());
        try (LlamaCppModel model = LlamaCppModel.open(config(withQ8Mmproj).build())) {
            ModelOutput verdict = model.evaluate(request(
                    decode(encode(pattern(40, 30, 5), "png"), "a.png"), VERDICT_ONLY, greedy(100)));
            assertValidVerdict(verdict.text(), true);
        }
    }

    @Test
    void refusesOtherMmprojTypesThanQ8_0() {
        assertThatThrownBy(() -> ModelQuantizer.quantize(
                        pair.mmproj(), dir.resolve("m.gguf"), QuantizationType.Q4_K_M, 1, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mmproj can be quantized to Q8_0 only, not Q4_K_M");
        assertThat(dir.resolve("m.gguf")).doesNotExist();
    }

    private static double relativeDistance(float[] reference, float[] other) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = (double) other[i] - reference[i];
            diff += d * d;
            norm += (double) reference[i] * reference[i];
        }
        return Math.sqrt(diff / norm);
    }

    @Test
    void refusesAnExistingOutputUnlessAllowedAndNeverTheInput() throws Exception {
        Path out = Files.writeString(dir.resolve("existing.gguf"), "keep me");
        assertThatThrownBy(() -> ModelQuantizer.quantize(pair.model(), out, QuantizationType.Q8_0, 1, false))
                .hasMessageContaining("exists")
                .hasMessageContaining("--overwrite");
        assertThat(Files.readString(out)).isEqualTo("keep me");
        assertThatThrownBy(() -> ModelQuantizer.quantize(pair.model(), pair.model(), QuantizationType.Q8_0, 1, true))
                .hasMessageContaining("is the input");

        ModelQuantizer.quantize(pair.model(), out, QuantizationType.Q8_0, 1, true);
        assertThat(GgufReader.read(out).getU32(ModelKeys.FILE_TYPE)).isEqualTo(7);
    }

    @Test
    void unknownTypeNamesListTheKnownOnes() {
        assertThatThrownBy(() -> QuantizationType.fromName("Q4_K_XL"))
                .hasMessageContaining("unknown quantization type 'Q4_K_XL'")
                .hasMessageContaining("Q4_K_M");
        assertThat(QuantizationType.fromName("q4-k-m")).isEqualTo(QuantizationType.Q4_K_M);
    }
}
