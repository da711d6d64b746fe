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
 * bundle's build.properties) and {@code verdict=...} (one line).
 */
public final class GreedyVerdictMain {

    static final int MAX_NEW_TOKENS = 48;

    private GreedyVerdictMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: GreedyVerdictMain MODEL MMPROJ IMAGE");
            System.exit(2);
        }
        String verdict = verdict(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        System.out.println("platform=" + NativeLibraryLoader.buildInfo().getProperty("platform"));
        System.out.println("verdict=" + verdict);
    }

    /** The greedy full-verdict answer for one image, on one thread, as one line. */
    static String verdict(Path model, Path mmproj, Path image) throws Exception {
        DecodedImage decoded = TestSupport.decode(
                Files.readAllBytes(image), image.getFileName().toString());
        try (LlamaCppModel m = LlamaCppModel.open(
                LlamaCppConfig.builder(model, mmproj).threads(1).warmup(false).build())) {
            ModelOutput out = m.evaluate(
                    TestSupport.request(decoded, TestSupport.FULL_VERDICT, TestSupport.greedy(MAX_NEW_TOKENS)));
            // one line: the answer may hold line breaks and carriage returns (random weights write any whitespace)
            return out.text().replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
        }
    }
}
