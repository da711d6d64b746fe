package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.internal.gguf.Float16;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.tools.convert.PlannedTensor.Role;
import io.safetyguard.llamacpp.tools.gguf.TensorSink;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorStreamerTest {
    @TempDir
    Path dir;

    /** Collects what a tensor writes. */
    private static final class Bytes implements TensorSink {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        @Override
        public void putF32(float value) {
            throw new AssertionError("the streamer writes whole chunks");
        }

        @Override
        public void putF16(float value) {
            throw new AssertionError("the streamer writes whole chunks");
        }

        @Override
        public void putBytes(byte[] bytes, int offset, int length) {
            out.write(bytes, offset, length);
        }

        short[] shorts() {
            ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            short[] s = new short[b.remaining() / 2];
            for (int i = 0; i < s.length; i++) {
                s[i] = b.getShort();
            }
            return s;
        }

        float[] floats() {
            ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            float[] f = new float[b.remaining() / 4];
            for (int i = 0; i < f.length; i++) {
                f[i] = b.getFloat();
            }
            return f;
        }
    }

    private Bytes stream(SafetensorsWriter w, String name, GgmlType type, int ropeHeadDim, AtomicLong read)
            throws Exception {
        Path f = dir.resolve("model.safetensors");
        w.write(f);
        try (CheckpointTensors t = CheckpointTensors.open(dir)) {
            SafetensorsTensor src = t.find(name).orElseThrow();
            long[] ne = new long[src.shape().length];
            for (int i = 0; i < ne.length; i++) {
                ne[i] = src.shape()[ne.length - 1 - i];
            }
            Bytes sink = new Bytes();
            new TensorStreamer(t, read::addAndGet)
                    .data(new PlannedTensor(name, Role.MATRIX, ne, src, ropeHeadDim), type)
                    .writeTo(sink);
            return sink;
        }
    }

    @Test
    void bf16BecomesF16RoundedToNearestEven() throws Exception {
        // normal BF16 values are exact in F16; values below F16's normal range round (to subnormals or zero)
        float[] values = {1f, -2.5f, 0.0078125f, 3.0517578e-5f, 1.0e-7f, 6.0e-8f, 2.9802322e-8f, 0f};
        AtomicLong read = new AtomicLong();
        Bytes out = stream(new SafetensorsWriter().bf16("w", new long[] {2, 4}, values), "w", GgmlType.F16, 0, read);
        short[] h = out.shorts();
        assertThat(h).hasSize(values.length);
        for (int i = 0; i < values.length; i++) {
            float bf16 = Float.intBitsToFloat(Float.floatToRawIntBits(values[i]) & 0xffff0000);
            assertThat(h[i]).as("element %d (%s)", i, bf16).isEqualTo(Float16.fromFloat(bf16));
        }
        assertThat(Float16.toFloat(h[0])).isEqualTo(1f);
        assertThat(Float16.toFloat(h[1])).isEqualTo(-2.5f);
        // 2^-25 lies exactly halfway between 0 and the smallest subnormal 2^-24: ties to even, i.e. zero
        assertThat(h[6]).isEqualTo((short) 0);
        assertThat(read.get()).isEqualTo(2L * values.length);
    }

    @Test
    void f32BecomesF16WithTiesToEven() throws Exception {
        float ulp = (float) Math.pow(2, -10); // F16 spacing at 1
        float[] values = {1 + ulp / 2, 1 + 3 * ulp / 2, 1 + ulp / 4, 65504f};
        Bytes out = stream(
                new SafetensorsWriter().f32("w", new long[] {4}, values), "w", GgmlType.F16, 0, new AtomicLong());
        short[] h = out.shorts();
        assertThat(Float16.toFloat(h[0])).isEqualTo(1f); // tie, down to even
        assertThat(Float16.toFloat(h[1])).isEqualTo(1 + 2 * ulp); // tie, up to even
        assertThat(Float16.toFloat(h[2])).isEqualTo(1f);
        assertThat(Float16.toFloat(h[3])).isEqualTo(65504f);
    }

    @Test
    void valuesBeyondF16AreRefusedNamingTheTensor() {
        assertThatThrownBy(() -> stream(
                        new SafetensorsWriter().bf16("big.weight", new long[] {2}, 1f, 131072f),
                        "big.weight",
                        GgmlType.F16,
                        0,
                        new AtomicLong()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'big.weight'")
                .hasMessageContaining("F16 range");
    }

    @Test
    void f32AndBf16OutputsKeepTheValues() throws Exception {
        float[] values = {1.5f, -0.25f, 3.0f};
        Bytes f32 = stream(
                new SafetensorsWriter().bf16("w", new long[] {3}, values), "w", GgmlType.F32, 0, new AtomicLong());
        assertThat(f32.floats()).containsExactly(values);
        Bytes bf16 = stream(
                new SafetensorsWriter().f32("w", new long[] {3}, values), "w", GgmlType.BF16, 0, new AtomicLong());
        short[] b = bf16.shorts();
        for (int i = 0; i < values.length; i++) {
            assertThat(Float.intBitsToFloat((b[i] & 0xffff) << 16)).isEqualTo(values[i]);
        }
        assertThat(TensorStreamer.toBf16(1 + (float) Math.pow(2, -8))).isEqualTo((short) 0x3f80); // tie to even
        assertThat(TensorStreamer.toBf16(1 + 3 * (float) Math.pow(2, -8))).isEqualTo((short) 0x3f82);
    }

    @Test
    void ropeRowsArePermutedPerHead() throws Exception {
        // 2 heads of 4 rows, 3 columns; row r holds r*10 + column
        float[] values = new float[8 * 3];
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 3; c++) {
                values[r * 3 + c] = r * 10 + c;
            }
        }
        Bytes out = stream(
                new SafetensorsWriter().f32("q", new long[] {8, 3}, values), "q", GgmlType.F32, 4, new AtomicLong());
        float[] f = out.floats();
        int[] expectedRows = {0, 2, 1, 3, 4, 6, 5, 7};
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 3; c++) {
                assertThat(f[r * 3 + c]).isEqualTo(expectedRows[r] * 10 + c);
            }
        }
    }
}
