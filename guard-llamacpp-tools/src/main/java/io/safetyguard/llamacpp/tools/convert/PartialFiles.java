package io.safetyguard.llamacpp.tools.convert;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The temporary files of one conversion: all named with one unique hidden prefix in the output folder, so that
 * they, and the temporaries that {@code GgufWriter} and the quantizer create next to them, can be removed together
 * when the conversion fails, is interrupted, or the JVM is shut down (Ctrl-C) while it runs.
 */
final class PartialFiles implements AutoCloseable {
    private final Path dir;
    private final String prefix;
    private final Thread shutdownHook;
    private volatile boolean aborted;

    PartialFiles(Path dir, String name) {
        this.dir = dir;
        this.prefix = "." + name + ".converting-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        this.shutdownHook = new Thread(this::abort, "guard-convert-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A temporary path for one output, e.g. {@code .NAME.converting-1a2b3c4d.mmproj.gguf}. */
    Path path(String role) {
        return dir.resolve(prefix + role + ".gguf");
    }

    /** Whether the JVM began shutting down: nothing may be moved into place any more. */
    boolean aborted() {
        return aborted;
    }

    private void abort() {
        aborted = true;
        deleteAll();
    }

    /** Deletes every file of this conversion that is still there. */
    void deleteAll() {
        try (DirectoryStream<Path> ds =
                Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: what cannot be deleted keeps its hidden, unmistakable name
        }
    }

    @Override
    public void close() {
        deleteAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down; the hook runs anyway
        }
    }
}
