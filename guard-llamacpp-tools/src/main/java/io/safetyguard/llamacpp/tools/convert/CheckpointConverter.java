package io.safetyguard.llamacpp.tools.convert;

import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.LlavaGuardFamily;
import io.safetyguard.llamacpp.internal.gguf.ModelPairReport;
import io.safetyguard.llamacpp.internal.gguf.ModelPairValidator;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import io.safetyguard.llamacpp.tools.quantize.ModelQuantizer;
import io.safetyguard.llamacpp.tools.quantize.QuantizationType;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Converts a LlavaGuard checkpoint as published on Hugging Face ({@code LlavaOnevisionForConditionalGeneration} or
 * {@code LlavaForConditionalGeneration}, safetensors in BF16/F16/F32, single file or sharded, either tensor key
 * layout) into the two GGUF files SafetyGuard loads: {@code NAME.gguf} (text model with tokenizer) and
 * {@code NAME-mmproj.gguf} (vision tower and projector), with every key the pinned llama.cpp and SafetyGuard read.
 *
 * <p>Tensor data is streamed chunk by chunk, so a 13B checkpoint converts in a heap of a few hundred MB. Both files
 * are written under temporary hidden names in the output folder and moved into place only when both are complete
 * and pass the same model-pair check {@code LlamaCppModel.open} runs; a failure, an interrupt or a JVM shutdown
 * deletes the temporaries and leaves nothing under the final names.
 */
public final class CheckpointConverter {
    private static final String MMPROJ_SUFFIX = "-mmproj";
    private static final String GGUF = ".gguf";

    private CheckpointConverter() {}

    /**
     * Converts {@code checkpointDir}.
     *
     * @throws CheckpointException when the checkpoint is incomplete, damaged or unsupported, or a target exists
     *                             without {@link ConvertOptions#overwrite()}; nothing is written then
     * @throws IOException         when reading or writing fails (or llama.cpp's quantizer does); no output is left
     */
    public static ConvertedModel convert(Path checkpointDir, ConvertOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        long start = System.nanoTime();
        Path dir = checkpointDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(checkpointDir + " is not a folder; pass the Hugging Face checkpoint folder "
                    + "(with config.json and the .safetensors files)");
        }
        String name = options.name().orElse(String.valueOf(dir.getFileName()));
        Path outDir = options.outDir().toAbsolutePath().normalize();
        Path modelTarget = outDir.resolve(name + GGUF);
        Path mmprojTarget = outDir.resolve(name + MMPROJ_SUFFIX + GGUF);
        if (!options.overwrite()) {
            for (Path p : new Path[] {modelTarget, mmprojTarget}) {
                if (Files.exists(p)) {
                    throw new CheckpointException(
                            p + " exists; choose another name or folder, or allow replacing it (--overwrite)");
                }
            }
        }

        CheckpointConfig config = CheckpointConfig.read(dir);
        String version = options.llavaGuardVersion().orElse(config.defaultLlavaGuardVersion());
        checkVersion(config, version);
        try (CheckpointTensors tensors = CheckpointTensors.open(dir)) {
            KeyLayout layout = KeyLayout.detect(tensors.all().keySet());
            TensorMapper.Plan plan = TensorMapper.plan(config, layout, tensors.all());
            Map<String, GgufValue> tokenizer = tokenizer(dir, config);

            Files.createDirectories(outDir);
            long total = plan.sourceBytes();
            AtomicLong done = new AtomicLong();
            ConvertProgress progress = options.progress();
            TensorStreamer streamer = new TensorStreamer(tensors, n -> progress.bytesRead(done.addAndGet(n), total));
            String generalName = String.valueOf(dir.getFileName());
            try (PartialFiles partial = new PartialFiles(outDir, name)) {
                Path mmprojTmp = writeMmproj(partial, config, plan, generalName, version, options, streamer);
                Path textTmp =
                        writeTextModel(partial, config, plan, tokenizer, generalName, version, options, streamer);
                checkPair(textTmp, mmprojTmp);
                publish(partial, textTmp, modelTarget, mmprojTmp, mmprojTarget, options.overwrite());
            }
            return new ConvertedModel(
                    modelTarget,
                    mmprojTarget,
                    options.type(),
                    version,
                    layout,
                    total,
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Writes the text model in the requested type: a float type directly, anything else quantized from F16. */
    private static Path writeTextModel(
            PartialFiles partial,
            CheckpointConfig config,
            TensorMapper.Plan plan,
            Map<String, GgufValue> tokenizer,
            String generalName,
            String version,
            ConvertOptions options,
            TensorStreamer streamer)
            throws IOException {
        QuantizationType type = options.type();
        boolean direct = isFloat(type);
        Path textTmp = partial.path(direct ? "model" : "model-f16");
        GgufWriter text = new GgufWriter(textTmp);
        TextModelGguf.declare(
                text,
                config,
                plan.text(),
                tokenizer,
                generalName,
                version,
                direct ? floatType(type) : GgmlType.F16,
                streamer);
        text.write();
        if (direct) {
            return textTmp;
        }
        options.progress().step("quantizing to " + type);
        Path quantized = partial.path("model");
        ModelQuantizer.quantize(textTmp, quantized, type, options.threads(), true);
        Files.delete(textTmp);
        return quantized;
    }

    /** Writes the mmproj: F16 or F32 directly, Q8_0 quantized from F16. */
    private static Path writeMmproj(
            PartialFiles partial,
            CheckpointConfig config,
            TensorMapper.Plan plan,
            String generalName,
            String version,
            ConvertOptions options,
            TensorStreamer streamer)
            throws IOException {
        QuantizationType type = options.mmprojType();
        boolean direct = isFloat(type);
        Path tmp = partial.path(direct ? "mmproj" : "mmproj-f16");
        GgufWriter mmproj = new GgufWriter(tmp);
        ProjectorGguf.declare(
                mmproj,
                config,
                plan.projector(),
                generalName + " mmproj",
                version,
                direct ? floatType(type) : GgmlType.F16,
                streamer);
        mmproj.write();
        if (direct) {
            return tmp;
        }
        options.progress().step("quantizing the mmproj to " + type);
        Path quantized = partial.path("mmproj");
        ModelQuantizer.quantize(tmp, quantized, type, options.threads(), true);
        Files.delete(tmp);
        return quantized;
    }

    /** Moves the finished pair under its final names, both or neither. */
    private static void publish(
            PartialFiles partial, Path textTmp, Path modelTarget, Path mmprojTmp, Path mmprojTarget, boolean overwrite)
            throws IOException {
        partial.makeReadableLikeANewFile(textTmp);
        partial.makeReadableLikeANewFile(mmprojTmp);
        if (partial.aborted()) {
            throw new InterruptedIOException("conversion interrupted");
        }
        moveIntoPlace(mmprojTmp, mmprojTarget, overwrite);
        try {
            moveIntoPlace(textTmp, modelTarget, overwrite);
        } catch (IOException e) {
            Files.deleteIfExists(mmprojTarget); // never one file of the pair without the other
            throw e;
        }
    }

    /** The tokenizer keys; a missing or malformed tokenizer file is the checkpoint's problem, reported as such. */
    private static Map<String, GgufValue> tokenizer(Path dir, CheckpointConfig config) throws IOException {
        try {
            return HfTokenizerReader.read(
                    dir, config.text().architecture(), config.text().vocabSize());
        } catch (CheckpointException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new CheckpointException(e.getFile() + ": no such file (the checkpoint's tokenizer)", e);
        } catch (IOException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
    }

    /** The version must be one of the checkpoint's family (the prompt layout follows it). */
    private static void checkVersion(CheckpointConfig config, String version) throws CheckpointException {
        LlavaGuardFamily family = LlavaGuardFamily.fromVersion(version);
        LlavaGuardFamily expected =
                config.onevision() ? LlavaGuardFamily.ONEVISION_V1_2 : LlavaGuardFamily.VICUNA_V1_0_V1_1;
        if (family != expected) {
            throw new CheckpointException("LlavaGuard " + version + " is not a "
                    + (config.onevision() ? CheckpointConfig.ONEVISION : CheckpointConfig.LLAVA)
                    + " checkpoint; " + (config.onevision() ? "use v1.2" : "use v1.0 or v1.1"));
        }
    }

    /** The same checks {@code LlamaCppModel.open} runs; a failure here is a converter bug, never shipped. */
    private static void checkPair(Path text, Path mmproj) throws CheckpointException {
        ModelPairReport report = ModelPairValidator.validate(text, mmproj);
        if (!report.errors().isEmpty()) {
            throw new CheckpointException(
                    "the converted files fail SafetyGuard's model-pair check: " + String.join("; ", report.errors()));
        }
    }

    private static boolean isFloat(QuantizationType t) {
        return t == QuantizationType.F16 || t == QuantizationType.F32 || t == QuantizationType.BF16;
    }

    private static GgmlType floatType(QuantizationType t) {
        return switch (t) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            default -> throw new IllegalArgumentException("not a float type: " + t);
        };
    }

    private static void moveIntoPlace(Path tmp, Path target, boolean overwrite) throws IOException {
        try {
            if (overwrite) {
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                Files.move(tmp, target); // fails rather than replace a file that appeared meanwhile
            }
        } catch (FileAlreadyExistsException e) {
            throw new CheckpointException(target + " appeared while converting; not replaced (--overwrite)", e);
        }
    }
}
