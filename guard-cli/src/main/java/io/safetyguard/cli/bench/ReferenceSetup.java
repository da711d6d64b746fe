package io.safetyguard.cli.bench;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The llama-mtmd-cli settings that make it do the same work as SafetyGuard: the same files, threads, context and
 * batch sizes, the exact prompt text, the same grammar and greedy decoding.
 *
 * @param cli          the llama-mtmd-cli binary
 * @param model        text model GGUF
 * @param mmproj       projector GGUF
 * @param promptFile   the full prompt, rendered by SafetyGuard's prompt layout (see {@link PromptFiles})
 * @param grammarFile  the GBNF grammar SafetyGuard constrains the answer with, or null for none
 * @param threads      CPU threads
 * @param gpuLayers    layers to offload (-1 all)
 * @param contextSize  context size in tokens
 * @param batchSize    logical batch size
 * @param ubatchSize   physical batch size
 * @param maxNewTokens cap on generated tokens
 */
public record ReferenceSetup(
        Path cli,
        Path model,
        Path mmproj,
        Path promptFile,
        Path grammarFile,
        int threads,
        int gpuLayers,
        int contextSize,
        int batchSize,
        int ubatchSize,
        int maxNewTokens) {

    /**
     * A Jinja chat template that outputs each message's content unchanged. The prompt file already holds the whole
     * conversation as SafetyGuard renders it, so mtmd-cli must not add its own template around it (its ChatML
     * template with {@code --system-prompt} would insert an extra newline between the system and user turns).
     */
    static final String VERBATIM_TEMPLATE = "{%- for message in messages -%}{{- message['content'] -}}{%- endfor -%}";

    public ReferenceSetup {
        Objects.requireNonNull(cli, "cli");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(mmproj, "mmproj");
        Objects.requireNonNull(promptFile, "promptFile");
    }

    /** The command line for one image. */
    public java.util.List<String> command(Path image) {
        java.util.List<String> c = new java.util.ArrayList<>(java.util.List.of(
                cli.toString(),
                "-m",
                model.toString(),
                "--mmproj",
                mmproj.toString(),
                "--image",
                image.toString(),
                "-f",
                promptFile.toString(),
                "--no-escape", // the policy text is literal, not an escaped string
                "--jinja",
                "--chat-template",
                VERBATIM_TEMPLATE,
                "--temp",
                "0",
                "--top-k",
                "1", // greedy, as SafetyGuard's GenerationOptions.withGreedy(true)
                "-n",
                Integer.toString(maxNewTokens),
                "-t",
                Integer.toString(threads),
                "-tb",
                Integer.toString(threads),
                "-c",
                Integer.toString(contextSize),
                "-b",
                Integer.toString(batchSize),
                "-ub",
                Integer.toString(ubatchSize),
                "-ngl",
                Integer.toString(gpuLayers),
                "-lv",
                "4")); // llama.cpp's INFO lines carry the timings
        if (grammarFile != null) {
            c.addAll(java.util.List.of("--grammar-file", grammarFile.toString()));
        }
        return java.util.List.copyOf(c);
    }
}
