package io.safetyguard.cli.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Verdict lines written elsewhere, e.g. by the Spark audit job ({@code verdicts-jsonl/part-*.json}: one
 * JSON object per line, the keys of {@link VerdictRecord}), gathered into one {@code verdicts.jsonl}
 * so {@code guard audit --report-only} can render the report from it.
 */
public final class VerdictPartFiles {

    private VerdictPartFiles() {}

    /**
     * Copies every verdict line of {@code from} (a file, or a folder of {@code .json}/{@code .jsonl}
     * part files; names starting with {@code _} or {@code .} are the writer's bookkeeping and skipped)
     * to {@code log}. {@code file:} URIs become plain paths, so the report can preview local images.
     *
     * @return the number of lines copied
     * @throws VerdictLogFormatException naming the file and line when a line is not a verdict
     */
    public static long gather(Path from, Path log) throws IOException {
        List<Path> parts = parts(from);
        if (parts.isEmpty()) {
            throw new IOException(from + " holds no verdict files (.json or .jsonl part files)");
        }
        long n = 0;
        try (VerdictLogWriter writer = VerdictLogWriter.truncate(log)) {
            for (Path part : parts) {
                try (BufferedReader in = Files.newBufferedReader(part, StandardCharsets.UTF_8)) {
                    String line;
                    for (int lineNo = 1; (line = in.readLine()) != null; lineNo++) {
                        if (line.isBlank()) {
                            continue;
                        }
                        VerdictRecord r;
                        try {
                            r = VerdictRecord.parse(line);
                        } catch (IllegalArgumentException e) {
                            throw new VerdictLogFormatException(part + " line " + lineNo + ": " + e.getMessage(), e);
                        }
                        writer.append(localPath(r));
                        n++;
                    }
                }
            }
        }
        return n;
    }

    private static List<Path> parts(Path from) throws IOException {
        if (Files.isRegularFile(from)) {
            return List.of(from);
        }
        if (!Files.isDirectory(from)) {
            throw new IOException(from + " does not exist");
        }
        try (Stream<Path> files = Files.list(from)) {
            List<Path> parts = new ArrayList<>();
            files.filter(Files::isRegularFile)
                    .filter(p -> {
                        String name = p.getFileName().toString();
                        return !name.startsWith("_")
                                && !name.startsWith(".")
                                && (name.endsWith(".json") || name.endsWith(".jsonl"));
                    })
                    .sorted()
                    .forEach(parts::add);
            return parts;
        }
    }

    private static VerdictRecord localPath(VerdictRecord r) {
        if (!r.path().startsWith("file:")) {
            return r;
        }
        String local;
        try {
            local = Path.of(URI.create(r.path())).toString();
        } catch (RuntimeException e) {
            return r; // not a well-formed file URI: keep it as written
        }
        return new VerdictRecord(
                local,
                r.digest(),
                r.rating(),
                r.category(),
                r.rationale(),
                r.pUnsafe(),
                r.ms(),
                r.error(),
                r.policy(),
                r.modelRating(),
                r.unsafeThreshold(),
                r.generatedTokens());
    }
}
