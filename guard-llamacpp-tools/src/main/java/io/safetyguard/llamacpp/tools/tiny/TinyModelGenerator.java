package io.safetyguard.llamacpp.tools.tiny;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a tiny random-weight LlavaGuard-shaped model pair that llama.cpp v0.4.0 loads and runs in a fraction of
 * a second: everything short of the model's judgement can be tested with it, offline and on CPU.
 *
 * <p>Both files carry {@code safetyguard.tiny = true} (so tools can warn that verdicts are meaningless) and
 * {@code safetyguard.llavaguard.version} ({@code v1.1} for {@link TinyModelFlavor#LLAMA_CLIP}, {@code v1.2} for
 * {@link TinyModelFlavor#QWEN2_SIGLIP}). The same options give byte-identical files.
 *
 * <p>Sizes with the defaults: about 5 MB + 90 KB (llama-clip, mostly the 32k vocab) and 16 MB + 80 KB
 * (qwen2-siglip, mostly the 152k vocab).
 */
public final class TinyModelGenerator {
    private TinyModelGenerator() {}

    /** Generates a pair with the flavour's default options into {@code outDir} (created if needed). */
    public static TinyModelPair generate(TinyModelFlavor flavor, Path outDir) throws IOException {
        return generate(TinyModelOptions.defaults(flavor), outDir);
    }

    /**
     * Generates a pair into {@code outDir} (created if needed), replacing files of the same names. The files are
     * {@code tiny-<flavour>.gguf} and {@code tiny-<flavour>-mmproj.gguf}.
     *
     * @throws java.io.FileNotFoundException when the vocab GGUF cannot be found (see {@link TinyVocab})
     */
    public static TinyModelPair generate(TinyModelOptions options, Path outDir) throws IOException {
        GgufFile vocab = TinyVocab.load(options.flavor(), options.vocab());
        Files.createDirectories(outDir);
        TinyModelPair pair = new TinyModelPair(
                outDir.resolve(modelFileName(options.flavor())),
                outDir.resolve(mmprojFileName(options.flavor())),
                options.flavor());
        TextModelWriter.write(options, vocab, pair.model());
        ProjectorWriter.write(options, pair.mmproj());
        return pair;
    }

    /** E.g. {@code tiny-llama-clip.gguf}. */
    public static String modelFileName(TinyModelFlavor flavor) {
        return "tiny-" + flavor.cliName() + ".gguf";
    }

    /** E.g. {@code tiny-llama-clip-mmproj.gguf}. */
    public static String mmprojFileName(TinyModelFlavor flavor) {
        return "tiny-" + flavor.cliName() + "-mmproj.gguf";
    }

    /**
     * The {@code v.image_newline} values written with {@link TinyModelOptions#recognisableImageNewline()}: a ramp
     * {@code 0.001 × (i + 1)}, unlike anything random, so a test can tell whether the newline embedding reached
     * the language model and where.
     */
    public static float[] recognisableImageNewline(int width) {
        float[] v = new float[width];
        for (int i = 0; i < width; i++) {
            v[i] = 0.001f * (i + 1);
        }
        return v;
    }
}
