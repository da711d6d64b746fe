package io.safetyguard.llamacpp.internal.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PyMathTest {

    @Test
    void floorDivisionFollowsPythonNotTheRoundedQuotient() {
        // CPython: 18 // 1.8 == 9.0 although 18 / 1.8 == 10.0 (1.8 is stored slightly above 1.8).
        assertThat(18 / 1.8).isEqualTo(10.0);
        assertThat(PyMath.floorDiv(18, 1.8)).isEqualTo(9.0);
        assertThat(PyMath.floorDiv(323, 1.4166666666666667)).isEqualTo(227.0);
        assertThat(PyMath.floorDiv(175, 1.6666666666666667)).isEqualTo(104.0);
        assertThat(PyMath.floorDiv(189, 2.3333333333333335)).isEqualTo(80.0);
        assertThat(PyMath.floorDiv(162, 2.0)).isEqualTo(81.0);
        assertThat(PyMath.floorDiv(7, -2.0)).isEqualTo(-4.0);
        assertThat(PyMath.floorDiv(-7, 2.0)).isEqualTo(-4.0);
        assertThat(PyMath.floorDiv(0, 1.5)).isEqualTo(0.0);
        assertThatThrownBy(() -> PyMath.floorDiv(1, 0.0)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void floorDivisionIsTheExactFloorForPlannerSizedOperands() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            long a = rnd.nextInt(2000);
            double b = 1.1 + rnd.nextDouble() * 30;
            long exact = new BigDecimal(a)
                    .divide(new BigDecimal(b), 0, RoundingMode.FLOOR)
                    .longValue();
            assertThat((long) PyMath.floorDiv(a, b)).as("%d // %s", a, b).isEqualTo(exact);
        }
    }

    @Test
    void roundToSevenDigitsUsesTheExactBinaryValueAndTiesToEven() {
        assertThat(PyMath.round7(121.5)).isEqualTo(121.5);
        assertThat(PyMath.intRound7(121.5)).isEqualTo(121);
        assertThat(PyMath.intRound7(26.999999999)).isEqualTo(27); // round(26.999999999, 7) == 27.0
        assertThat(PyMath.intRound7(26.99999)).isEqualTo(26);
        // 1/256 = 0.00390625 is a true tie at the 8th digit: Python rounds it to 0.0039062 (even).
        assertThat(PyMath.round7(0.00390625)).isEqualTo(0.0039062);
        assertThat(PyMath.round7(3.00390625)).isEqualTo(3.0039062);
        // 0.15 is stored below 0.15, so round(0.15, 1) would be 0.1 in Python; at 7 digits nothing changes.
        assertThat(PyMath.round7(0.15)).isEqualTo(0.15);
        assertThatThrownBy(() -> PyMath.round7(Double.NaN)).isInstanceOf(ArithmeticException.class);
        assertThat(PyMath.trunc(-2.7)).isEqualTo(-2);
        assertThatThrownBy(() -> PyMath.trunc(Double.POSITIVE_INFINITY)).isInstanceOf(ArithmeticException.class);
    }
}
