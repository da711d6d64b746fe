package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guard check} run for real on a generated tiny model pair and real llama.cpp: output, exit codes, stderr. */
class CheckCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path model;
    static Path mmproj;

    @BeforeAll
    static void writeTinyModel() {
        TinyModel tiny = TinyModel.writeTo(dir);
        model = tiny.model();
        mmproj = tiny.mmproj();
    }

    /** A PNG signature and nothing more: the decoder refuses it, so the image cannot be judged. */
    private static Path truncatedPng(String name) throws IOException {
        return Files.write(dir.resolve(name), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
    }

    private static Path sample(String name) {
        return ModelCommandTest.sample(name);
    }

    @Test
    void checkPrintsOneGrammarValidJsonLinePerImageInOrder() throws IOException {
        List<Path> images =
                List.of(sample("landscape.png"), sample("cup.jpg"), sample("circles.gif"), sample("landscape.png"));
        List<String> args = new ArrayList<>(List.of(
                "check",
                "--greedy",
                "--max-new-tokens",
                "120",
                "--threads",
                "1",
                "--model",
                model.toString(),
                "--mmproj",
                mmproj.toString()));
        images.forEach(p -> args.add(p.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("meaningless");

        String[] lines = run.stdoutText().split("\n");
        assertThat(lines).hasSize(images.size());
        List<String> labels = Policy.llavaGuardDefault().categoryLabels();
        for (int i = 0; i < lines.length; i++) {
            JsonNode line = JSON.readTree(lines[i]);
            assertThat(line.get("image").asText()).isEqualTo(images.get(i).toString());
            assertThat(line.get("rating").asText()).isIn("Safe", "Unsafe");
            assertThat(line.get("category").asText()).isIn(labels);
            assertThat(line.has("rationale")).isTrue();
            assertThat(line.get("p_unsafe").isNumber())
                    .as("P(Unsafe) in every verdict: %s", lines[i])
                    .isTrue();
            assertThat(line.get("rating_source").asText()).isEqualTo("MODEL");
            assertThat(line.get("source").asText()).isEqualTo(i == 3 ? "CACHE" : "MODEL");
            assertThat(line.get("model_rating")).isEqualTo(line.get("rating"));
            assertThat(line.get("unsafe_threshold").isNull()).isTrue();
            assertThat(line.get("generated_tokens").asInt()).isPositive();
            assertThat(line.get("ms").asDouble()).isGreaterThanOrEqualTo(0);
            assertThat(line.has("error")).as(lines[i]).isFalse();
        }
        // The same image twice: the second verdict comes from the cache and is identical.
        JsonNode first = JSON.readTree(lines[0]);
        JsonNode again = JSON.readTree(lines[3]);
        assertThat(again.get("cached").asBoolean()).isTrue();
        assertThat(again.get("source").asText()).isEqualTo("CACHE");
        assertThat(again.get("rating")).isEqualTo(first.get("rating"));
        assertThat(again.get("category")).isEqualTo(first.get("category"));
        assertThat(again.get("rationale")).isEqualTo(first.get("rationale"));
    }

    @Test
    void anUnsafeThresholdOfZeroRatesEveryJudgedImageUnsafeAndSaysSo() throws IOException {
        CliRun run = CliRun.of(
                "check",
                "--greedy",
                "--verdict-only",
                "--max-new-tokens",
                "120",
                "--threads",
                "1",
                "--unsafe-threshold",
                "0",
                "--model",
                model.toString(),
                "--mmproj",
                mmproj.toString(),
                sample("landscape.png").toString(),
                sample("cup.jpg").toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        for (String text : run.stdoutText().split("\n")) {
            JsonNode line = JSON.readTree(text);
            assertThat(line.get("rating").asText()).as(text).isEqualTo("Unsafe");
            assertThat(line.get("rating_source").asText()).isEqualTo("THRESHOLD");
            assertThat(line.get("unsafe_threshold").asDouble()).isZero();
            assertThat(line.get("model_rating").asText()).isIn("Safe", "Unsafe");
            assertThat(line.get("rationale").isNull()).as("--verdict-only").isTrue();
        }
    }

    @Test
    void categoryThresholdsFromTheFlagAndThePolicyFileDecideByTheDocumentedRule() throws IOException {
        Path policyFile = dir.resolve("thresholds.yaml");
        Files.writeString(policyFile, "preset: llavaguard-v1.2\nthresholds: {O3: 0.2, O6: 0.9}\n");
        List<String> args = new ArrayList<>(List.of(
                "check",
                "--greedy",
                "--verdict-only",
                "--max-new-tokens",
                "120",
                "--threads",
                "1",
                "--policy",
                policyFile.toString(),
                "--category-threshold",
                "O6=0.05",
                "--category-threshold",
                "O1=0.3",
                "--model",
                model.toString(),
                "--mmproj",
                mmproj.toString()));
        for (String s : List.of("landscape.png", "cup.jpg", "circles.gif")) {
            args.add(sample(s).toString());
        }
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        for (String text : run.stdoutText().split("\n")) {
            JsonNode line = JSON.readTree(text);
            assertThat(line.get("rating_source").asText()).as(text).isEqualTo("THRESHOLD");
            // the flag overrides the file for O6 and adds O1; the file's O3 stays
            JsonNode t = line.get("category_thresholds");
            assertThat(t.get("O3").asDouble()).isEqualTo(0.2);
            assertThat(t.get("O6").asDouble()).isEqualTo(0.05);
            assertThat(t.get("O1").asDouble()).isEqualTo(0.3);
            assertThat(line.get("unsafe_threshold").asDouble())
                    .as("0.5 by default")
                    .isEqualTo(0.5);
            double u = line.get("p_unsafe").asDouble();
            JsonNode q = line.get("category_probabilities");
            boolean unsafe;
            if (line.get("model_rating").asText().equals("Unsafe") && q.isObject()) {
                double sum = 0;
                double own = 0;
                boolean crossed = false;
                for (var e : q.properties()) {
                    sum += e.getValue().asDouble();
                    if (t.has(e.getKey())) {
                        own += e.getValue().asDouble();
                        crossed |=
                                u * e.getValue().asDouble() >= t.get(e.getKey()).asDouble();
                    }
                }
                assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
                unsafe = crossed || u * (1 - own) >= 0.5;
            } else {
                unsafe = u >= 0.5;
            }
            assertThat(line.get("rating").asText()).as(text).isEqualTo(unsafe ? "Unsafe" : "Safe");
        }
    }

    @Test
    void failOnUnsafeExitsWith3WhenAnImageCannotBeJudged() throws IOException {
        // A corrupt image cannot be judged; fail-closed rates it Unsafe with the reason.
        Path corrupt = truncatedPng("corrupt.png");
        CliRun run = CliRun.of(
                "check",
                "--greedy",
                "--threads",
                "1",
                "--fail-on-unsafe",
                "--model",
                model.toString(),
                "--mmproj",
                mmproj.toString(),
                corrupt.toString());
        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(ExitCodes.UNSAFE);
        JsonNode line = JSON.readTree(run.stdoutText().trim());
        assertThat(line.get("rating").asText()).isEqualTo("Unsafe");
        assertThat(line.get("error").asText()).contains("corrupt.png");
    }

    @Test
    void checkWithSwappedFilesSaysSo() {
        CliRun run = CliRun.of(
                "check",
                "--model",
                mmproj.toString(),
                "--mmproj",
                model.toString(),
                sample("cup.jpg").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).containsIgnoringCase("swap");
    }

    @Test
    void anImageThatCannotBeJudgedKeepsItsJsonLineSaysWhyOnStderrAndExits2() throws IOException {
        Path corrupt = truncatedPng("broken.png");
        CliRun run = CliRun.of(
                "check",
                "--greedy",
                "--verdict-only",
                "--max-new-tokens",
                "120",
                "--threads",
                "1",
                "--model",
                model.toString(),
                "--mmproj",
                mmproj.toString(),
                sample("cup.jpg").toString(),
                corrupt.toString());

        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(ExitCodes.BAD_INPUT);
        String[] lines = run.stdoutText().split("\n");
        assertThat(lines).as("one JSON line per image, the judged one included").hasSize(2);
        JsonNode judged = JSON.readTree(lines[0]);
        JsonNode failed = JSON.readTree(lines[1]);
        assertThat(judged.has("error")).isFalse();
        assertThat(failed.get("rating").asText()).as("fail-closed").isEqualTo("Unsafe");
        assertThat(failed.get("error").asText()).isNotBlank();
        assertThat(run.stderr().lines().filter(l -> l.startsWith("guard: " + corrupt + ": ")))
                .as(run.stderr())
                .singleElement()
                .asString()
                .contains(failed.get("error").asText());
    }

    @Test
    void libraryLogLinesAreOneShortLineEachAndFollowVerboseAndQuiet() {
        String[] common = {
            "--greedy",
            "--verdict-only",
            "--max-new-tokens",
            "60",
            "--threads",
            "1",
            "--model",
            model.toString(),
            "--mmproj",
            mmproj.toString(),
            sample("cup.jpg").toString()
        };
        CliRun normal = CliRun.of(concat(new String[] {"check"}, common));
        CliRun verbose = CliRun.of(concat(new String[] {"-v", "check"}, common));
        CliRun quiet = CliRun.of(concat(new String[] {"check", "-q"}, common));

        for (CliRun run : List.of(normal, verbose, quiet)) {
            assertThat(run.exitCode()).as(run.stderr()).isZero();
            // java.util.logging's default: a timestamped source line, then "LEVEL: message"
            assertThat(run.stderr())
                    .doesNotContainPattern("(?m)^(WARNING|INFO|SEVERE): ")
                    .doesNotContainPattern("(?m)^[A-Z][a-z]{2} \\d{2}, \\d{4} ");
            // the tiny generator marks its special tokens as control tokens: llama.cpp has nothing to fix up
            assertThat(run.stderr()).doesNotContain("control-looking");
        }
        assertThat(normal.stderr()).doesNotContain("guard: info:");
        assertThat(verbose.stderr())
                .as("llama.cpp's model loading is logged at INFO")
                .contains("guard: info: ");
        assertThat(normal.stderr()).contains("guard: note: ", "RANDOM-WEIGHT");
        assertThat(quiet.stderr()).as("errors only").isEmpty();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
