package io.safetyguard.llamacpp.internal.vision;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The few Python float operations whose exact results decide token counts in the Hugging Face reference.
 * Java's IEEE-754 {@code double} arithmetic ({@code +}, {@code *}, {@code /}, {@link Math#sqrt}) already
 * rounds like CPython's; these are the operations whose Python semantics differ from the obvious Java
 * expression.
 */
final class PyMath {
    private PyMath() {}

    /**
     * Python {@code a // b} for floats (CPython {@code float_floor_div}): the quotient of the exact
     * remainder subtraction, snapped to the nearest integral value. For positive operands this is
     * {@code floor(a / b)} except where rounding of {@code a / b} would cross an integer.
     */
    static double floorDiv(double a, double b) {
        if (b == 0.0) {
            throw new ArithmeticException("float floor division by zero");
        }
        double mod = a % b; // Java's % on doubles is C fmod: exact, sign of the dividend
        double div = (a - mod) / b;
        if (mod != 0.0) {
            if ((b < 0) != (mod < 0)) {
                div -= 1.0;
            }
        }
        if (div != 0.0) {
            double floored = Math.floor(div);
            if (div - floored > 0.5) {
                floored += 1.0;
            }
            return floored;
        }
        return Math.copySign(0.0, a / b);
    }

    /**
     * Python {@code round(x, 7)}: the exact binary value of {@code x} rounded to 7 decimal places with
     * ties to even, converted back to the nearest double.
     */
    static double round7(double x) {
        if (!Double.isFinite(x)) {
            throw new ArithmeticException("cannot round " + x);
        }
        return new BigDecimal(x).setScale(7, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** Python {@code int(x)} for a finite double: truncation toward zero. */
    static long trunc(double x) {
        if (!Double.isFinite(x) || Math.abs(x) >= 0x1p62) {
            throw new ArithmeticException("cannot truncate " + x + " to a long");
        }
        return (long) x;
    }

    /** Python {@code int(round(x, 7))}, the rounding the reference uses when it unpads a feature grid. */
    static long intRound7(double x) {
        return trunc(round7(x));
    }
}
