package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.core.Rating;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.core.metadata.EmbeddedVerdict;
import io.safetyguard.core.metadata.VerdictMetadata;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guard check/audit --write-metadata} on the tiny model: stamped copies, skips with reasons, inputs untouched. */
class WriteMetadataIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A 16x16 lossy WebP (simple VP8 file), the same fixture the core decoder tests use. */
    private static final byte[] WEBP = Base64.getDecoder()
            .decode(
                    "UklGRkIAAABXRUJQVlA4IDYAAAAQAgCdASoQABAAAMASJaACdLoB+AH4gAPIAP75WD/+fu//16P90B6t/7oE//gy5lfwZj78wAA=");

    @TempDir
    static Path dir;

    static TinyModel tiny;
    static Path images;

    @BeforeAll
    static void setUp() throws IOException {
        tiny = TinyModel.writeTo(dir);
        images = Files.createDirectories(dir.resolve("in"));
        for (String name : List.of("landscape.png", "cup.jpg", "circles.gif")) {
            Files.copy(ModelCommandTest.sample(name), images.resolve(name));
        }
        Files.write(images.resolve("small.webp"), WEBP);
    }

    @Test
    void checkWritesStampedCopiesAndSkipsGifWithAReason() throws IOException {
        Path out = dir.resolve("check-out");
        List<Path> inputs = Stream.of("landscape.png", "cup.jpg", "small.webp", "circles.gif")
                .map(images::resolve)
                .toList();
        List<byte[]> before = new ArrayList<>();
        for (Path p : inputs) {
            before.add(Files.readAllBytes(p));
        }
        List<String> args = tiny.args("check");
        args.addAll(List.of("--write-metadata", "--out", out.toString()));
        inputs.forEach(p -> args.add(p.toString()));

        CliRun run = CliRun.of(args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String[] lines = run.stdoutText().split("\n");
        assertThat(lines).hasSize(4);
        String fingerprint = Policy.llavaGuardDefault().fingerprint();
        for (int i = 0; i < 3; i++) {
            JsonNode line = JSON.readTree(lines[i]);
            Path copy = Path.of(line.get("metadata").asText());
            assertThat(copy).as(lines[i]).isRegularFile().startsWith(out);
            EmbeddedVerdict stamp = VerdictMetadata.read(copy).orElseThrow();
            assertThat(stamp.rating())
                    .isEqualTo(Rating.fromLabel(line.get("rating").asText()).orElseThrow());
            assertThat(stamp.probabilityUnsafe().getAsDouble())
                    .isEqualTo(line.get("p_unsafe").asDouble());
            assertThat(stamp.categoryLabel().orElse(null))
                    .isEqualTo(line.get("category").asText());
            assertThat(stamp.policyFingerprint()).isEqualTo(fingerprint);
            assertThat(stamp.contentIntact()).isTrue();
            assertSamePixels(inputs.get(i), copy);
        }
        JsonNode gif = JSON.readTree(lines[3]);
        assertThat(gif.has("metadata")).isFalse();
        assertThat(gif.get("metadata_skipped").asText())
                .contains("PNG, JPEG and WebP only")
                .contains("GIF");
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(Files.readAllBytes(inputs.get(i)))
                    .as("input %s untouched", inputs.get(i))
                    .isEqualTo(before.get(i));
        }
    }

    @Test
    void checkRefusesToWriteMetadataWithoutAPlaceForIt() {
        List<String> args = tiny.args("check");
        args.addAll(List.of("--write-metadata", images.resolve("landscape.png").toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("--write-metadata needs --out DIR").contains("--in-place");
        assertThat(run.stdoutText()).isEmpty();
    }

    @Test
    void checkInPlaceStampsTheInputOnlyWhenAsked() throws IOException {
        Path own = Files.copy(images.resolve("cup.jpg"), dir.resolve("own.jpg"));
        List<String> args = tiny.args("check");
        args.addAll(List.of("--write-metadata", "--in-place", own.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(VerdictMetadata.read(own)).isPresent();
        assertSamePixels(images.resolve("cup.jpg"), own);
    }

    @Test
    void auditWritesStampedCopiesUnderItsFolder() throws IOException {
        Path out = dir.resolve("audit-out");
        // two images keep this run short: one stamped, one skipped
        Path folder = Files.createDirectories(dir.resolve("audit-in"));
        Files.copy(images.resolve("landscape.png"), folder.resolve("landscape.png"));
        Files.copy(images.resolve("circles.gif"), folder.resolve("circles.gif"));
        List<String> args = tiny.args("audit");
        args.remove("--quiet"); // the skip reason is a note, which -q silences
        args.addAll(List.of("--out", out.toString(), "--write-metadata", folder.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdoutText())
                .contains(
                        "metadata: 1 stamped, 1 not stamped (reasons on stderr); copies in " + out.resolve("stamped"));
        assertThat(run.stderr())
                .contains("guard: note: not stamped: " + folder.resolve("circles.gif")
                        + ": verdicts can be embedded in PNG, JPEG and WebP only; this file is GIF");
        MetadataStamper layout = MetadataStamper.toFolder(out.resolve("stamped"));
        Path copy = layout.targetFor(folder.resolve("landscape.png"));
        assertThat(VerdictMetadata.read(copy))
                .hasValueSatisfying(v -> assertThat(v.contentIntact()).isTrue());
        assertSamePixels(folder.resolve("landscape.png"), copy);
        assertThat(layout.targetFor(folder.resolve("circles.gif"))).doesNotExist();
    }

    @Test
    void trustEmbeddedTakesTheStampInsteadOfTheModelOnlyWhenAsked() throws IOException {
        Path out = dir.resolve("trust-out");
        List<String> stampArgs = tiny.args("check");
        stampArgs.addAll(List.of(
                "--write-metadata",
                "--out",
                out.toString(),
                images.resolve("landscape.png").toString()));
        CliRun stamping = CliRun.of(stampArgs.toArray(String[]::new));
        assertThat(stamping.exitCode()).as(stamping.stderr()).isZero();
        JsonNode stamped = JSON.readTree(stamping.stdoutText().strip());
        assertThat(stamped.get("source").asText()).isEqualTo("MODEL");
        Path copy = Path.of(stamped.get("metadata").asText());

        List<String> trusting = tiny.args("check");
        trusting.add("--trust-embedded");
        CliRun trusted = CliRun.of(withImage(trusting, copy));
        assertThat(trusted.exitCode()).as(trusted.stderr()).isZero();
        JsonNode fromStamp = JSON.readTree(trusted.stdoutText().strip());
        assertThat(fromStamp.get("source").asText()).isEqualTo("EMBEDDED");
        assertThat(fromStamp.get("generated_tokens").isNull())
                .as("no tokens generated: the model did not run: %s", fromStamp)
                .isTrue();
        assertThat(fromStamp.get("cached").asBoolean()).isFalse();
        for (String key : List.of("rating", "category", "rationale", "p_unsafe")) {
            assertThat(fromStamp.get(key)).as(key).isEqualTo(stamped.get(key));
        }

        CliRun untrusted = CliRun.of(withImage(tiny.args("check"), copy));
        assertThat(untrusted.exitCode()).as(untrusted.stderr()).isZero();
        JsonNode fromModel = JSON.readTree(untrusted.stdoutText().strip());
        assertThat(fromModel.get("source").asText()).isEqualTo("MODEL");
        assertThat(fromModel.get("generated_tokens").asInt()).isPositive();
    }

    @Test
    void auditTrustsEmbeddedVerdictsWithTheFlag() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("audit-trust-in"));
        List<String> stampArgs = tiny.args("check");
        stampArgs.addAll(List.of(
                "--write-metadata",
                "--out",
                folder.toString(),
                images.resolve("cup.jpg").toString()));
        CliRun stamping = CliRun.of(stampArgs.toArray(String[]::new));
        assertThat(stamping.exitCode()).as(stamping.stderr()).isZero();
        JsonNode stamped = JSON.readTree(stamping.stdoutText().strip());

        Path out = dir.resolve("audit-trust-out");
        List<String> args = tiny.args("audit");
        args.addAll(List.of("--out", out.toString(), "--trust-embedded", folder.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<String> log = Files.readAllLines(out.resolve("verdicts.jsonl"));
        assertThat(log).hasSize(1);
        JsonNode line = JSON.readTree(log.get(0));
        assertThat(line.get("generated_tokens").isNull())
                .as("the stamp was taken, the model did not run: %s", line)
                .isTrue();
        for (String key : List.of("rating", "category", "rationale", "p_unsafe")) {
            assertThat(line.get(key)).as(key).isEqualTo(stamped.get(key));
        }
    }

    private static String[] withImage(List<String> args, Path image) {
        args.add(image.toString());
        return args.toArray(String[]::new);
    }

    private static void assertSamePixels(Path a, Path b) throws IOException {
        ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
        DecodedImage x = decoder.decode(a);
        DecodedImage y = decoder.decode(b);
        assertThat(y.width()).isEqualTo(x.width());
        assertThat(y.height()).isEqualTo(x.height());
        assertThat(y.rgb()).as("decoded pixels of %s and its stamped copy", a).isEqualTo(x.rgb());
    }
}
