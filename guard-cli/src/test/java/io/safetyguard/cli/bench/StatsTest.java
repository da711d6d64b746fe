package io.safetyguard.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfOddAndEvenCountsIgnoresNaN() {
        assertThat(Stats.median(List.of(5.0, 1.0, 3.0))).hasValue(3.0);
        assertThat(Stats.median(List.of(4, 1, 3, 2))).hasValue(2.5);
        assertThat(Stats.median(List.of(Double.NaN, 7.0))).hasValue(7.0);
        assertThat(Stats.median(List.<Double>of())).isEmpty();
    }

    @Test
    void ratioNeedsBothValuesAndAPositiveDenominator() {
        assertThat(Stats.ratio(OptionalDouble.of(3), OptionalDouble.of(4))).hasValue(0.75);
        assertThat(Stats.ratio(OptionalDouble.of(3), OptionalDouble.of(0))).isEmpty();
        assertThat(Stats.ratio(OptionalDouble.empty(), OptionalDouble.of(4))).isEmpty();
    }

    @Test
    void procStatusReadsVmHwm() {
        String status = "Name:\tjava\nVmPeak:\t 9999 kB\nVmHWM:\t  123456 kB\nVmRSS:\t 100 kB\n";
        assertThat(ProcStatus.parseVmHwm(status)).hasValue(123456);
        assertThat(ProcStatus.parseVmHwm("Name:\tjava\n")).isEmpty();
    }
}
