package io.safetyguard.llamacpp.internal;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.ModelFileException;
import io.safetyguard.llamacpp.internal.gguf.ModelPairReport;
import io.safetyguard.llamacpp.internal.gguf.ModelPairValidator;
import io.safetyguard.llamacpp.internal.gguf.ProjectorSummary;
import io.safetyguard.llamacpp.internal.gguf.TextModelSummary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What the backend needs to know about a model pair before llama.cpp touches it, read with the
 * pure-Java GGUF reader ({@link ModelPairValidator}): both files exist and are GGUF, they are the
 * right way round and belong together, and how many image tokens the projector can produce.
 */
public record ModelFiles(
        TextModelSummary text, ProjectorSummary projector, ContextMemory memory, List<String> warnings) {

    private static final int SAMPLE = 1 << 20; // first and last 1 MiB
    private static final int PROBES = 16; // plus 16 probes of 64 KiB in between
    private static final int PROBE_SIZE = 64 << 10;

    /** Reads and cross-checks both files; throws with every problem found, each naming its file. */
    public static ModelFiles inspect(Path model, Path mmproj) throws ModelException {
        ModelPairReport report = ModelPairValidator.validate(model, mmproj);
        if (!report.isValid()
                || report.textModel().isEmpty()
                || report.projector().isEmpty()) {
            List<String> errors = report.errors().isEmpty()
                    ? List.of("the model files " + model + " and " + mmproj + " cannot be used")
                    : report.errors();
            ModelFileException e = new ModelFileException(errors);
            throw new ModelException(e.getMessage(), e);
        }
        List<String> unsafe =
                ProjectorCheck.problems(mmproj, report.textModel().get().embeddingLength());
        if (!unsafe.isEmpty()) {
            ModelFileException e = new ModelFileException(unsafe);
            throw new ModelException(e.getMessage(), e);
        }
        ContextMemory memory;
        try {
            memory = ContextMemory.of(model);
        } catch (IOException e) {
            ModelFileException m = new ModelFileException(List.of("cannot read " + model + ": " + e.getMessage()));
            throw new ModelException(m.getMessage(), m);
        }
        return new ModelFiles(report.textModel().get(), report.projector().get(), memory, report.warnings());
    }

    public String architecture() {
        return text.architecture();
    }

    public Optional<String> llavaGuardVersion() {
        return text.declaredVersion().or(projector::declaredVersion);
    }

    public int textEmbeddingLength() {
        return (int) text.embeddingLength();
    }

    public String projectorType() {
        return projector.projectorType();
    }

    public int imageSize() {
        return (int) projector.imageSize();
    }

    public boolean tiny() {
        return text.tiny() || projector.tiny();
    }

    /** Tokens per tile: the llava "mlp" projector emits one token per patch. */
    public int tokensPerTile() {
        return (int) projector.tokensPerTile();
    }

    /**
     * The most image tokens libmtmd can produce for one image: tokens per tile × (tiles of the
     * largest pinpoint grid + 1 overview) with pinpoints, else one tile.
     */
    public int maxImageTokens() {
        return (int) Math.min(Integer.MAX_VALUE / 2, projector.maxTokensPerImage());
    }

    /**
     * A fast, sound identity for a model pair: SHA-256 over, for each file, its size, its first and
     * last MiB and 16 evenly spaced 64 KiB probes. The first MiB holds the GGUF header and metadata
     * (architecture, hyper-parameters, much of the vocabulary), the samples cover weights throughout
     * the file, so two different conversions or fine-tunes differ while reading only ~3 MiB per file
     * (a full SHA-256 of a multi-GB model would take seconds to minutes). File names and times are
     * not part of it: a copied or renamed model keeps its identity and its cached verdicts.
     */
    public static String identity(Path model, Path mmproj, String extra) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        md.update("safetyguard-model-id-v1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (Path p : new Path[] {model, mmproj}) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                long size = ch.size();
                md.update(ByteBuffer.allocate(8).putLong(size).array());
                digestRange(ch, md, 0, Math.min(size, SAMPLE));
                if (size > SAMPLE) {
                    for (int i = 1; i <= PROBES; i++) {
                        long off = size / (PROBES + 1) * i;
                        digestRange(ch, md, off, Math.min(PROBE_SIZE, size - off));
                    }
                    long tailStart = Math.max(SAMPLE, size - SAMPLE);
                    digestRange(ch, md, tailStart, size - tailStart);
                }
            }
        }
        md.update(extra.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest());
    }

    private static void digestRange(FileChannel ch, MessageDigest md, long off, long len) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(len, 1 << 20));
        long pos = off;
        long end = off + len;
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), end - pos));
            int r = ch.read(buf, pos);
            if (r <= 0) {
                break;
            }
            buf.flip();
            md.update(buf);
            pos += r;
        }
    }
}
