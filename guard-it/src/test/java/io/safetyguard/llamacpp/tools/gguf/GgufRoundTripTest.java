package io.safetyguard.llamacpp.tools.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.internal.gguf.Float16;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufBytes;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class GgufRoundTripTest {

    @TempDir
    Path dir;

    /** One value of every type and every array element type, plus edge cases. */
    public static Map<String, GgufValue> allValueTypes() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("test"));
        m.put("u8", GgufValue.uint8(255));
        m.put("i8", GgufValue.int8(-128));
        m.put("u16", GgufValue.uint16(65535));
        m.put("i16", GgufValue.int16(-32768));
        m.put("u32", GgufValue.uint32(4_294_967_295L));
        m.put("i32", GgufValue.int32(Integer.MIN_VALUE));
        m.put("u64", GgufValue.uint64(-1L));
        m.put("i64", GgufValue.int64(Long.MIN_VALUE));
        m.put("f32", GgufValue.float32(-1.5e-7f));
        m.put("f64", GgufValue.float64(Math.PI));
        m.put("bool.true", GgufValue.bool(true));
        m.put("bool.false", GgufValue.bool(false));
        m.put("str.empty", GgufValue.string(""));
        m.put("str.unicode", GgufValue.string("Grüße ✓ 日本 \uD83D\uDE00\n<|im_start|>"));
        m.put("arr.u8", GgufValue.uint8Array(new byte[] {0, 1, (byte) 255}));
        m.put("arr.i8", GgufValue.int8Array(new byte[] {-128, 0, 127}));
        m.put("arr.u16", GgufValue.uint16Array(new short[] {0, (short) 65535}));
        m.put("arr.i16", GgufValue.int16Array(new short[] {-32768, 32767}));
        m.put("arr.u32", GgufValue.uint32Array(new int[] {0, -1}));
        m.put("arr.i32", GgufValue.int32Array(28, 28, 28, 56, 56, 28, 56, 56));
        m.put("arr.u64", GgufValue.uint64Array(new long[] {0, -1}));
        m.put("arr.i64", GgufValue.int64Array(new long[] {Long.MIN_VALUE, Long.MAX_VALUE}));
        m.put("arr.f32", GgufValue.float32Array(0.5f, Float.NaN, Float.NEGATIVE_INFINITY));
        m.put("arr.f64", GgufValue.float64Array(new double[] {-0.0, 1e300}));
        m.put("arr.bool", GgufValue.boolArray(new boolean[] {true, false, true}));
        m.put("arr.str", GgufValue.stringArray(List.of("<unk>", "", "▁the", "Ġ Ġ")));
        m.put("arr.empty", GgufValue.int32Array());
        m.put(
                "arr.nested",
                GgufValue.arrayOfArrays(List.of(
                        GgufValue.int32Array(1, 2),
                        GgufValue.stringArray(List.of("a")),
                        GgufValue.arrayOfArrays(List.of(GgufValue.float32Array(1f))))));
        return m;
    }

    @Test
    void everyValueTypeRoundTripsInOrder() throws IOException {
        Map<String, GgufValue> values = allValueTypes();
        GgufWriter w = new GgufWriter(dir.resolve("all.gguf"));
        values.forEach(w::put);
        w.write();

        GgufFile f = GgufReader.read(dir.resolve("all.gguf"));

        assertThat(f.version()).isEqualTo(3);
        assertThat(f.alignment()).isEqualTo(32);
        assertThat(f.metadata()).containsExactlyEntriesOf(values);
        assertThat(f.tensors()).isEmpty();
        assertThat(f.metadata().get("u64").toString()).isEqualTo("18446744073709551615");
        assertThat(f.metadata().get("arr.u32").toString()).isEqualTo("[0, 4294967295]");
        assertThat(f.metadata().get("arr.i32").typeName()).isEqualTo("arr[i32,8]");
        assertThat(f.metadata().get("arr.nested").isArrayOfArrays()).isTrue();
    }

    @Test
    void tensorsOfEachKindRoundTripWithTheirData() throws IOException {
        float[] f32 = {1f, -2f, 3.5f, 0f, 1e-3f, -7f};
        float[] f16 = {0.5f, -1f, 65504f, 0.1f};
        byte[] q8 = new byte[34 * 2];
        for (int i = 0; i < q8.length; i++) {
            q8[i] = (byte) i;
        }
        Path file = dir.resolve("t.gguf");
        new GgufWriter(file)
                .putString("general.architecture", "test")
                .addTensorF32("a.weight", new long[] {3, 2}, f32)
                .addTensorF16("b.weight", new long[] {4}, f16)
                .addTensor("q.weight", GgmlType.Q8_0, new long[] {64}, TensorData.raw(q8))
                .addTensorF32("empty", new long[] {0}, new float[0])
                .addTensorF32("four.d", new long[] {1, 1, 1, 2}, new float[] {9f, 8f})
                .write();

        GgufFile f = GgufReader.read(file);

        assertThat(f.tensors())
                .extracting(GgufTensorInfo::toString)
                .containsExactly(
                        "a.weight f32 [3, 2]",
                        "b.weight f16 [4]",
                        "q.weight q8_0 [64]",
                        "empty f32 [0]",
                        "four.d f32 [1, 1, 1, 2]");
        GgufTensorInfo a = f.tensor("a.weight").orElseThrow();
        assertThat(a.ne(0)).isEqualTo(3);
        assertThat(a.ne(1)).isEqualTo(2);
        assertThat(a.ne(3)).isEqualTo(1);
        assertThat(a.elementCount()).isEqualTo(6);
        assertThat(a.byteSize()).isEqualTo(24);
        assertThat(a.offset()).isZero();
        assertThat(a.fileOffset()).isEqualTo(f.dataOffset());
        assertThat(f.dataOffset() % 32).isZero();
        assertThat(f.tensor("b.weight").orElseThrow().offset()).isEqualTo(32);
        assertThat(f.tensor("q.weight").orElseThrow().byteSize()).isEqualTo(68);

        assertThat(floats(f.readTensorBytes("a.weight"))).containsExactly(f32);
        short[] halves = shorts(f.readTensorBytes("b.weight"));
        for (int i = 0; i < f16.length; i++) {
            assertThat(Float16.toFloat(halves[i])).isEqualTo(Float16.toFloat(Float16.fromFloat(f16[i])));
        }
        assertThat(f.readTensorBytes("q.weight")).isEqualTo(q8);
        assertThat(f.readTensorBytes("empty")).isEmpty();

        GgufFile inMemory = GgufReader.read("t.gguf", Files.readAllBytes(file));
        assertThat(inMemory.readTensorBytes("four.d")).isEqualTo(f.readTensorBytes("four.d"));
        assertThat(inMemory.tensors()).isEqualTo(f.tensors());
    }

    @Test
    void nonDefaultAlignmentIsRecordedAndHonoured() throws IOException {
        Path file = dir.resolve("a64.gguf");
        new GgufWriter(file, 64)
                .putU32("x", 1)
                .addTensorF32("a", new long[] {3}, new float[] {1, 2, 3})
                .addTensorF32("b", new long[] {1}, new float[] {4})
                .write();

        GgufFile f = GgufReader.read(file);

        assertThat(f.alignment()).isEqualTo(64);
        assertThat(f.getU32(GgufFile.KEY_ALIGNMENT)).isEqualTo(64);
        assertThat(f.dataOffset() % 64).isZero();
        assertThat(f.tensor("b").orElseThrow().offset()).isEqualTo(64);
    }

    @Test
    void sameInputGivesByteIdenticalFiles() throws IOException {
        for (String name : List.of("1.gguf", "2.gguf")) {
            GgufWriter w = new GgufWriter(dir.resolve(name));
            allValueTypes().forEach(w::put);
            w.addTensorF16("w", new long[] {2, 2}, new float[] {1, 2, 3, 4}).write();
        }
        assertThat(Files.readAllBytes(dir.resolve("1.gguf"))).isEqualTo(Files.readAllBytes(dir.resolve("2.gguf")));
    }

    @Test
    void wrongTensorDataSizeFailsAndLeavesNoFile() {
        Path file = dir.resolve("bad.gguf");
        GgufWriter w = new GgufWriter(file).addTensor("short", GgmlType.F32, new long[] {4}, sink -> sink.putF32(1f));

        assertThatThrownBy(w::write)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tensor 'short' wrote 4 bytes")
                .hasMessageContaining("need 16");
        assertThat(file).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void writerRejectsWhatLlamaCppWouldReject() {
        GgufWriter w = new GgufWriter(dir.resolve("x.gguf")).putU32("k", 1);
        assertThatThrownBy(() -> w.putU32("k", 2)).hasMessageContaining("duplicate key 'k'");
        assertThatThrownBy(() -> w.putU32("", 2)).hasMessageContaining("empty");
        assertThatThrownBy(() -> w.putU32(GgufFile.KEY_ALIGNMENT, 64)).hasMessageContaining("constructor");
        assertThatThrownBy(() -> w.addTensorF32("x".repeat(64), new long[] {1}, new float[1]))
                .hasMessageContaining("1..63 bytes");
        assertThatThrownBy(() -> w.addTensorF32("t", new long[] {1, 1, 1, 1, 1}, new float[1]))
                .hasMessageContaining("dimensions");
        assertThatThrownBy(() -> w.addTensor("q", GgmlType.Q4_0, new long[] {10}, TensorData.raw(new byte[0])))
                .hasMessageContaining("block size 32");
        assertThatThrownBy(() -> w.addTensorF32("n", new long[] {2, 2}, new float[3]))
                .hasMessageContaining("4 elements")
                .hasMessageContaining("3 values");
        w.addTensorF32("t", new long[] {1}, new float[1]);
        assertThatThrownBy(() -> w.addTensorF32("t", new long[] {1}, new float[1]))
                .hasMessageContaining("duplicate tensor 't'");
        assertThatThrownBy(() -> GgufValue.uint8(256)).hasMessageContaining("out of range for u8");
        assertThatThrownBy(() -> GgufValue.uint32(-1)).hasMessageContaining("out of range for u32");
        assertThatThrownBy(() -> new GgufWriter(dir.resolve("y"), 48)).hasMessageContaining("power of two");
    }

    @Test
    void writerCanBeUsedOnce() throws IOException {
        GgufWriter w = new GgufWriter(dir.resolve("once.gguf")).putU32("k", 1);
        w.write();
        assertThatThrownBy(w::write).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> w.putU32("j", 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readsVersion2Files() throws IOException {
        byte[] v2 = GgufBytes.header(2, 0, 1).kvU32("a", 7).bytes();

        GgufFile f = GgufReader.read("v2.gguf", v2);

        assertThat(f.version()).isEqualTo(2);
        assertThat(f.getU32("a")).isEqualTo(7);
    }

    private static float[] floats(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.length / 4];
        buf.asFloatBuffer().get(out);
        return out;
    }

    private static short[] shorts(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        short[] out = new short[b.length / 2];
        buf.asShortBuffer().get(out);
        return out;
    }
}
