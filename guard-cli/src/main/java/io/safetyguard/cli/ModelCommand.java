package io.safetyguard.cli;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.ModelFileInspector;
import io.safetyguard.llamacpp.internal.gguf.ProjectorSummary;
import io.safetyguard.llamacpp.internal.gguf.TextModelSummary;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guard model inspect|set-meta|quantize|image-tokens|tiny|random|synthetic-checkpoint}. */
@Command(
        name = "model",
        description = "Inspect, fix up and quantize model files, plan image tokens, or write a tiny "
                + "smoke-test or a full-size random-weight model pair, or a synthetic Hugging Face checkpoint.",
        mixinStandardHelpOptions = true,
        subcommands = {
            ModelCommand.Inspect.class,
            SetMetaCommand.class,
            QuantizeCommand.class,
            ImageTokensCommand.class,
            ModelCommand.Tiny.class,
            RandomModelCommand.class,
            SyntheticCheckpointCommand.class
        })
final class ModelCommand {

    @Command(
            name = "inspect",
            mixinStandardHelpOptions = true,
            description = "Print what a GGUF text model or mmproj says about itself (read in Java; nothing is loaded).")
    static final class Inspect implements Callable<Integer> {
        @Parameters(
                paramLabel = "FILE.gguf",
                arity = "1..*",
                description = "GGUF files: text models or mmproj projectors.")
        List<Path> files = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            PrintStream out = System.out;
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    throw new BadInputException(file + ": no such file");
                }
                GgufFile gguf = GgufReader.read(file);
                boolean projector =
                        "clip".equals(gguf.findString("general.architecture").orElse(""));
                out.println(file);
                if (projector) {
                    printProjector(out, ModelFileInspector.inspectProjector(gguf));
                } else {
                    printTextModel(out, ModelFileInspector.inspectTextModel(gguf));
                }
            }
            return ExitCodes.OK;
        }

        private static void printTextModel(PrintStream out, TextModelSummary s) {
            row(out, "kind", "text model");
            row(out, "architecture", s.architecture());
            row(out, "layers", s.blockCount());
            row(out, "embedding width", s.embeddingLength());
            row(
                    out,
                    "context length",
                    s.contextLength().isPresent() ? s.contextLength().getAsLong() : "not recorded");
            row(out, "vocab", s.vocabSize() + " tokens (" + s.tokenizerModel().orElse("no tokenizer") + ")");
            row(
                    out,
                    "chat template",
                    s.hasChatTemplate() ? "present" : "absent (SafetyGuard builds the prompt itself)");
            row(out, "quantization", s.fileTypeName());
            row(out, "tensors", s.tensorCount());
            row(
                    out,
                    "llavaguard family",
                    s.family().description() + (s.familyDeclared() ? "" : " (guessed from the architecture)"));
            if (s.tiny()) {
                row(out, "note", "TINY RANDOM-WEIGHT TEST MODEL: its verdicts are meaningless");
            }
        }

        private static void printProjector(PrintStream out, ProjectorSummary s) {
            row(out, "kind", "vision projector (mmproj)");
            row(out, "projector", s.projectorType());
            row(out, "vision encoder", s.hasVisionEncoder() ? "yes" : "NO (this mmproj cannot read images)");
            row(
                    out,
                    "vision tower",
                    s.blockCount() + " layers, width " + s.embeddingLength()
                            + (s.hasClassEmbedding()
                                    ? ", CLIP-style (class embedding)"
                                    : ", SigLIP-style (no class embedding)"));
            row(
                    out,
                    "image size",
                    s.imageSize() + " px tiles, patch " + s.patchSize() + " (" + s.tokensPerTile()
                            + " tokens per tile)");
            row(
                    out,
                    "output width",
                    s.projectionOutputWidth().isPresent()
                            ? s.projectionOutputWidth().getAsLong() + " (from "
                                    + s.projectionOutputTensor().orElse("?") + ")"
                            : "unknown (no mm.* weight)");
            row(out, "pinpoints", s.pinpoints().isEmpty() ? "none (one tile per image)" : pairs(s.pinpoints()));
            row(
                    out,
                    "feature layer",
                    s.featureLayers().isEmpty() ? "not set (llama.cpp runs one layer short)" : s.featureLayers());
            row(out, "gelu", s.useGelu().map(g -> g ? "gelu" : "gelu-quick").orElse("not set (gelu-quick)"));
            row(out, "mean / std", s.imageMean() + " / " + s.imageStd());
            row(out, "image newline", s.hasImageNewline() ? "present" : "absent");
            row(out, "max image tokens", s.maxTokensPerImage());
            row(out, "tensors", s.tensorCount());
            s.declaredVersion().ifPresent(v -> row(out, "llavaguard version", v));
            if (s.tiny()) {
                row(out, "note", "TINY RANDOM-WEIGHT TEST MODEL: its verdicts are meaningless");
            }
        }

        private static String pairs(List<Integer> flat) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(flat.get(i)).append('x').append(flat.get(i + 1));
            }
            return sb.toString();
        }

        private static void row(PrintStream out, String key, Object value) {
            out.printf("  %-18s %s%n", key + ":", value);
        }
    }

    @Command(
            name = "tiny",
            mixinStandardHelpOptions = true,
            description = {
                "Write a tiny random-weight model pair for smoke tests.",
                "Its verdicts are MEANINGLESS: it only shows that the pipeline runs end to end."
            })
    static final class Tiny implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the files into.")
        Path out;

        @Option(
                names = "--flavor",
                paramLabel = "NAME",
                defaultValue = "qwen2-siglip",
                description =
                        "qwen2-siglip (shaped like LlavaGuard v1.2), llama-clip (like v1.0/v1.1) or all. Default: ${DEFAULT-VALUE}.")
        String flavor;

        @Override
        public Integer call() throws IOException {
            List<TinyModelFlavor> flavors =
                    "all".equals(flavor) ? List.of(TinyModelFlavor.values()) : List.of(parseFlavor(flavor));
            Files.createDirectories(out);
            for (TinyModelFlavor f : flavors) {
                TinyModelPair pair = TinyModelGenerator.generate(f, out);
                System.out.println("model:  " + pair.model());
                System.out.println("mmproj: " + pair.mmproj());
            }
            System.err.println("guard: wrote a tiny RANDOM-WEIGHT model pair: its verdicts are meaningless; "
                    + "use it to check that the pipeline runs. Real models: see docs/models.md.");
            return ExitCodes.OK;
        }

        private static TinyModelFlavor parseFlavor(String name) {
            try {
                return TinyModelFlavor.fromCliName(name);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("unknown --flavor '" + name + "'; use qwen2-siglip, llama-clip or all", e);
            }
        }
    }
}
