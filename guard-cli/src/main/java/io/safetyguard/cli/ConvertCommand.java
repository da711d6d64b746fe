package io.safetyguard.cli;

import io.safetyguard.llamacpp.tools.convert.CheckpointConverter;
import io.safetyguard.llamacpp.tools.convert.ConvertOptions;
import io.safetyguard.llamacpp.tools.convert.ConvertProgress;
import io.safetyguard.llamacpp.tools.convert.ConvertedModel;
import io.safetyguard.llamacpp.tools.convert.KeyLayout;
import io.safetyguard.llamacpp.tools.quantize.QuantizationType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code guard model convert}: a Hugging Face LlavaGuard checkpoint to the GGUF pair, in Java. */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = {
            "Convert a LlavaGuard checkpoint as published on Hugging Face (config.json, safetensors, tokenizer files)",
            "into NAME.gguf and NAME-mmproj.gguf with every key SafetyGuard and llama.cpp read. No Python needed.",
            "Example: guard model convert LlavaGuard-v1.2-0.5B-OV-hf --out models --type Q8_0"
        })
final class ConvertCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "HF_DIR",
            description = "The checkpoint folder, e.g. as `huggingface-cli download --local-dir` writes it.")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the two files into.")
    Path out;

    @Option(
            names = "--type",
            paramLabel = "TYPE",
            defaultValue = "F16",
            description = "The text model's type: F16 (default), BF16, F32, or a quantization such as Q8_0, Q6_K, "
                    + "Q5_K_M, Q4_K_M (see guard model quantize).")
    String type;

    @Option(
            names = "--mmproj-type",
            paramLabel = "TYPE",
            defaultValue = "F16",
            description = "The mmproj's type: F16 (default), F32 or Q8_0.")
    String mmprojType;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "File name stem: NAME.gguf and NAME-mmproj.gguf. Default: the checkpoint folder's name.")
    String name;

    @Option(
            names = "--llavaguard-version",
            paramLabel = "VERSION",
            description = "The LlavaGuard version to declare. Default: v1.2 for OneVision, v1.1 for LLaVA-1.5 "
                    + "checkpoints; give v1.0 for the first-generation LlavaGuard-7B/13B.")
    String llavaGuardVersion;

    @Option(names = "--overwrite", description = "Replace NAME.gguf / NAME-mmproj.gguf if they exist.")
    boolean overwrite;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Threads for quantizing. Default: all cores (${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(checkpoint)) {
            throw new BadInputException(checkpoint + ": no such folder (pass the Hugging Face checkpoint folder)");
        }
        ConvertOptions.Builder options = ConvertOptions.builder(out)
                .type(QuantizationType.fromName(type))
                .mmprojType(QuantizationType.fromName(mmprojType))
                .overwrite(overwrite)
                .threads(threads);
        if (name != null) {
            options.name(name);
        }
        if (llavaGuardVersion != null) {
            options.llavaGuardVersion(llavaGuardVersion);
        }
        PrintStream err = System.err;
        ConvertedModel result;
        try (ByteProgress progress = new ByteProgress(GuardCli.quiet(spec), err)) {
            result = CheckpointConverter.convert(
                    checkpoint, options.progress(progress).build());
        }
        System.out.println("model:  " + result.model());
        System.out.println("mmproj: " + result.mmproj());
        err.printf(
                Locale.ROOT,
                "guard: converted %s (LlavaGuard %s, %s keys, %s) in %.1f s: %s + %s%n",
                checkpoint.getFileName(),
                result.llavaGuardVersion(),
                result.keyLayout() == KeyLayout.SINCE_4_52 ? "transformers >= 4.52" : "transformers < 4.52",
                result.modelType(),
                result.elapsed().toMillis() / 1000.0,
                mib(Files.size(result.model())),
                mib(Files.size(result.mmproj())));
        return ExitCodes.OK;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** The byte progress bar, started once the total is known; a line per step without byte progress. */
    private static final class ByteProgress implements ConvertProgress, AutoCloseable {
        private final boolean quiet;
        private final PrintStream err;
        private ProgressDisplay display;

        ByteProgress(boolean quiet, PrintStream err) {
            this.quiet = quiet;
            this.err = err;
        }

        @Override
        public void bytesRead(long done, long total) {
            if (display == null) {
                display = ProgressDisplay.startBytes("convert", total, quiet, err);
            }
            display.stepTo(done);
        }

        @Override
        public void step(String description) {
            close();
            if (!quiet) {
                err.println("guard: " + description + " ...");
            }
        }

        @Override
        public void close() {
            if (display != null) {
                display.close();
                display = null;
            }
        }
    }
}
