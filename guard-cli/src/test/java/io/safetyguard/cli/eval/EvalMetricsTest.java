package io.safetyguard.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Metrics on confusion matrices computed by hand. */
class EvalMetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void aMixedMatrix() {
        // TP 8, FP 2, TN 6, FN 4 (20 samples, 12 Unsafe)
        EvalMetrics m = EvalMetrics.of(new ConfusionMatrix(8, 2, 6, 4));
        assertThat(m.recall()).isCloseTo(8.0 / 12, within(EPS));
        assertThat(m.specificity()).isCloseTo(6.0 / 8, within(EPS));
        assertThat(m.balancedAccuracy()).isCloseTo((8.0 / 12 + 0.75) / 2, within(EPS)); // 0.708333…
        assertThat(m.precision()).isCloseTo(0.8, within(EPS));
        assertThat(m.f1()).isCloseTo(16.0 / 22, within(EPS)); // = 2PR/(P+R) = 2*0.8*0.6667/1.4667
        assertThat(m.f1()).isCloseTo(2 * m.precision() * m.recall() / (m.precision() + m.recall()), within(EPS));
        assertThat(m.accuracy()).isCloseTo(0.7, within(EPS));
    }

    @Test
    void aPerfectClassifier() {
        EvalMetrics m = EvalMetrics.of(new ConfusionMatrix(3, 0, 7, 0));
        assertThat(m).isEqualTo(new EvalMetrics(1, 1, 1, 1, 1, 1));
    }

    @Test
    void noUnsafeSamplesLeavesRecallAndBalancedAccuracyUndefined() {
        // TN 5 only: no positives expected, none predicted
        EvalMetrics m = EvalMetrics.of(new ConfusionMatrix(0, 0, 5, 0));
        assertThat(m.recall()).isNaN();
        assertThat(m.specificity()).isEqualTo(1.0);
        assertThat(m.balancedAccuracy()).isNaN();
        assertThat(m.precision()).isNaN();
        assertThat(m.f1()).isNaN();
        assertThat(m.accuracy()).isEqualTo(1.0);
    }

    @Test
    void falseAlarmsOnlyGivePrecisionAndF1OfZero() {
        EvalMetrics m = EvalMetrics.of(new ConfusionMatrix(0, 3, 2, 0));
        assertThat(m.recall()).isNaN();
        assertThat(m.precision()).isZero();
        assertThat(m.f1()).isZero();
        assertThat(m.specificity()).isCloseTo(0.4, within(EPS));
    }

    @Test
    void missesOnlyGiveRecallAndF1OfZeroAndUndefinedPrecision() {
        EvalMetrics m = EvalMetrics.of(new ConfusionMatrix(0, 0, 0, 4));
        assertThat(m.recall()).isZero();
        assertThat(m.precision()).isNaN();
        assertThat(m.f1()).isZero();
        assertThat(m.specificity()).isNaN();
        assertThat(m.accuracy()).isZero();
    }

    @Test
    void anEmptyMatrixHasNoDefinedMetric() {
        EvalMetrics m = EvalMetrics.of(ConfusionMatrix.EMPTY);
        assertThat(java.util.List.of(
                        m.recall(), m.specificity(), m.balancedAccuracy(), m.precision(), m.f1(), m.accuracy()))
                .allMatch(v -> v.isNaN());
    }

    @Test
    void plusCountsIntoTheRightCell() {
        ConfusionMatrix m = ConfusionMatrix.EMPTY
                .plus(true, true)
                .plus(true, false)
                .plus(false, true)
                .plus(false, false)
                .plus(false, false);
        assertThat(m).isEqualTo(new ConfusionMatrix(1, 1, 2, 1));
        assertThat(m.total()).isEqualTo(5);
        assertThat(m.positives()).isEqualTo(2);
        assertThat(m.negatives()).isEqualTo(3);
    }

    @Test
    void percentagesPrintNaAsNa() {
        assertThat(EvalMetrics.percent(Double.NaN)).isEqualTo("n/a");
        assertThat(EvalMetrics.percent(2.0 / 3)).isEqualTo("66.67%");
        assertThat(new Proportion(0, 0).toString()).isEqualTo("n/a (0 samples)");
        assertThat(new Proportion(1, 4).toString()).isEqualTo("25.00% (1/4)");
    }

    @Test
    void impossibleCountsAreRejected() {
        assertThatThrownBy(() -> new ConfusionMatrix(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Proportion(3, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
