package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.cli.audit.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code guard audit} process killed with SIGKILL part-way through, then resumed: no image is lost or
 * assessed twice, the lines written before the kill stay as they were, and the log parses. (AuditCommandTest's
 * resume test cuts a copy of a finished log instead; this one lets the operating system do the cutting.)
 */
class AuditKillAndResumeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Enough that the audit is still running when its first verdict line appears (about a second per image). */
    private static final int IMAGES = 16;

    @TempDir
    Path dir;

    @Test
    void anAuditKilledMidRunResumesWithEveryImageExactlyOnce() throws Exception {
        TinyModel tiny = TinyModel.writeTo(dir.resolve("model"));
        Path data = Files.createDirectories(dir.resolve("data"));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            Path p = TestImages.png(data.resolve(String.format("img-%02d.png", i)), i);
            expected.add(p.toAbsolutePath().normalize().toString());
        }
        Path out = dir.resolve("out");
        Path log = out.resolve("verdicts.jsonl");

        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-cp", testClassPath()));
        String nativeCache = System.getProperty("safetyguard.native.cache");
        if (nativeCache != null && !nativeCache.isBlank()) {
            command.add("-Dsafetyguard.native.cache=" + nativeCache);
        }
        command.add(GuardCli.class.getName());
        command.addAll(tiny.args("audit"));
        command.addAll(List.of("--parallel", "1", "--out", out.toString(), data.toString()));
        Path output = dir.resolve("audit-process.log");
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().remove("SAFETYGUARD_NATIVE_DIR"); // the natives of this build
        Process audit = pb.start();
        try {
            // kill as soon as one verdict is on disk: the audit is then certainly between its first and last image
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (completeLines(log) < 1) {
                assertThat(audit.isAlive())
                        .as("the audit ended before writing a verdict:\n%s", tail(output))
                        .isTrue();
                assertThat(System.nanoTime() - deadline)
                        .as("no verdict within 5 minutes")
                        .isNegative();
                Thread.sleep(20);
            }
            assertThat(audit.isAlive())
                    .as("the audit must still be running when it is killed")
                    .isTrue();
        } finally {
            audit.destroyForcibly();
            assertThat(audit.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        byte[] atKill = Files.readAllBytes(log);
        int keptLines = completeLines(log);
        int keptBytes = lastNewline(atKill) + 1;
        assertThat(keptLines).as("verdicts written before the kill").isBetween(1, IMAGES - 1);
        System.out.printf(
                "AuditKillAndResumeIT: killed with %d of %d verdicts written (%d bytes, %s)%n",
                keptLines,
                IMAGES,
                atKill.length,
                keptBytes == atKill.length ? "ending in a newline" : "a torn last line");

        List<String> args = tiny.args("audit");
        args.addAll(List.of("--resume", "--out", out.toString(), data.toString()));
        CliRun resumed = CliRun.of(args.toArray(String[]::new));
        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(resumed.stdoutText())
                .contains((IMAGES - keptLines) + " assessed now, " + keptLines + " from earlier runs");

        byte[] after = Files.readAllBytes(log);
        assertThat(Arrays.copyOf(after, keptBytes))
                .as("the lines written before the kill are kept as they were")
                .isEqualTo(Arrays.copyOf(atKill, keptBytes));
        List<String> paths = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            JsonNode node = JSON.readTree(line); // every line parses: a torn last line was dealt with
            assertThat(node.get("rating").asText()).as(line).isIn("Safe", "Unsafe");
            paths.add(node.get("path").asText());
        }
        assertThat(paths).as("every image exactly once").containsExactlyInAnyOrderElementsOf(expected);
    }

    private static int completeLines(Path log) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        int n = 0;
        for (byte b : Files.readAllBytes(log)) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Everything the test JVM runs with, as one class path for the child: the modules (Surefire/Failsafe
     * put this module and its dependencies on {@code jdk.module.path}) and the class path (passed in
     * {@code surefire.test.class.path}; their JVM itself sees a manifest jar). The child runs the CLI from
     * the class path, as the shaded {@code guard.jar} does.
     */
    private static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        String modules = System.getProperty("jdk.module.path");
        return modules == null || modules.isBlank() ? cp : modules + java.io.File.pathSeparator + cp;
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
