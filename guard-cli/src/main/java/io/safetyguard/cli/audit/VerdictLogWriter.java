package io.safetyguard.cli.audit;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends records to {@code verdicts.jsonl}, one line per {@link #append} call. Each line, with its
 * line break, goes to the operating system in one unbuffered {@code write}: once {@code append}
 * returns, killing the JVM cannot lose the line (the OS holds it), and a kill during the call leaves
 * at most one partial last line, which {@link VerdictLog#repair} removes. There is no fsync per line:
 * that would only protect against power loss, at the cost of a disk flush per image.
 *
 * <p>Not thread-safe: the audit writes from one thread, in input order.
 */
public final class VerdictLogWriter implements Closeable {
    private final OutputStream out;

    private VerdictLogWriter(OutputStream out) {
        this.out = out;
    }

    /** Opens {@code file} for appending, creating it if needed. */
    public static VerdictLogWriter append(Path file) throws IOException {
        return new VerdictLogWriter(Files.newOutputStream(
                file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    }

    /** Creates {@code file}, or empties it if it exists. */
    public static VerdictLogWriter truncate(Path file) throws IOException {
        return new VerdictLogWriter(Files.newOutputStream(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
    }

    /** Writes one record as a line. */
    public void append(VerdictRecord record) throws IOException {
        out.write((record.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
