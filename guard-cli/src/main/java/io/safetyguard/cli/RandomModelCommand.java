package io.safetyguard.cli;

import io.safetyguard.llamacpp.tools.tiny.RandomModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.RandomModelShape;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code guard model random}: a full-size random-weight model pair for benchmarks. */
@Command(
        name = "random",
        mixinStandardHelpOptions = true,
        description = {
            "Write a full-size random-weight model pair with a real LlavaGuard model's shapes, for benchmarks",
            "whose timings must reflect real compute (llavaguard-v1.2-0.5b: about 1.8 GB, a minute or two).",
            "Its verdicts are MEANINGLESS."
        })
final class RandomModelCommand implements Callable<Integer> {
    @Option(
            names = "--shape",
            paramLabel = "NAME",
            defaultValue = "llavaguard-v1.2-0.5b",
            description =
                    "Model shape: llavaguard-v1.2-0.5b (Qwen2-0.5B + SigLIP-so400m-384 + mlp2x). Default: ${DEFAULT-VALUE}.")
    String shape;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the files into.")
    Path out;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            description = "Seed of the random weights. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws IOException {
        RandomModelShape s;
        try {
            s = RandomModelShape.fromCliName(shape);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        TinyModelPair pair = RandomModelGenerator.generate(s, seed, Optional.empty(), out);
        System.out.println("model:  " + pair.model());
        System.out.println("mmproj: " + pair.mmproj());
        System.err.printf(
                "guard: wrote a full-size RANDOM-WEIGHT %s pair in %.0f s: its verdicts are meaningless; "
                        + "use it to measure speed (guard bench).%n",
                s.cliName(), (System.nanoTime() - t0) / 1e9);
        return ExitCodes.OK;
    }
}
