package io.safetyguard.cli.audit;

import static io.safetyguard.cli.audit.ScoreSummaryTest.scored;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NearThresholdTest {
    @TempDir
    Path dir;

    private static NearThreshold collect(double threshold, int limit, List<VerdictRecord> records) {
        NearThreshold.Collector c = new NearThreshold.Collector(threshold, limit);
        records.forEach(c);
        return c.build();
    }

    @Test
    void theBandIsInclusiveAtDecimalEdges() {
        // 0.4 - 0.3 is 0.10000000000000003 in doubles: still "within 0.1"
        assertThat(NearThreshold.isNear(0.4, 0.3)).isTrue();
        assertThat(NearThreshold.isNear(0.2, 0.3)).isTrue();
        assertThat(NearThreshold.isNear(0.4, 0.5)).isTrue();
        assertThat(NearThreshold.isNear(0.6, 0.5)).isTrue();
        assertThat(NearThreshold.isNear(0.399, 0.5)).isFalse();
        assertThat(NearThreshold.isNear(0.6001, 0.5)).isFalse();
    }

    @Test
    void countsAllAndKeepsTheClosestFirstTiesInLogOrder() {
        NearThreshold near = collect(
                0.5,
                3,
                List.of(
                        scored("/far", "Safe", 0.1, null),
                        scored("/a", "Safe", 0.42, null),
                        // 0.5625 and 0.4375 are exact in binary: a true tie, broken by log order
                        scored("/b", "Unsafe", 0.5625, null),
                        scored("/c", "Safe", 0.4375, null),
                        scored("/d", "Unsafe", 0.51, null),
                        scored("/e", "Unsafe", 0.6, null),
                        scored("/none", "Safe", null, null),
                        new VerdictRecord("/err", null, null, null, null, null, 0, "corrupt", "p")));
        assertThat(near.count()).isEqualTo(5);
        assertThat(near.closest()).extracting(VerdictRecord::path).containsExactly("/d", "/b", "/c");
        assertThat(near.ratedAgainstLine()).isZero();
    }

    @Test
    void countsVerdictsRatedAgainstTheLine() {
        NearThreshold near = collect(
                0.5,
                10,
                List.of(
                        scored("/a", "Unsafe", 0.2, null),
                        scored("/b", "Safe", 0.5, null),
                        scored("/c", "Safe", 0.49, null),
                        scored("/d", "Unsafe", 0.9, null)));
        assertThat(near.ratedAgainstLine()).isEqualTo(2);
    }

    @Test
    void aZeroLimitStillCounts() {
        NearThreshold near = collect(0.3, 0, List.of(scored("/a", "Safe", 0.25, 0.3)));
        assertThat(near.count()).isEqualTo(1);
        assertThat(near.closest()).isEmpty();
    }

    @Test
    void collectsFromTheLogFile() throws Exception {
        Path log = dir.resolve(VerdictLog.FILE_NAME);
        try (VerdictLogWriter w = VerdictLogWriter.truncate(log)) {
            w.append(scored("/a", "Unsafe", 0.33, 0.3));
            w.append(scored("/b", "Safe", 0.05, 0.3));
        }
        NearThreshold near = NearThreshold.collect(log, 0.3, 10);
        assertThat(near.threshold()).isEqualTo(0.3);
        assertThat(near.closest()).extracting(VerdictRecord::path).containsExactly("/a");
    }
}
