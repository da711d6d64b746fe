package io.safetyguard.cli.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Reads {@code verdicts.jsonl} and repairs the one kind of damage a killed audit can leave: a last
 * line cut off mid-write. Each line is written with a single {@code write} call, so every line but
 * the last is complete; the last is either complete, or complete but missing its line break, or
 * partial. {@link #repair} drops a partial last line (that image is then assessed again) and adds a
 * missing line break, so the next line appended starts cleanly.
 *
 * <p>Records are streamed to a consumer rather than collected, so a log of millions of lines does
 * not need to fit in memory.
 */
public final class VerdictLog {
    /** The file name inside the audit's output folder. */
    public static final String FILE_NAME = "verdicts.jsonl";

    private VerdictLog() {}

    /**
     * What reading found.
     *
     * @param records      complete lines read
     * @param cleanLength  bytes up to and including the last complete line's line break
     * @param partialTail  the text after the last line break that is not a complete record, or null
     * @param missingBreak the last record is complete but has no line break after it
     */
    public record Contents(long records, long cleanLength, String partialTail, boolean missingBreak) {
        /** Whether {@link #repair} would change the file. */
        public boolean needsRepair() {
            return partialTail != null || missingBreak;
        }
    }

    /**
     * Streams every complete record of {@code file} to {@code sink}, in file order; a partial last
     * line is left out and described in the result. Does not change the file.
     *
     * @throws VerdictLogFormatException when a line other than the last is not a verdict record
     */
    public static Contents read(Path file, Consumer<VerdictRecord> sink) throws IOException {
        long records = 0;
        long offset = 0;
        long lineNumber = 0;
        try (InputStream in = Files.newInputStream(file)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
            byte[] chunk = new byte[1 << 16];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != '\n') {
                        continue;
                    }
                    line.write(chunk, start, i - start);
                    start = i + 1;
                    lineNumber++;
                    offset += line.size() + 1;
                    if (accept(file, lineNumber, line.toString(StandardCharsets.UTF_8), sink)) {
                        records++;
                    }
                    line.reset();
                }
                line.write(chunk, start, n - start);
            }
            if (line.size() == 0) {
                return new Contents(records, offset, null, false);
            }
            String tail = line.toString(StandardCharsets.UTF_8);
            VerdictRecord last;
            try {
                last = VerdictRecord.parse(tail);
            } catch (IllegalArgumentException cutOff) {
                return new Contents(records, offset, tail, false);
            }
            sink.accept(last);
            return new Contents(records + 1, offset, null, true);
        }
    }

    /** Parses a complete line and hands it on; false for a blank line. */
    private static boolean accept(Path file, long lineNumber, String text, Consumer<VerdictRecord> sink) {
        if (text.isBlank()) {
            return false;
        }
        VerdictRecord record;
        try {
            record = VerdictRecord.parse(text);
        } catch (IllegalArgumentException e) {
            throw new VerdictLogFormatException(
                    file + " line " + lineNumber + " is not a verdict record: "
                            + e.getMessage() + ". It was not written by guard audit, or was edited; fix or delete that "
                            + "line, or rerun with --overwrite to start the audit again.",
                    e);
        }
        sink.accept(record);
        return true;
    }

    /**
     * Reads the file like {@link #read} and then makes it end cleanly: truncates a partial last line
     * and adds a missing final line break.
     *
     * @return what was found before the repair
     */
    public static Contents repair(Path file, Consumer<VerdictRecord> sink) throws IOException {
        Contents contents = read(file, sink);
        if (contents.partialTail() != null) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(contents.cleanLength());
            }
        } else if (contents.missingBreak()) {
            Files.write(file, new byte[] {'\n'}, StandardOpenOption.APPEND);
        }
        return contents;
    }
}
