package io.safetyguard.examples.filter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.core.Verdict;
import io.safetyguard.examples.ExampleException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes {@code manifest.json} into the output folder: the run's settings and counts, the cache
 * use, and one record per image (path, bucket, rating, category, where the verdict came from, and
 * the reason for an error). Written to a temporary file first and moved into place, so a reader
 * never sees half a manifest.
 */
final class ManifestWriter {
    static final String FILE_NAME = DatasetFilter.MANIFEST_FILE;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestWriter() {}

    static Path write(FilterReport report, String policyFingerprint, String modelId) {
        ObjectNode root = JSON.createObjectNode();
        root.put("input", report.input().toAbsolutePath().toString());
        root.put("mode", report.mode().name().toLowerCase(java.util.Locale.ROOT));
        root.put("policyFingerprint", policyFingerprint);
        root.put("modelId", modelId);
        ObjectNode counts = root.putObject("counts");
        for (Map.Entry<Bucket, Integer> e : report.counts().entrySet()) {
            counts.put(e.getKey().folderName(), e.getValue());
        }
        counts.put("skipped", report.skipped().size());
        ObjectNode cache = root.putObject("cache");
        cache.put("hits", report.cacheHits());
        cache.put("misses", report.cacheMisses());
        root.put("millis", report.millis());
        ArrayNode images = root.putArray("images");
        for (FilterEntry entry : report.entries()) {
            images.add(entryJson(entry));
        }
        ArrayNode skipped = root.putArray("skipped");
        report.skipped().forEach(p -> skipped.add(slashes(p)));

        Path target = report.output().resolve(FILE_NAME);
        Path tmp = report.output().resolve(FILE_NAME + ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), root);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new ExampleException("cannot write the manifest " + target + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode entryJson(FilterEntry entry) {
        Verdict v = entry.verdict();
        ObjectNode o = JSON.createObjectNode();
        o.put("path", slashes(entry.relativePath()));
        o.put("bucket", entry.bucket().folderName());
        o.put("rating", v.rating().label());
        v.categoryLabel().ifPresent(c -> o.put("category", c));
        o.put("source", v.source().name());
        v.probabilityUnsafe().ifPresent(p -> o.put("probabilityUnsafe", p));
        v.imageDigest().ifPresent(d -> o.put("sha256", d));
        v.failureKind().ifPresent(k -> o.put("failureKind", k.name()));
        v.failureReason().ifPresent(r -> o.put("error", r));
        return o;
    }

    /** Forward slashes on every platform, so manifests compare across machines. */
    private static String slashes(Path p) {
        return p.toString().replace('\\', '/');
    }
}
