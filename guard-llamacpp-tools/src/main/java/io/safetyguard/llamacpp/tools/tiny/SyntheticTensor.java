package io.safetyguard.llamacpp.tools.tiny;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a synthetic checkpoint: its key, its PyTorch shape and how its values are drawn (mean + std × a
 * seeded unit-variance deviate).
 *
 * @param name          the key in the checkpoint (depends on the layout)
 * @param canonicalName the key in the legacy layout; it seeds the values, so both layouts hold equal values
 * @param shape         PyTorch order, outermost first (a linear layer's weight is [out, in])
 * @param mean          centre of the values (1 for norm weights, else 0)
 * @param std           spread of the values
 */
public record SyntheticTensor(String name, String canonicalName, long[] shape, double mean, double std) {

    public SyntheticTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(canonicalName, "canonicalName");
        shape = shape.clone();
    }

    /** The shape (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SyntheticTensor t
                && name.equals(t.name)
                && canonicalName.equals(t.canonicalName)
                && Arrays.equals(shape, t.shape)
                && mean == t.mean
                && std == t.std;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, canonicalName, Arrays.hashCode(shape), mean, std);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
