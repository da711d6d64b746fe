package io.safetyguard.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerdictLogTest {
    @TempDir
    Path dir;

    static VerdictRecord record(int i) {
        return new VerdictRecord(
                "/data/img" + i + ".png",
                "d" + i,
                i % 2 == 0 ? "Safe" : "Unsafe",
                "O" + (1 + i % 9) + ": Name",
                "rationale ü " + i,
                0.25,
                10.5 * i,
                null,
                "abcdef012345");
    }

    private Path writeLog(int n) throws IOException {
        Path log = dir.resolve(VerdictLog.FILE_NAME);
        try (VerdictLogWriter w = VerdictLogWriter.truncate(log)) {
            for (int i = 0; i < n; i++) {
                w.append(record(i));
            }
        }
        return log;
    }

    @Test
    void recordsRoundTripWithEveryKeyInOrder() {
        VerdictRecord r = record(3);
        String line = r.toJsonLine();
        assertThat(line)
                .startsWith("{\"path\":")
                .contains("\"p_unsafe\":0.25")
                .contains("\"error\":null")
                .contains("\"policy\":\"abcdef012345\",")
                .endsWith(
                        ",\"model_rating\":\"Unsafe\",\"unsafe_threshold\":null,\"generated_tokens\":null,\"category_probabilities\":null}");
        assertThat(VerdictRecord.parse(line)).isEqualTo(r);
        VerdictRecord error = new VerdictRecord("/x.png", null, null, null, null, null, 1, "corrupt", "p");
        assertThat(VerdictRecord.parse(error.toJsonLine())).isEqualTo(error);
        assertThat(error.isError()).isTrue();
        assertThat(error.isUnsafe()).isFalse();
    }

    @Test
    void thresholdFieldsRoundTripAndLinesWrittenBeforeThemStillParse() {
        VerdictRecord thresholded = new VerdictRecord(
                "/t.png", "d", "Unsafe", "NA: None applying", null, 0.7, 3, null, "p", "Safe", 0.6, 41);
        assertThat(VerdictRecord.parse(thresholded.toJsonLine())).isEqualTo(thresholded);
        VerdictRecord old = VerdictRecord.parse("{\"path\":\"/o.png\",\"digest\":\"d\",\"rating\":\"Unsafe\","
                + "\"category\":\"O3: Sexual Content\",\"rationale\":null,\"p_unsafe\":0.9,\"ms\":2.0,"
                + "\"error\":null,\"policy\":\"p\"}");
        assertThat(old.modelRating()).isEqualTo("Unsafe");
        assertThat(old.unsafeThreshold()).isNull();
        assertThat(old.generatedTokens()).isNull();
        assertThat(old.isUnsafe()).isTrue();
    }

    @Test
    void readsEveryLineOfACleanLog() throws IOException {
        Path log = writeLog(5);
        List<VerdictRecord> read = new ArrayList<>();
        VerdictLog.Contents c = VerdictLog.read(log, read::add);
        assertThat(read).containsExactly(record(0), record(1), record(2), record(3), record(4));
        assertThat(c.records()).isEqualTo(5);
        assertThat(c.needsRepair()).isFalse();
        assertThat(c.cleanLength()).isEqualTo(Files.size(log));
    }

    @Test
    void repairDropsALineCutOffMidWriteAndKeepsTheRestByteForByte() throws IOException {
        Path log = writeLog(4);
        byte[] full = Files.readAllBytes(log);
        int thirdEnd = nthNewline(full, 3) + 1;
        int cut = thirdEnd + (nthNewline(full, 4) - thirdEnd) / 2;
        Files.write(log, Arrays.copyOf(full, cut));

        List<VerdictRecord> read = new ArrayList<>();
        VerdictLog.Contents c = VerdictLog.repair(log, read::add);

        assertThat(read).containsExactly(record(0), record(1), record(2));
        assertThat(c.partialTail()).isNotNull().startsWith("{\"path\":\"/data/img3.png\"");
        assertThat(Files.readAllBytes(log)).isEqualTo(Arrays.copyOf(full, thirdEnd));
        assertThat(VerdictLog.read(log, r -> {}).needsRepair()).isFalse();
    }

    @Test
    void repairDropsATailCutInsideAMultiByteCharacter() throws IOException {
        Path log = writeLog(2);
        byte[] full = Files.readAllBytes(log);
        String text = new String(full, StandardCharsets.UTF_8);
        int u = text.lastIndexOf('ü');
        int cut = text.substring(0, u).getBytes(StandardCharsets.UTF_8).length + 1; // first byte of the two
        Files.write(log, Arrays.copyOf(full, cut));
        List<VerdictRecord> read = new ArrayList<>();
        VerdictLog.repair(log, read::add);
        assertThat(read).containsExactly(record(0));
        assertThat(Files.readString(log)).isEqualTo(record(0).toJsonLine() + "\n");
    }

    @Test
    void aCompleteLastLineWithoutItsLineBreakIsKeptAndTerminated() throws IOException {
        Path log = writeLog(2);
        byte[] full = Files.readAllBytes(log);
        Files.write(log, Arrays.copyOf(full, full.length - 1));
        List<VerdictRecord> read = new ArrayList<>();
        VerdictLog.Contents c = VerdictLog.repair(log, read::add);
        assertThat(c.missingBreak()).isTrue();
        assertThat(read).containsExactly(record(0), record(1));
        assertThat(Files.readAllBytes(log)).isEqualTo(full);
    }

    @Test
    void aDamagedLineBeforeTheLastIsAnErrorThatNamesTheLine() throws IOException {
        Path log = writeLog(3);
        List<String> lines = new ArrayList<>(Files.readAllLines(log));
        lines.set(1, "garbage");
        Files.write(log, lines);
        assertThatThrownBy(() -> VerdictLog.repair(log, r -> {}))
                .isInstanceOf(VerdictLogFormatException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("--overwrite");
        assertThat(Files.readAllLines(log)).hasSize(3); // nothing truncated
    }

    @Test
    void appendingAfterARepairContinuesTheLog() throws IOException {
        Path log = writeLog(2);
        Files.write(log, Arrays.copyOf(Files.readAllBytes(log), (int) Files.size(log) - 5));
        VerdictLog.repair(log, r -> {});
        try (VerdictLogWriter w = VerdictLogWriter.append(log)) {
            w.append(record(1));
            w.append(record(2));
        }
        List<VerdictRecord> read = new ArrayList<>();
        VerdictLog.read(log, read::add);
        assertThat(read).containsExactly(record(0), record(1), record(2));
    }

    private static int nthNewline(byte[] bytes, int n) {
        for (int i = 0, seen = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' && ++seen == n) {
                return i;
            }
        }
        throw new AssertionError("fewer than " + n + " lines");
    }
}
