package io.safetyguard.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.safetyguard.core.Rating;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdSweepTest {

    private static SampleResult result(int line, Rating expected, Double p, String exception) {
        LabeledSample s = new LabeledSample(line, Path.of("img" + line + ".png"), expected, null, exception);
        return new SampleResult(
                s, p == null || p < 0.5 ? Rating.SAFE : Rating.UNSAFE, "NA", "NA: None applying", null, 1, "fp", p);
    }

    @Test
    void rocAucCountsOrderedPairsAndTiesHalf() {
        // Unsafe: 0.9, 0.4; Safe: 0.4, 0.1 -> pairs (0.9>0.4), (0.9>0.1), (0.4=0.4: 1/2), (0.4>0.1) = 3.5/4
        ThresholdSweep s = ThresholdSweep.of(List.of(
                result(1, Rating.UNSAFE, 0.9, null),
                result(2, Rating.UNSAFE, 0.4, null),
                result(3, Rating.SAFE, 0.4, null),
                result(4, Rating.SAFE, 0.1, null)));
        assertThat(s.n()).isEqualTo(4);
        assertThat(s.rocAuc()).isCloseTo(0.875, within(1e-12));
    }

    @Test
    void eachThresholdRatesUnsafeIffPUnsafeReachesIt() {
        ThresholdSweep s = ThresholdSweep.of(List.of(
                result(1, Rating.UNSAFE, 0.9, null),
                result(2, Rating.UNSAFE, 0.4, null),
                result(3, Rating.SAFE, 0.4, null),
                result(4, Rating.SAFE, 0.1, null)));
        assertThat(s.points()).hasSize(19);
        assertThat(s.points().get(0).threshold()).isEqualTo(0.05);
        assertThat(s.points().get(18).threshold()).isEqualTo(0.95);
        ThresholdSweep.Point at40 = s.points().get(7);
        assertThat(at40.threshold()).isEqualTo(0.4);
        assertThat(at40.matrix()).isEqualTo(new ConfusionMatrix(2, 1, 1, 0)); // tp fp tn fn
        ThresholdSweep.Point at50 = s.points().get(9);
        assertThat(at50.matrix()).isEqualTo(new ConfusionMatrix(1, 0, 2, 1));
        assertThat(at50.metrics().recall()).isEqualTo(0.5);
        assertThat(at50.metrics().precision()).isEqualTo(1.0);
    }

    @Test
    void exceptionSamplesInvalidOnesAndOnesWithoutPAreLeftOut() {
        SampleResult invalid = SampleResult.ofException(
                new LabeledSample(9, Path.of("x.png"), Rating.UNSAFE, null, null), new RuntimeException("boom"));
        ThresholdSweep s = ThresholdSweep.of(List.of(
                result(1, Rating.UNSAFE, 0.9, null),
                result(2, Rating.SAFE, 0.95, "O6"),
                result(3, Rating.SAFE, null, null),
                invalid));
        assertThat(s.n()).isEqualTo(1);
        assertThat(s.withoutProbability()).isEqualTo(1);
        assertThat(s.rocAuc()).as("no Safe sample with a P(Unsafe)").isNaN();
    }
}
