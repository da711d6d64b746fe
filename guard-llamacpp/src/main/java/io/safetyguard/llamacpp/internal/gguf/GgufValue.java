package io.safetyguard.llamacpp.internal.gguf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One GGUF metadata value: a scalar of a {@link GgufValueType}, or an array whose elements all have one type
 * (arrays of arrays are allowed by the format; llama.cpp itself cannot load them).
 *
 * <p>Values are immutable and keep their exact GGUF type, so a value read from one file is written unchanged to
 * another (this is how the tokenizer is copied from a vocab file). Integer scalars are held as {@code long}:
 * unsigned types hold their unsigned value, except {@code u64}, which holds the raw 64 bits.
 *
 * <p>Accessors for the wrong kind of value throw {@link IllegalStateException}: check {@link #type()} first, or use
 * the typed getters of {@link GgufFile}, which report type mismatches as {@link GgufFormatException}.
 */
public final class GgufValue {
    private static final int TO_STRING_ELEMENTS = 8;

    private final GgufValueType type;
    private final GgufValueType elementType;
    // Long, Float, Double, Boolean or String for scalars; a primitive array, String[] or GgufValue[] for arrays
    private final Object value;

    private GgufValue(GgufValueType type, GgufValueType elementType, Object value) {
        this.type = type;
        this.elementType = elementType;
        this.value = value;
    }

    // ---- scalar factories ----

    /** An unsigned 8-bit value (0..255). */
    public static GgufValue uint8(int v) {
        return integer(GgufValueType.UINT8, v, 0, 0xFFL);
    }

    /** A signed 8-bit value. */
    public static GgufValue int8(int v) {
        return integer(GgufValueType.INT8, v, Byte.MIN_VALUE, Byte.MAX_VALUE);
    }

    /** An unsigned 16-bit value (0..65535). */
    public static GgufValue uint16(int v) {
        return integer(GgufValueType.UINT16, v, 0, 0xFFFFL);
    }

    /** A signed 16-bit value. */
    public static GgufValue int16(int v) {
        return integer(GgufValueType.INT16, v, Short.MIN_VALUE, Short.MAX_VALUE);
    }

    /** An unsigned 32-bit value (0..4294967295). */
    public static GgufValue uint32(long v) {
        return integer(GgufValueType.UINT32, v, 0, 0xFFFF_FFFFL);
    }

    /** A signed 32-bit value. */
    public static GgufValue int32(int v) {
        return new GgufValue(GgufValueType.INT32, null, (long) v);
    }

    /** An unsigned 64-bit value, given as its raw 64 bits. */
    public static GgufValue uint64(long rawBits) {
        return new GgufValue(GgufValueType.UINT64, null, rawBits);
    }

    /** A signed 64-bit value. */
    public static GgufValue int64(long v) {
        return new GgufValue(GgufValueType.INT64, null, v);
    }

    /** A 32-bit float. */
    public static GgufValue float32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, null, v);
    }

    /** A 64-bit float. */
    public static GgufValue float64(double v) {
        return new GgufValue(GgufValueType.FLOAT64, null, v);
    }

    /** A boolean (stored as one byte). */
    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, null, v);
    }

    /** A UTF-8 string. */
    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, null, Objects.requireNonNull(v, "v"));
    }

    // ---- array factories (arrays are copied) ----

    /** An array of u8 (the bytes are taken as unsigned). */
    public static GgufValue uint8Array(byte[] v) {
        return array(GgufValueType.UINT8, v.clone());
    }

    /** An array of i8. */
    public static GgufValue int8Array(byte[] v) {
        return array(GgufValueType.INT8, v.clone());
    }

    /** An array of u16 (the shorts are taken as unsigned). */
    public static GgufValue uint16Array(short[] v) {
        return array(GgufValueType.UINT16, v.clone());
    }

    /** An array of i16. */
    public static GgufValue int16Array(short[] v) {
        return array(GgufValueType.INT16, v.clone());
    }

    /** An array of u32 (the ints are taken as unsigned). */
    public static GgufValue uint32Array(int[] v) {
        return array(GgufValueType.UINT32, v.clone());
    }

    /** An array of i32, e.g. {@code clip.vision.image_grid_pinpoints}. */
    public static GgufValue int32Array(int... v) {
        return array(GgufValueType.INT32, v.clone());
    }

    /** An array of u64 (raw bits). */
    public static GgufValue uint64Array(long[] v) {
        return array(GgufValueType.UINT64, v.clone());
    }

    /** An array of i64. */
    public static GgufValue int64Array(long[] v) {
        return array(GgufValueType.INT64, v.clone());
    }

    /** An array of f32, e.g. {@code clip.vision.image_mean}. */
    public static GgufValue float32Array(float... v) {
        return array(GgufValueType.FLOAT32, v.clone());
    }

    /** An array of f64. */
    public static GgufValue float64Array(double[] v) {
        return array(GgufValueType.FLOAT64, v.clone());
    }

    /** An array of bool. */
    public static GgufValue boolArray(boolean[] v) {
        return array(GgufValueType.BOOL, v.clone());
    }

    /** An array of strings, e.g. {@code tokenizer.ggml.tokens}. */
    public static GgufValue stringArray(List<String> v) {
        String[] copy = v.toArray(new String[0]);
        for (String s : copy) {
            Objects.requireNonNull(s, "string array element");
        }
        return array(GgufValueType.STRING, copy);
    }

    /** An array of arrays; each element must itself be an array (their element types may differ). */
    public static GgufValue arrayOfArrays(List<GgufValue> v) {
        GgufValue[] copy = v.toArray(new GgufValue[0]);
        for (GgufValue e : copy) {
            if (!Objects.requireNonNull(e, "array element").isArray()) {
                throw new IllegalArgumentException("an array of arrays may only contain arrays, got " + e.typeName());
            }
        }
        return array(GgufValueType.ARRAY, copy);
    }

    /** Wraps an array the caller hands over (no copy); for the reader, which builds fresh arrays. */
    static GgufValue array(GgufValueType elementType, Object backingArray) {
        return new GgufValue(GgufValueType.ARRAY, elementType, backingArray);
    }

    private static GgufValue integer(GgufValueType type, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " is out of range for " + type.shortName());
        }
        return new GgufValue(type, null, v);
    }

    /** Builds an integer scalar from the raw bits read from a file. */
    static GgufValue integerFromFile(GgufValueType type, long v) {
        return new GgufValue(type, null, v);
    }

    // ---- accessors ----

    /** The value's type; {@link GgufValueType#ARRAY} for arrays. */
    public GgufValueType type() {
        return type;
    }

    /** True for arrays. */
    public boolean isArray() {
        return type == GgufValueType.ARRAY;
    }

    /** The type of the elements of an array. */
    public GgufValueType elementType() {
        requireArray();
        return elementType;
    }

    /** llama.cpp's notation for the type, e.g. {@code u32} or {@code arr[i32,8]}. */
    public String typeName() {
        return isArray() ? "arr[" + elementType.shortName() + "," + length() + "]" : type.shortName();
    }

    /** The value of an integer scalar (unsigned types give their unsigned value; u64 gives the raw bits). */
    public long longValue() {
        if (!type.isInteger()) {
            throw wrongKind("an integer");
        }
        return (Long) value;
    }

    /** The value of an f32 scalar. */
    public float floatValue() {
        if (type != GgufValueType.FLOAT32) {
            throw wrongKind("an f32");
        }
        return (Float) value;
    }

    /** The value of an f64 scalar. */
    public double doubleValue() {
        if (type != GgufValueType.FLOAT64) {
            throw wrongKind("an f64");
        }
        return (Double) value;
    }

    /** The value of a bool scalar. */
    public boolean boolValue() {
        if (type != GgufValueType.BOOL) {
            throw wrongKind("a bool");
        }
        return (Boolean) value;
    }

    /** The value of a string scalar. */
    public String stringValue() {
        if (type != GgufValueType.STRING) {
            throw wrongKind("a string");
        }
        return (String) value;
    }

    /** The number of elements of an array. */
    public int length() {
        requireArray();
        return java.lang.reflect.Array.getLength(value);
    }

    /** The elements of a u8 or i8 array, as a copy. */
    public byte[] toByteArray() {
        return ((byte[]) arrayOf("a u8/i8", GgufValueType.UINT8, GgufValueType.INT8)).clone();
    }

    /** The elements of a u16 or i16 array, as a copy. */
    public short[] toShortArray() {
        return ((short[]) arrayOf("a u16/i16", GgufValueType.UINT16, GgufValueType.INT16)).clone();
    }

    /** The elements of a u32 or i32 array, as a copy (u32 elements keep their bits). */
    public int[] toIntArray() {
        return ((int[]) arrayOf("a u32/i32", GgufValueType.UINT32, GgufValueType.INT32)).clone();
    }

    /** The elements of a u64 or i64 array, as a copy. */
    public long[] toLongArray() {
        return ((long[]) arrayOf("a u64/i64", GgufValueType.UINT64, GgufValueType.INT64)).clone();
    }

    /** The elements of an f32 array, as a copy. */
    public float[] toFloatArray() {
        return ((float[]) arrayOf("an f32", GgufValueType.FLOAT32, GgufValueType.FLOAT32)).clone();
    }

    /** The elements of an f64 array, as a copy. */
    public double[] toDoubleArray() {
        return ((double[]) arrayOf("an f64", GgufValueType.FLOAT64, GgufValueType.FLOAT64)).clone();
    }

    /** The elements of a bool array, as a copy. */
    public boolean[] toBooleanArray() {
        return ((boolean[]) arrayOf("a bool", GgufValueType.BOOL, GgufValueType.BOOL)).clone();
    }

    /** The elements of a string array, as an unmodifiable view (no copy: vocabularies are large). */
    public List<String> strings() {
        return Collections.unmodifiableList(
                Arrays.asList((String[]) arrayOf("a string", GgufValueType.STRING, GgufValueType.STRING)));
    }

    /** The elements of an array of arrays, as an unmodifiable view. */
    public List<GgufValue> elements() {
        return Collections.unmodifiableList(
                Arrays.asList((GgufValue[]) arrayOf("an array", GgufValueType.ARRAY, GgufValueType.ARRAY)));
    }

    /** True for an array whose elements are arrays (the format allows it; llama.cpp cannot load it). */
    public boolean isArrayOfArrays() {
        return isArray() && elementType == GgufValueType.ARRAY;
    }

    /** The backing object, for the writer in this package; never handed out. */
    public Object raw() {
        return value;
    }

    private Object arrayOf(String what, GgufValueType a, GgufValueType b) {
        if (!isArray() || (elementType != a && elementType != b)) {
            throw wrongKind(what + " array");
        }
        return value;
    }

    private void requireArray() {
        if (!isArray()) {
            throw wrongKind("an array");
        }
    }

    private IllegalStateException wrongKind(String expected) {
        return new IllegalStateException("value is " + typeName() + ", not " + expected);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof GgufValue other) || type != other.type || elementType != other.elementType) {
            return false;
        }
        if (!isArray()) {
            return value.equals(other.value);
        }
        // deepEquals compares primitive arrays by content and recurses into GgufValue[] via equals
        return Arrays.deepEquals(new Object[] {value}, new Object[] {other.value});
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(type, elementType);
        return 31 * h + (isArray() ? Arrays.deepHashCode(new Object[] {value}) : value.hashCode());
    }

    /** A short rendering for logs and reports; long arrays and strings are abbreviated. */
    @Override
    public String toString() {
        if (!isArray()) {
            return switch (type) {
                case STRING -> quote((String) value);
                case UINT64 -> Long.toUnsignedString((Long) value);
                default -> String.valueOf(value);
            };
        }
        int n = length();
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(n, TO_STRING_ELEMENTS); i++) {
            shown.add(elementToString(i));
        }
        return "[" + String.join(", ", shown) + (n > TO_STRING_ELEMENTS ? ", … (" + n + " elements)" : "") + "]";
    }

    private String elementToString(int i) {
        return switch (elementType) {
            case UINT8 -> String.valueOf(((byte[]) value)[i] & 0xFF);
            case UINT16 -> String.valueOf(((short[]) value)[i] & 0xFFFF);
            case UINT32 -> String.valueOf(((int[]) value)[i] & 0xFFFF_FFFFL);
            case UINT64 -> Long.toUnsignedString(((long[]) value)[i]);
            case STRING -> quote(((String[]) value)[i]);
            default -> String.valueOf(java.lang.reflect.Array.get(value, i));
        };
    }

    private static String quote(String s) {
        String shown = s.length() > 60 ? s.substring(0, 57) + "…" : s;
        return "\"" + shown.replace("\n", "\\n") + "\"";
    }
}
