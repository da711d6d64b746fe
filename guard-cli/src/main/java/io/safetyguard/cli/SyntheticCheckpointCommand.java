package io.safetyguard.cli;

import io.safetyguard.llamacpp.tools.tiny.HfArchitecture;
import io.safetyguard.llamacpp.tools.tiny.HfKeyLayout;
import io.safetyguard.llamacpp.tools.tiny.SafetensorsDtype;
import io.safetyguard.llamacpp.tools.tiny.SyntheticCheckpoint;
import io.safetyguard.llamacpp.tools.tiny.SyntheticCheckpointOptions;
import io.safetyguard.llamacpp.tools.tiny.SyntheticShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code guard model synthetic-checkpoint}: a random-weight Hugging Face checkpoint in a published LlavaGuard format. */
@Command(
        name = "synthetic-checkpoint",
        mixinStandardHelpOptions = true,
        description = {
            "Write a random-weight Hugging Face checkpoint in the format a LlavaGuard -hf checkpoint is published in",
            "(config.json, safetensors weights, tokenizer and processor files), to test or time 'guard model convert'.",
            "Its verdicts are MEANINGLESS."
        })
final class SyntheticCheckpointCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the checkpoint into.")
    Path out;

    @Option(
            names = "--arch",
            paramLabel = "NAME",
            defaultValue = "onevision",
            description = "onevision (Qwen2 + SigLIP, like v1.2 OV) or llava (Llama + CLIP, like v1.0/v1.1). "
                    + "Default: ${DEFAULT-VALUE}.")
    String arch;

    @Option(
            names = "--layout",
            paramLabel = "NAME",
            defaultValue = "legacy",
            description = "Tensor keys as transformers wrote them before 4.52 (legacy) or since (current). "
                    + "Default: ${DEFAULT-VALUE}.")
    String layout;

    @Option(
            names = "--shape",
            paramLabel = "NAME",
            defaultValue = "tiny",
            description = "tiny, or llavaguard-v1.2-0.5b (the real 0.5B OV shapes, about 1.8 GB in bf16). "
                    + "Default: ${DEFAULT-VALUE}.")
    String shape;

    @Option(
            names = "--shards",
            paramLabel = "N",
            defaultValue = "1",
            description = "1 writes model.safetensors; more write model-0000i-of-0000N.safetensors and "
                    + "model.safetensors.index.json. Default: ${DEFAULT-VALUE}.")
    int shards;

    @Option(
            names = "--untied",
            description = "Write a separate output matrix (lm_head); by default OneVision ties it to the embeddings "
                    + "as the 0.5B model does and LLaVA does not.")
    boolean untied;

    @Option(
            names = "--dtype",
            paramLabel = "TYPE",
            defaultValue = "bf16",
            description = "bf16, f16 or f32. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            description = "Seed of the random weights. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws IOException {
        HfArchitecture a = parse("--arch", arch, HfArchitecture::fromCliName);
        SyntheticCheckpointOptions.Builder b = SyntheticCheckpointOptions.builder()
                .architecture(a)
                .layout(parse("--layout", layout, HfKeyLayout::fromCliName))
                .shape(parse("--shape", shape, SyntheticShape::fromCliName))
                .dtype(parse("--dtype", dtype, SafetensorsDtype::fromCliName))
                .shards(shards)
                .seed(seed);
        if (untied) {
            b.tiedEmbeddings(false);
        }
        SyntheticCheckpointOptions options;
        try {
            options = b.build();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        SyntheticCheckpoint ckpt;
        try {
            ckpt = SyntheticCheckpoint.write(options, out);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        long bytes = 0;
        for (Path f : ckpt.weightFiles()) {
            bytes += Files.size(f);
        }
        System.out.println("checkpoint: " + out);
        System.err.printf(
                "guard: wrote a RANDOM-WEIGHT %s %s checkpoint (%s keys, %d weight file(s), %.1f MB) in %.1f s; "
                        + "its verdicts are meaningless.%n",
                options.shape().cliName(),
                a.className(),
                options.layout().name().toLowerCase(java.util.Locale.ROOT),
                ckpt.weightFiles().size(),
                bytes / 1e6,
                (System.nanoTime() - t0) / 1e9);
        return ExitCodes.OK;
    }

    private static <T> T parse(String option, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(option + ": " + e.getMessage(), e);
        }
    }
}
