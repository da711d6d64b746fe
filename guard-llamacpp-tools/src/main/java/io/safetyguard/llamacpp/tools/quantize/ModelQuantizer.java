package io.safetyguard.llamacpp.tools.quantize;

import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.ModelFileInspector;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.internal.gguf.TextModelSummary;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Objects;

/**
 * Quantizes a GGUF text model with llama.cpp's own {@code llama_model_quantize} (as {@code llama-quantize} does
 * with its defaults), so converting a model needs no llama.cpp build besides SafetyGuard's natives; an mmproj
 * (to Q8_0 only) with {@link MmprojQuantizer}, since the pinned llama.cpp has no quantizer for clip files.
 *
 * <p>The input is checked in Java first: a text model llama.cpp can load, or an mmproj. The output is written
 * under a temporary name next to the target and moved into place only when quantizing succeeded.
 */
public final class ModelQuantizer {

    /**
     * What a quantization produced.
     *
     * @param output      the quantized file
     * @param inputBytes  size of the input file
     * @param outputBytes size of the output file
     * @param fileType    the output's {@code general.file_type} as read back, e.g. {@code Q8_0}
     * @param elapsed     wall time of the quantization
     */
    public record Result(Path output, long inputBytes, long outputBytes, String fileType, Duration elapsed) {}

    private ModelQuantizer() {}

    /**
     * Quantizes {@code input} into {@code output}.
     *
     * @param threads   threads llama.cpp quantizes with, at least 1
     * @param overwrite replace {@code output} when it exists (it may never be the input)
     * @throws IllegalArgumentException when the input is not a loadable text model or an mmproj, an mmproj is
     *                                  asked for another type than Q8_0, the output exists without
     *                                  {@code overwrite}, or is the input
     * @throws IOException              when llama.cpp fails (the message carries its log lines) or files cannot
     *                                  be read or written
     */
    public static Result quantize(Path input, Path output, QuantizationType type, int threads, boolean overwrite)
            throws IOException {
        Objects.requireNonNull(type, "type");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (!Files.isRegularFile(input)) {
            throw new java.nio.file.NoSuchFileException(input.toString());
        }
        GgufFile in = GgufReader.read(input);
        boolean mmproj = isMmproj(in);
        if (mmproj) {
            MmprojQuantizer.ggmlType(type);
        } else {
            checkTextModel(in);
        }
        Path target = output.toAbsolutePath();
        if (Files.exists(target)) {
            if (Files.isSameFile(input, target)) {
                throw new IllegalArgumentException(
                        "the output " + output + " is the input; write the quantized " + "model to a new file");
            }
            if (!overwrite) {
                throw new IllegalArgumentException(
                        output + " exists; choose another name or allow replacing it " + "(--overwrite)");
            }
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".partial");
        long start = System.nanoTime();
        try {
            NativeBridge.ensureInitialised();
            if (mmproj) {
                MmprojQuantizer.write(in, tmp, type);
                move(tmp, target);
                return new Result(
                        output,
                        Files.size(input),
                        Files.size(target),
                        type.name(),
                        Duration.ofNanos(System.nanoTime() - start));
            }
            NativeBridge.clearRecentProblems();
            int rc = NativeBridge.modelQuantize(
                    NativeBridge.utf8(input.toAbsolutePath().toString()),
                    NativeBridge.utf8(tmp.toString()),
                    type.llamaFtype(),
                    threads);
            if (rc != 0) {
                String why = NativeBridge.recentProblems();
                throw new IOException("llama.cpp could not quantize " + input + " to " + type + " (code " + rc + ")"
                        + (why.isEmpty() ? "" : ": " + why));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            TextModelSummary written = ModelFileInspector.inspectTextModel(GgufReader.read(tmp));
            move(tmp, target);
            return new Result(output, Files.size(input), Files.size(target), written.fileTypeName(), elapsed);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean isMmproj(GgufFile f) throws IOException {
        return ModelKeys.CLIP_ARCHITECTURE.equals(
                f.findString(ModelKeys.ARCHITECTURE).orElse(""));
    }

    private static void checkTextModel(GgufFile f) {
        try {
            ModelFileInspector.inspectTextModel(f);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot quantize: " + e.getMessage(), e);
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
