package io.safetyguard.examples.cli;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.ImagePipeline;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.gguf.ModelFileInspector;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that load a model pair through llama.cpp, shared by every command that runs a model. */
final class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "FILE.gguf", description = "The LlavaGuard text model (GGUF).")
    Path model;

    @Option(names = "--mmproj", required = true, paramLabel = "FILE.gguf", description = "Its vision projector (mmproj GGUF).")
    Path mmproj;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--gpu-layers", paramLabel = "N", defaultValue = "-1",
            description = "Layers to offload to the GPU; -1 = all (default), 0 = CPU only. Ignored by CPU builds.")
    int gpuLayers;

    @Option(names = "--ctx-size", paramLabel = "N", description = "Context size in tokens (default: enough for image + policy).")
    Integer contextSize;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
            description = "Images evaluated at once (one llama.cpp context each). Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(names = "--image-pipeline", paramLabel = "NAME", defaultValue = "REFERENCE",
            description = "REFERENCE (default: the Hugging Face image layout) or LLAMA_CPP (libmtmd's, as llama-mtmd-cli).")
    ImagePipeline imagePipeline;

    @Option(names = "--no-prefix-reuse", description = "Decode the prompt before the image anew for every image "
            + "(for measurements; the answers are the same).")
    boolean noPrefixReuse;

    LlamaCppModel open() throws ModelException {
        LlamaCppConfig.Builder builder = LlamaCppConfig.builder(model, mmproj).gpuLayers(gpuLayers).parallelContexts(parallel)
                .imagePipeline(imagePipeline).reusePrefix(!noPrefixReuse);
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
        try {
            return ModelFileInspector.inspectTextModel(model).tiny();
        } catch (IOException | RuntimeException e) {
            return false; // open() reports the real problem with the file
        }
    }
}
