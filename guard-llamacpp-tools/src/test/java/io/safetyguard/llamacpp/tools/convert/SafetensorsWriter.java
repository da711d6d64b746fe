package io.safetyguard.llamacpp.tools.convert;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes small safetensors files for the tests, well-formed or deliberately broken. */
final class SafetensorsWriter {
    /** One tensor: its dtype as written in the header, shape and raw little-endian data. */
    record Tensor(String dtype, long[] shape, byte[] data) {}

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    SafetensorsWriter add(String name, String dtype, long[] shape, byte[] data) {
        tensors.put(name, new Tensor(dtype, shape, data));
        return this;
    }

    SafetensorsWriter f32(String name, long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return add(name, "F32", shape, b.array());
    }

    /** BF16 by truncating each float's low 16 bits (the tests pick values exact in BF16). */
    SafetensorsWriter bf16(String name, long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
        }
        return add(name, "BF16", shape, b.array());
    }

    Map<String, Tensor> tensors() {
        return tensors;
    }

    /** Writes the header (with a {@code __metadata__} entry, as transformers does) and the data back to back. */
    void write(Path file) throws IOException {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            json.append(",\"")
                    .append(e.getKey())
                    .append("\":{\"dtype\":\"")
                    .append(t.dtype)
                    .append("\",\"shape\":")
                    .append(Arrays.stream(t.shape).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]")))
                    .append(",\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(offset + t.data.length)
                    .append("]}");
            offset += t.data.length;
        }
        json.append('}');
        byte[] data = new byte[(int) offset];
        int at = 0;
        for (Tensor t : tensors.values()) {
            System.arraycopy(t.data, 0, data, at, t.data.length);
            at += t.data.length;
        }
        writeRaw(file, json.toString(), data);
    }

    /** A file with exactly this header text and data, padded as safetensors pads the header (to 8 bytes). */
    static void writeRaw(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        byte[] hp = Arrays.copyOf(h, padded);
        Arrays.fill(hp, h.length, padded, (byte) ' ');
        writeRaw(file, padded, hp, data);
    }

    /** A file whose length field says {@code declaredHeaderLength}, whatever follows. */
    static void writeRaw(Path file, long declaredHeaderLength, byte[] header, byte[] data) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(declaredHeaderLength)
                    .array());
            out.write(header);
            out.write(data);
        }
    }
}
