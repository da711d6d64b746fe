package io.safetyguard.llamacpp;

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

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a model pair can be wrong fails with its own message, before or inside llama.cpp, without killing the JVM. */
class BadModelFilesIT {

    @TempDir
    static Path dir;

    static TinyModelPair llama;
    static TinyModelPair qwen;

    @BeforeAll
    static void generate() {
        llama = TestSupport.generate(TinyModelFlavor.LLAMA_CLIP, dir);
        qwen = TestSupport.generate(TinyModelFlavor.QWEN2_SIGLIP, dir);
    }

    private static ModelException openFails(Path model, Path mmproj) {
        try (LlamaCppModel m = LlamaCppModel.open(
                LlamaCppConfig.builder(model, mmproj).threads(1).warmup(false).build())) {
            throw new AssertionError("opened " + model + " + " + mmproj + " as " + m);
        } catch (ModelException e) {
            return e;
        }
    }

    private static Path copy(Path source, String name) throws IOException {
        return Files.copy(source, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void missingFiles() {
        Path nowhere = dir.resolve("does-not-exist.gguf");
        assertThat(openFails(nowhere, llama.mmproj()))
                .hasMessageContaining("not found")
                .hasMessageContaining(nowhere.toString());
        assertThat(openFails(llama.model(), nowhere))
                .hasMessageContaining("not found")
                .hasMessageContaining(nowhere.toString());
        assertThat(openFails(dir, llama.mmproj())).hasMessageContaining("is a directory");
    }

    @Test
    void notGguf() throws IOException {
        Path text = Files.writeString(dir.resolve("readme.gguf"), "this is not a model\n".repeat(10));
        Path empty = Files.createFile(dir.resolve("empty.gguf"));
        assertThat(openFails(text, llama.mmproj()))
                .hasMessageContaining("readme.gguf")
                .hasMessageContaining("GGUF");
        assertThat(openFails(llama.model(), empty)).hasMessageContaining("empty.gguf");
    }

    @Test
    void swappedFiles() {
        assertThat(openFails(llama.mmproj(), llama.model())).hasMessageContaining("swap");
        assertThat(openFails(llama.mmproj(), llama.mmproj())).hasMessageContaining("vision projector");
        assertThat(openFails(llama.model(), llama.model())).hasMessageContaining("not a vision projector");
    }

    @Test
    void projectorOfAnotherModel() {
        // qwen2-siglip projects to 32-wide embeddings, llama-clip expects 64
        assertThat(openFails(llama.model(), qwen.mmproj()))
                .hasMessageContaining("different models")
                .hasMessageContaining(qwen.mmproj().getFileName().toString());
    }

    @Test
    void truncatedFiles() throws IOException {
        Path model = copy(llama.model(), "truncated.gguf");
        try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        assertThat(openFails(model, llama.mmproj())).hasMessageContaining("truncated.gguf");

        Path mmproj = copy(llama.mmproj(), "truncated-mmproj.gguf");
        try (RandomAccessFile f = new RandomAccessFile(mmproj.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        assertThat(openFails(llama.model(), mmproj)).hasMessageContaining("truncated-mmproj.gguf");
    }

    @Test
    void corruptHeader() throws IOException {
        Path model = copy(llama.model(), "corrupt.gguf");
        try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
            f.seek(8); // tensor count
            f.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f, 0, 0, 0, 0});
        }
        assertThat(openFails(model, llama.mmproj())).hasMessageContaining("corrupt.gguf");
    }

    /** Replaces the first occurrence of {@code from} with {@code to} (same length) in a copy of the file. */
    private static Path patched(Path source, String name, String from, String to) throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        byte[] f = from.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] t = to.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + f.length <= bytes.length; i++) {
            for (int j = 0; j < f.length; j++) {
                if (bytes[i + j] != f[j]) {
                    continue outer;
                }
            }
            System.arraycopy(t, 0, bytes, i, t.length);
            return Files.write(dir.resolve(name), bytes); // overwrites
        }
        throw new AssertionError(from + " not found in " + source);
    }

    @Test
    void filesThatOnlyLlamaCppRejectsFailWithItsReason() throws IOException {
        // well-formed GGUF with the right keys, but a tensor llama.cpp needs is missing (renamed)
        Path model = patched(llama.model(), "no-output-norm.gguf", "output_norm.weight", "output_xorm.weight");
        assertThat(openFails(model, llama.mmproj()))
                .hasMessageContaining("llama.cpp could not load")
                .hasMessageContaining("no-output-norm.gguf")
                .hasMessageContaining("output_norm");
    }

    @Test
    void visionTowerTensorsThatWouldCrashLibmtmdAreRefusedBeforeLoading() throws IOException {
        // libmtmd loads these as optional and crashes (SIGSEGV) on the first image without them
        for (String[] t : new String[][] {
            {"v.patch_embd.weight", "v.patch_embx.weight"},
            {"v.position_embd.weight", "v.position_embx.weight"},
            {"v.blk.0.attn_q.weight", "v.blk.0.attn_q.weighx"},
            {"v.blk.1.ffn_down.weight", "v.blk.1.ffn_down.weighx"}
        }) {
            Path mmproj = patched(llama.mmproj(), "no-" + t[0] + ".gguf", t[0], t[1]);
            assertThat(openFails(llama.model(), mmproj))
                    .hasMessageContaining("'" + t[0] + "' is missing")
                    .hasMessageContaining("no-" + t[0] + ".gguf");
        }
    }

    @Test
    void afterAllThatAGoodPairStillLoadsAndRuns() throws Exception {
        missingFiles();
        filesThatOnlyLlamaCppRejectsFailWithItsReason();
        try (LlamaCppModel m = LlamaCppModel.open(config(llama).build())) {
            String text = m.evaluate(request(
                            decode(encode(pattern(20, 20, 1), "png"), "ok.png"), VERDICT_ONLY, greedy(100)))
                    .text();
            assertValidVerdict(text, true);
        }
    }

    @Test
    void invalidConfigurationIsRejectedByTheBuilder() {
        LlamaCppConfig.Builder b = LlamaCppConfig.builder(llama.model(), llama.mmproj());
        assertThatThrownBy(() -> b.threads(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.gpuLayers(-2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.contextSize(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.batchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.ubatchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.parallelContexts(0)).isInstanceOf(IllegalArgumentException.class);
        LlamaCppConfig c = b.batchSize(64).ubatchSize(128).build();
        assertThat(c.ubatchSize()).isEqualTo(64);
        assertThat(c.threads()).isPositive();
        assertThat(c.toString()).contains("tiny-llama-clip.gguf");
    }
}
