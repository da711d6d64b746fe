package io.safetyguard.llamacpp.tools.gguf;

import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.GgufValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses metadata values written as {@code TYPE:VALUE} on a command line, with llama.cpp's type names:
 * {@code u8 i8 u16 i16 u32 i32 u64 i64 f32 f64 bool str} for scalars and {@code arr[TYPE]} for arrays, whose
 * elements are separated by commas (e.g. {@code arr[i32]:384,384,384,768}; string arrays cannot contain commas).
 */
public final class MetadataValueParser {
    private MetadataValueParser() {}

    /**
     * Parses {@code TYPE:VALUE}.
     *
     * @throws IllegalArgumentException with a message saying what is wrong and what is accepted
     */
    public static GgufValue parse(String typed) {
        int colon = typed.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + typed + "' has no type; write TYPE:VALUE, e.g. u32:26, bool:true, "
                    + "str:v1.2, arr[i32]:26 or arr[f32]:0.5,0.5,0.5");
        }
        String type = typed.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = typed.substring(colon + 1);
        if (type.startsWith("arr[") && type.endsWith("]")) {
            return array(elementType(type.substring(4, type.length() - 1)), value);
        }
        return scalar(elementType(type), value);
    }

    private static GgufValueType elementType(String name) {
        for (GgufValueType t : GgufValueType.values()) {
            if (t != GgufValueType.ARRAY && t.shortName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown type '" + name + "'; use one of u8, i8, u16, i16, u32, i32, u64, "
                + "i64, f32, f64, bool, str or arr[TYPE]");
    }

    private static GgufValue scalar(GgufValueType type, String text) {
        String v = text.trim();
        try {
            return switch (type) {
                case UINT8 -> GgufValue.uint8(Integer.parseInt(v));
                case INT8 -> GgufValue.int8(Integer.parseInt(v));
                case UINT16 -> GgufValue.uint16(Integer.parseInt(v));
                case INT16 -> GgufValue.int16(Integer.parseInt(v));
                case UINT32 -> GgufValue.uint32(Long.parseLong(v));
                case INT32 -> GgufValue.int32(Integer.parseInt(v));
                case UINT64 -> GgufValue.uint64(Long.parseUnsignedLong(v));
                case INT64 -> GgufValue.int64(Long.parseLong(v));
                case FLOAT32 -> GgufValue.float32(finite(Float.parseFloat(v), v));
                case FLOAT64 -> GgufValue.float64(finite(Double.parseDouble(v), v));
                case BOOL -> GgufValue.bool(parseBool(v));
                case STRING -> GgufValue.string(text); // verbatim, spaces included
                case ARRAY -> throw new AssertionError("handled by the caller");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not a valid " + type.shortName(), e);
        }
    }

    private static GgufValue array(GgufValueType type, String text) {
        List<String> parts = new ArrayList<>();
        if (!text.isBlank()) {
            for (String p : text.split(",", -1)) {
                parts.add(type == GgufValueType.STRING ? p : p.trim());
            }
        }
        int n = parts.size();
        return switch (type) {
            case INT32, UINT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    long v = scalar(type, parts.get(i)).longValue();
                    a[i] = (int) v;
                }
                yield type == GgufValueType.INT32 ? GgufValue.int32Array(a) : GgufValue.uint32Array(a);
            }
            case INT64, UINT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = scalar(type, parts.get(i)).longValue();
                }
                yield type == GgufValueType.INT64 ? GgufValue.int64Array(a) : GgufValue.uint64Array(a);
            }
            case INT8, UINT8 -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (byte) scalar(type, parts.get(i)).longValue();
                }
                yield type == GgufValueType.INT8 ? GgufValue.int8Array(a) : GgufValue.uint8Array(a);
            }
            case INT16, UINT16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (short) scalar(type, parts.get(i)).longValue();
                }
                yield type == GgufValueType.INT16 ? GgufValue.int16Array(a) : GgufValue.uint16Array(a);
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = scalar(type, parts.get(i)).floatValue();
                }
                yield GgufValue.float32Array(a);
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = scalar(type, parts.get(i)).doubleValue();
                }
                yield GgufValue.float64Array(a);
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = parseBool(parts.get(i));
                }
                yield GgufValue.boolArray(a);
            }
            case STRING -> GgufValue.stringArray(parts);
            case ARRAY ->
                throw new IllegalArgumentException("arrays of arrays cannot be written from the command line "
                        + "(and llama.cpp cannot load them)");
        };
    }

    private static boolean parseBool(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("'" + v + "' is not a bool; use true or false");
        };
    }

    private static float finite(float f, String text) {
        if (!Float.isFinite(f)) {
            throw new IllegalArgumentException("'" + text + "' is not a finite number");
        }
        return f;
    }

    private static double finite(double d, String text) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("'" + text + "' is not a finite number");
        }
        return d;
    }
}
