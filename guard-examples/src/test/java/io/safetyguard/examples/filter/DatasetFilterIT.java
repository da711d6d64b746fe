package io.safetyguard.examples.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.core.FailureKind;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.VerdictSource;
import io.safetyguard.examples.TestImages;
import io.safetyguard.examples.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataset filter on a temp folder of generated images, with the real tiny model in llama.cpp. */
class DatasetFilterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Decodable images in the folder built by {@link #writeDataset}; "dup/a-copy.png" repeats "a.png". */
    private static final List<String> DECODABLE =
            List.of("a.png", "b.jpg", "c.png", "d.bmp", "dup/a-copy.png", "sub/e.png");

    private static final String BROKEN = "sub/broken.png";

    private static SafetyGuard guard;

    @TempDir
    Path dir;

    private Path input;

    @BeforeAll
    static void loadModel() {
        guard = TinyModel.guard(1);
    }

    @AfterAll
    static void closeModel() {
        guard.close();
    }

    @BeforeEach
    void writeDataset() throws IOException {
        input = Files.createDirectories(dir.resolve("dataset"));
        Files.createDirectories(input.resolve("sub"));
        Files.createDirectories(input.resolve("dup"));
        Files.write(input.resolve("a.png"), TestImages.png(40, 30, 1));
        Files.write(input.resolve("b.jpg"), TestImages.encode(TestImages.picture(32, 32, 2), "jpeg"));
        Files.write(input.resolve("c.png"), TestImages.png(48, 24, 3));
        Files.write(input.resolve("d.bmp"), TestImages.encode(TestImages.picture(20, 20, 4), "bmp"));
        Files.copy(input.resolve("a.png"), input.resolve("dup/a-copy.png"));
        Files.write(input.resolve("sub/e.png"), TestImages.png(36, 36, 5));
        Files.write(input.resolve(BROKEN), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3, 4, 5}); // a truncated PNG
        Files.writeString(input.resolve("captions.txt"), "a: a picture\n");
    }

    @Test
    void everyImageLandsInExactlyOneBucketAndTheManifestAgrees() throws IOException {
        Path out = dir.resolve("out");

        FilterReport report = new DatasetFilter(guard, PlacementMode.COPY).run(input, out);

        Map<String, String> bucketOf = new HashMap<>();
        List<String> all = new ArrayList<>(DECODABLE);
        all.add(BROKEN);
        for (String image : all) {
            List<String> found = new ArrayList<>();
            for (Bucket b : Bucket.values()) {
                Path placed = out.resolve(b.folderName()).resolve(image);
                if (Files.exists(placed)) {
                    found.add(b.folderName());
                    assertThat(Files.isSymbolicLink(placed)).isFalse();
                    assertThat(Files.readAllBytes(placed)).isEqualTo(Files.readAllBytes(input.resolve(image)));
                }
            }
            assertThat(found).as("buckets holding %s", image).hasSize(1);
            bucketOf.put(image, found.get(0));
        }
        assertThat(bucketOf.get(BROKEN)).isEqualTo("errors");
        assertThat(bucketOf.get("a.png"))
                .as("identical bytes, identical verdict")
                .isEqualTo(bucketOf.get("dup/a-copy.png"));
        for (String image : DECODABLE) {
            assertThat(bucketOf.get(image)).as("%s got a model verdict", image).isIn("safe", "unsafe");
        }
        assertThat(out.resolve("safe/captions.txt")).doesNotExist();
        assertThat(countFiles(out))
                .as("nothing placed but the images and the manifest")
                .isEqualTo(all.size() + 1);

        JsonNode manifest = JSON.readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.get("mode").asText()).isEqualTo("copy");
        assertThat(manifest.get("images")).hasSize(all.size());
        Map<String, Integer> counted = new HashMap<>();
        for (JsonNode entry : manifest.get("images")) {
            String path = entry.get("path").asText();
            assertThat(entry.get("bucket").asText()).as(path).isEqualTo(bucketOf.get(path));
            counted.merge(entry.get("bucket").asText(), 1, Integer::sum);
        }
        for (Bucket b : Bucket.values()) {
            int expected = counted.getOrDefault(b.folderName(), 0);
            assertThat(manifest.get("counts").get(b.folderName()).asInt()).isEqualTo(expected);
            assertThat(report.counts().get(b)).isEqualTo(expected);
            assertThat(countFiles(out.resolve(b.folderName()))).isEqualTo(expected);
        }
        assertThat(manifest.get("counts").get("skipped").asInt()).isEqualTo(1);
        JsonNode broken = find(manifest, BROKEN);
        assertThat(broken.get("failureKind").asText()).isEqualTo(FailureKind.IMAGE_REJECTED.name());
        assertThat(broken.get("error").asText()).contains("broken.png");
        // The duplicate was served from the cache within the first run.
        assertThat(manifest.get("cache").get("hits").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aSecondPassOverTheSameFolderIsServedFromTheCache() throws IOException {
        DatasetFilter filter = new DatasetFilter(guard, PlacementMode.COPY);
        guard.invalidateCache(); // independent of the test order

        FilterReport first = filter.run(input, dir.resolve("first"));
        FilterReport second = filter.run(input, dir.resolve("second"));

        int distinct = DECODABLE.size() - 1; // the duplicate shares a.png's bytes
        assertThat(first.cacheMisses()).isGreaterThanOrEqualTo(distinct);
        assertThat(second.cacheHits()).as("every decodable image is a hit").isEqualTo(DECODABLE.size());
        assertThat(second.servedFromCache()).isEqualTo(DECODABLE.size());
        second.entries().stream()
                .filter(e -> e.bucket() != Bucket.ERRORS)
                .forEach(e -> assertThat(e.verdict().source())
                        .as(e.relativePath().toString())
                        .isEqualTo(VerdictSource.CACHE));
        assertThat(second.counts()).isEqualTo(first.counts());
        for (int i = 0; i < first.entries().size(); i++) {
            assertThat(second.entries().get(i).bucket())
                    .isEqualTo(first.entries().get(i).bucket());
        }
        JsonNode manifest = JSON.readTree(dir.resolve("second/manifest.json").toFile());
        assertThat(manifest.get("cache").get("hits").asLong()).isEqualTo(DECODABLE.size());
        assertThat(find(manifest, "b.jpg").get("source").asText()).isEqualTo("CACHE");
    }

    @Test
    void symlinkModeLinksToTheInputFiles() throws IOException {
        Path out = dir.resolve("links");

        FilterReport report = new DatasetFilter(guard, PlacementMode.SYMLINK).run(input, out);

        assertThat(report.entries()).hasSize(DECODABLE.size() + 1);
        for (FilterEntry entry : report.entries()) {
            Path placed = out.resolve(entry.bucket().folderName())
                    .resolve(entry.relativePath().toString());
            assertThat(Files.isSymbolicLink(placed)).as(placed.toString()).isTrue();
            assertThat(Files.readSymbolicLink(placed))
                    .isEqualTo(input.toAbsolutePath().normalize().resolve(entry.relativePath()));
            assertThat(Files.isSameFile(placed, input.resolve(entry.relativePath())))
                    .isTrue();
        }
        assertThat(JSON.readTree(out.resolve("manifest.json").toFile())
                        .get("mode")
                        .asText())
                .isEqualTo("symlink");
    }

    private static JsonNode find(JsonNode manifest, String path) {
        for (JsonNode entry : manifest.get("images")) {
            if (entry.get("path").asText().equals(path)) {
                return entry;
            }
        }
        throw new AssertionError("no manifest entry for " + path);
    }

    private static long countFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p) || Files.isSymbolicLink(p))
                    .count();
        }
    }
}
