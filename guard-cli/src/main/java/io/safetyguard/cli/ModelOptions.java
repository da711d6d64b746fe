package io.safetyguard.cli;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.llamacpp.ImagePipeline;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.internal.gguf.ModelFileInspector;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options that load a model pair through llama.cpp, or name the servers to use instead
 * ({@code --endpoint}), shared by every command that runs a model.
 */
final class ModelOptions {

    @Option(
            names = "--model",
            paramLabel = "FILE.gguf",
            description = "The LlavaGuard text model (GGUF); required unless --endpoint is given.")
    Path model;

    @Option(
            names = "--mmproj",
            paramLabel = "FILE.gguf",
            description = "Its vision projector (mmproj GGUF); required with --model.")
    Path mmproj;

    @Mixin
    EndpointOptions remote = new EndpointOptions();

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(
            names = "--gpu-layers",
            paramLabel = "N",
            defaultValue = "-1",
            description = "Layers to offload to the GPU; -1 = all (default), 0 = CPU only. Ignored by CPU builds.")
    int gpuLayers;

    @Option(
            names = "--ctx-size",
            paramLabel = "N",
            description = "Context size in tokens (default: enough for image + policy).")
    Integer contextSize;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "1",
            description = "Images evaluated at once (one llama.cpp context each). Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "1",
            description = "Images decoded together in one llama.cpp context (batched decoding, one forward pass per "
                    + "token for all of them); replaces --parallel. Default: ${DEFAULT-VALUE} (one at a time).")
    int batch;

    @Option(
            names = "--encoder-overlap",
            paramLabel = "MODE",
            defaultValue = "AUTO",
            description = "With --batch: AUTO (default: image encodes and the batched context take turns when both "
                    + "together need more threads than there are cores), OVERLAP or TAKE_TURNS.")
    LlamaCppConfig.EncoderOverlap encoderOverlap;

    @Option(
            names = "--image-pipeline",
            paramLabel = "NAME",
            defaultValue = "REFERENCE",
            description =
                    "REFERENCE (default: the Hugging Face image layout) or LLAMA_CPP (libmtmd's, as llama-mtmd-cli).")
    ImagePipeline imagePipeline;

    @Option(
            names = "--no-prefix-reuse",
            description = "Decode the prompt before the image anew for every image "
                    + "(for measurements; the answers are the same).")
    boolean noPrefixReuse;

    /** The in-process model, or the servers when {@code --endpoint} is given. */
    SafetyModel open() throws ModelException {
        if (remote.used()) {
            if (model != null || mmproj != null) {
                throw new BadInputException("--endpoint sends images to servers that hold the model; "
                        + "do not combine it with --model/--mmproj");
            }
            return remote.open();
        }
        if (model == null || mmproj == null) {
            throw new BadInputException("give the model pair (--model FILE.gguf --mmproj FILE.gguf) "
                    + "or the servers that run it (--endpoint URL)");
        }
        return openLocal();
    }

    /** Images to keep in flight: --parallel or --batch, or what the servers can take at once when that is more. */
    int effectiveParallel() {
        return remote.used() ? Math.max(parallel, remote.capacity()) : Math.max(parallel, batch);
    }

    /** The model for reports: its file, or the endpoints. */
    String modelDescription() {
        return remote.used() ? String.join(" ", remote.endpoints) : String.valueOf(model);
    }

    /** The projector for reports: its file, or that the servers hold it. */
    String mmprojDescription() {
        return remote.used() ? "(on the servers)" : String.valueOf(mmproj);
    }

    private LlamaCppModel openLocal() throws ModelException {
        LlamaCppConfig.Builder builder = LlamaCppConfig.builder(model, mmproj)
                .gpuLayers(gpuLayers)
                .parallelContexts(parallel)
                .sequences(batch)
                .encoderOverlap(encoderOverlap)
                .imagePipeline(imagePipeline)
                .reusePrefix(!noPrefixReuse);
        if (threads != null) {
            builder.threads(threads);
        }
        if (contextSize != null) {
            builder.contextSize(contextSize);
        }
        return LlamaCppModel.open(builder.build());
    }

    /** Whether the text model is a tiny random-weight test model (then every verdict is meaningless). */
    boolean isTinyTestModel() {
        if (model == null) {
            return false; // remote: the servers know what they serve
        }
        try {
            return ModelFileInspector.inspectTextModel(model).tiny();
        } catch (IOException | RuntimeException e) {
            return false; // open() reports the real problem with the file
        }
    }
}
