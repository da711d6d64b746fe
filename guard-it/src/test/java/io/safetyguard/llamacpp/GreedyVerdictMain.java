package io.safetyguard.llamacpp;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a model pair, assesses one image greedily with the full-verdict grammar and prints the answer.
 * {@link AArch64UnderQemuIT} runs it in an arm64 JVM under qemu-user, where it loads the jar's
 * linux-aarch64 natives, and compares the answer with the one the same code gives on x86-64.
 *
 * <p>Usage: {@code GreedyVerdictMain MODEL MMPROJ IMAGE}; prints {@code platform=...} (from the loaded
 * bundle's build.properties), {@code cpuVariant=...} (the ggml-cpu build that ran) and {@code verdict=...} (one
 * line). {@link CpuVariantVerdictIT} runs it with a forced CPU variant.
 */
public final class GreedyVerdictMain {

    static final int MAX_NEW_TOKENS = 48;

    private GreedyVerdictMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: GreedyVerdictMain MODEL MMPROJ IMAGE");
            System.exit(2);
        }
        Answer answer = answer(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        System.out.println("platform=" + NativeLibraryLoader.buildInfo().getProperty("platform"));
        System.out.println("cpuVariant=" + answer.cpuVariant());
        System.out.println("verdict=" + answer.verdict());
    }

    /** The greedy full-verdict answer for one image, on one thread, as one line. */
    static String verdict(Path model, Path mmproj, Path image) throws Exception {
        return answer(model, mmproj, image).verdict();
    }

    /** A verdict and which build of ggml's CPU backend computed it (the model's native.cpuVariant). */
    record Answer(String verdict, String cpuVariant) {}

    static Answer answer(Path model, Path mmproj, Path image) throws Exception {
        DecodedImage decoded = TestSupport.decode(
                Files.readAllBytes(image), image.getFileName().toString());
        try (LlamaCppModel m = LlamaCppModel.open(
                LlamaCppConfig.builder(model, mmproj).threads(1).warmup(false).build())) {
            ModelOutput out = m.evaluate(
                    TestSupport.request(decoded, TestSupport.FULL_VERDICT, TestSupport.greedy(MAX_NEW_TOKENS)));
            // one line: the answer may hold line breaks and carriage returns (random weights write any whitespace)
            return new Answer(
                    out.text().replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r"),
                    m.info().metadata().getOrDefault("native.cpuVariant", "unknown"));
        }
    }
}
