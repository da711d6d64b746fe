package io.safetyguard.cli.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.OptionalDouble;

/** The small statistics a benchmark report needs: medians and ratios that say "n/a" instead of dividing by zero. */
public final class Stats {
    private Stats() {}

    /** The median of the values (the mean of the middle two for an even count); empty when there are none. */
    public static OptionalDouble median(Collection<? extends Number> values) {
        double[] v = values.stream()
                .mapToDouble(Number::doubleValue)
                .filter(d -> !Double.isNaN(d))
                .toArray();
        if (v.length == 0) {
            return OptionalDouble.empty();
        }
        Arrays.sort(v);
        int mid = v.length / 2;
        return OptionalDouble.of(v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2);
    }

    /** {@code numerator / denominator}, empty when either is missing or the denominator is not positive. */
    public static OptionalDouble ratio(OptionalDouble numerator, OptionalDouble denominator) {
        if (numerator.isEmpty() || denominator.isEmpty() || !(denominator.getAsDouble() > 0)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(numerator.getAsDouble() / denominator.getAsDouble());
    }
}
