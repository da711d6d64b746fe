package io.safetyguard.llamacpp.tools.convert;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * One tensor as a safetensors header declares it.
 *
 * @param name       the tensor's key
 * @param dtypeName  the element type as written in the header, e.g. {@code BF16} or {@code I64}
 * @param shape      dimensions in PyTorch order (the last one varies fastest)
 * @param file       the file holding the data
 * @param dataStart  absolute offset of the first byte in {@code file}
 * @param byteLength bytes of data
 */
record SafetensorsTensor(String name, String dtypeName, long[] shape, Path file, long dataStart, long byteLength) {

    /** The element type, when the converter supports it. */
    Optional<SafetensorsDType> dtype() {
        return SafetensorsDType.fromHeader(dtypeName);
    }

    /** Number of elements (1 for a scalar). */
    long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The shape as {@code [a, b]}. */
    String shapeText() {
        return Arrays.toString(shape);
    }

    /** Where the tensor lives, for messages: {@code name (file)}. */
    String where() {
        return "'" + name + "' (" + file.getFileName() + ")";
    }
}
