package io.safetyguard.llamacpp.internal.gguf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Collects every missing or mistyped key of a file at once, so the user can fix them all in one go. */
final class KeyChecks {
    private final GgufFile file;
    private final List<String> problems = new ArrayList<>();

    KeyChecks(GgufFile file) {
        this.file = file;
        for (Map.Entry<String, GgufValue> kv : file.metadata().entrySet()) {
            if (kv.getValue().isArrayOfArrays()) {
                problems.add("key '" + Printable.of(kv.getKey())
                        + "' is an array of arrays, which llama.cpp v0.4.0 cannot load");
            }
        }
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    void add(String problem) {
        problems.add(problem);
    }

    /** A required scalar of exactly this type; returns it, or null after recording the problem. */
    GgufValue require(String key, GgufValueType type) {
        GgufValue v = file.metadata().get(key);
        if (v == null) {
            problems.add("required key '" + key + "' (" + type.shortName() + ") is missing");
            return null;
        }
        return optional(key, type);
    }

    /** An optional scalar of exactly this type; null when absent or mistyped (then recorded). */
    GgufValue optional(String key, GgufValueType type) {
        GgufValue v = file.metadata().get(key);
        if (v != null && v.type() != type) {
            problems.add(GgufFile.typeMismatchProblem(key, type.shortName(), v));
            return null;
        }
        return v;
    }

    /** A required array of exactly this element type with at least {@code minLength} elements. */
    GgufValue requireArray(String key, GgufValueType elementType, int minLength) {
        if (!file.has(key)) {
            problems.add("required key '" + key + "' (arr[" + elementType.shortName() + "]) is missing");
            return null;
        }
        GgufValue v = optionalArray(key, elementType);
        if (v != null && v.length() < minLength) {
            problems.add("key '" + key + "' has " + v.length() + " elements; llama.cpp needs at least " + minLength);
            return null;
        }
        return v;
    }

    /** An optional array of exactly this element type. */
    GgufValue optionalArray(String key, GgufValueType elementType) {
        GgufValue v = file.metadata().get(key);
        if (v != null && (!v.isArray() || v.elementType() != elementType)) {
            problems.add(GgufFile.typeMismatchProblem(key, "arr[" + elementType.shortName() + "]", v));
            return null;
        }
        return v;
    }

    /** A required positive u32. */
    long requirePositiveU32(String key) {
        GgufValue v = require(key, GgufValueType.UINT32);
        if (v != null && v.longValue() == 0) {
            problems.add("key '" + key + "' is 0; it must be positive");
            return 0;
        }
        return v == null ? 0 : v.longValue();
    }

    /** A count that llama.cpp accepts either as a u32 or as a per-layer array of u32/i32. */
    void requireCountOrPerLayerArray(String key) {
        GgufValue v = file.metadata().get(key);
        if (v == null) {
            problems.add("required key '" + key + "' (u32) is missing");
        } else if (v.type() != GgufValueType.UINT32
                && !(v.isArray()
                        && (v.elementType() == GgufValueType.UINT32 || v.elementType() == GgufValueType.INT32))) {
            problems.add(GgufFile.typeMismatchProblem(key, "u32 or arr[u32]", v));
        }
    }

    void requireTensor(String name, String why) {
        if (!file.hasTensor(name)) {
            problems.add("tensor '" + name + "' is missing (" + why + ")");
        }
    }
}
