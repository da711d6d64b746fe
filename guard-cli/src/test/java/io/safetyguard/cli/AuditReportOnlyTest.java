package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.cli.audit.VerdictRecord;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guard audit --report-only --from DIR}: the report of verdict lines judged elsewhere (a Spark job's part files). */
class AuditReportOnlyTest {

    @TempDir
    Path dir;

    private final String policy = Policy.llavaGuardDefault().fingerprint().substring(0, 12);

    private Path parts() throws IOException {
        Path parts = dir.resolve("verdicts-jsonl");
        Files.createDirectories(parts);
        Path image = dir.resolve("a.png");
        Files.write(
                parts.resolve("part-00000-x.json"),
                List.of(
                        new VerdictRecord(
                                        image.toUri().toString(),
                                        "ab",
                                        "Safe",
                                        "NA: None applying",
                                        null,
                                        0.1,
                                        5,
                                        null,
                                        policy)
                                .toJsonLine(),
                        new VerdictRecord(
                                        "hdfs://nn/b.png",
                                        "cd",
                                        "Unsafe",
                                        "O3: Sexual Content",
                                        null,
                                        0.9,
                                        6,
                                        null,
                                        policy)
                                .toJsonLine()),
                StandardCharsets.UTF_8);
        Files.write(
                parts.resolve("part-00001-x.json"),
                List.of(new VerdictRecord("hdfs://nn/c.png", null, null, null, null, null, 0, "cannot read", policy)
                        .toJsonLine()),
                StandardCharsets.UTF_8);
        Files.writeString(parts.resolve("_SUCCESS"), "");
        Files.writeString(parts.resolve(".part-00000-x.json.crc"), "binary");
        return parts;
    }

    @Test
    void rendersTheReportFromPartFiles() throws IOException {
        Path out = dir.resolve("report");
        CliRun run = CliRun.of("audit", "--report-only", "--from", parts().toString(), "--out", out.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<String> lines = Files.readAllLines(out.resolve("verdicts.jsonl"), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        // a file: URI becomes a plain path, so the report can preview the local image
        assertThat(VerdictRecord.parse(lines.get(0)).path())
                .isEqualTo(dir.resolve("a.png").toString());
        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html).contains("hdfs://nn/b.png").contains("cannot read");
        assertThat(new String(run.stdout(), StandardCharsets.UTF_8))
                .contains("1 Safe, 1 Unsafe")
                .contains("1 errors");
    }

    @Test
    void refusesLinesOfAnotherPolicy() throws IOException {
        Path out = dir.resolve("report");
        CliRun run = CliRun.of(
                "audit", "--report-only", "--from", parts().toString(), "--out", out.toString(), "--allow", "O3");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("another policy");
    }

    @Test
    void refusesSourcesWithReportOnly() throws IOException {
        CliRun run = CliRun.of(
                "audit",
                "--report-only",
                "--from",
                parts().toString(),
                "--out",
                dir.resolve("r").toString(),
                "x");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.stderr()).contains("judges nothing");
    }
}
