package io.safetyguard.cli;

import io.safetyguard.llamacpp.tools.quantize.ModelQuantizer;
import io.safetyguard.llamacpp.tools.quantize.QuantizationType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guard model quantize}: llama.cpp's quantizer through SafetyGuard's natives. */
@Command(
        name = "quantize",
        mixinStandardHelpOptions = true,
        description = {
            "Quantize a GGUF text model with llama.cpp's llama_model_quantize (no llama.cpp build needed),",
            "or an mmproj to Q8_0 (its weight matrices, with ggml's quantizer).",
            "Example: guard model quantize --type Q8_0 in-f16.gguf out-q8_0.gguf"
        })
final class QuantizeCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "IN.gguf",
            description = "The text model (F32/F16/BF16, or already quantized) or an F32/F16 mmproj.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT.gguf", description = "The file to write.")
    Path output;

    @Option(
            names = "--type",
            required = true,
            paramLabel = "TYPE",
            description = "Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q5_0, Q5_1, Q4_K_M, Q4_K_S, Q4_0, Q4_1, Q3_K_L, Q3_K_M, Q3_K_S, "
                    + "Q2_K, IQ4_NL, IQ4_XS, F16, BF16 or F32.")
    String type;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Quantization threads. Default: all cores (${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--overwrite", description = "Replace OUT if it exists.")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new BadInputException(input + ": no such file");
        }
        QuantizationType t = QuantizationType.fromName(type);
        ModelQuantizer.Result r = ModelQuantizer.quantize(input, output, t, threads, overwrite);
        System.out.printf(
                Locale.ROOT,
                "%s: %s -> %s (%s), %.1f%% of the input, in %.1f s%n",
                r.output(),
                mib(r.inputBytes()),
                mib(r.outputBytes()),
                r.fileType(),
                100.0 * r.outputBytes() / r.inputBytes(),
                r.elapsed().toMillis() / 1000.0);
        return ExitCodes.OK;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
