package io.safetyguard.llamacpp.tools.tiny;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte layout of {@link SafetensorsWriter}'s files, checked against hand-computed bytes. */
class SafetensorsWriterTest {
    @TempDir
    Path dir;

    @Test
    void mixedDtypesAreOrderedAsTheRustLibraryOrdersThemAndTheHeaderIsSpacePadded() throws IOException {
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter(file)
                .add("b", SafetensorsDtype.F16, new long[] {2}, SafetensorsData.of(new float[] {1f, -2f}))
                .add("a", SafetensorsDtype.F16, new long[] {1}, SafetensorsData.of(new float[] {0.5f}))
                .add("z", SafetensorsDtype.F32, new long[] {}, SafetensorsData.of(new float[] {3f}))
                .add("m", SafetensorsDtype.BF16, new long[] {1, 1}, SafetensorsData.of(new float[] {1.00390625f}))
                .write();

        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"m\":{\"dtype\":\"BF16\",\"shape\":[1,1],\"data_offsets\":[4,6]},"
                + "\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[6,8]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]}}";
        assertThat(n % 8).isZero();
        assertThat(header).isEqualTo(json + " ".repeat((int) n - json.length()));
        b.position(8 + (int) n);
        assertThat(b.getFloat()).isEqualTo(3f);
        assertThat(b.getShort()).isEqualTo((short) 0x3F80); // 1.00390625 rounds to even: bf16 1.0
        assertThat(b.getShort()).isEqualTo((short) 0x3800); // f16 0.5
        assertThat(b.getShort()).isEqualTo((short) 0x3C00); // f16 1
        assertThat(b.getShort()).isEqualTo((short) 0xC000); // f16 -2
        assertThat(b.remaining()).isZero();
    }

    @Test
    void aTensorWithTooFewElementsFailsAndLeavesNoFile() {
        Path file = dir.resolve("bad.safetensors");
        SafetensorsWriter w = new SafetensorsWriter(file)
                .add("x", SafetensorsDtype.BF16, new long[] {3}, SafetensorsData.of(new float[] {1f, 2f}));
        assertThatThrownBy(w::write).isInstanceOf(IllegalStateException.class).hasMessageContaining("x");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void duplicateNamesAreRejected() {
        SafetensorsWriter w = new SafetensorsWriter(dir.resolve("d.safetensors"))
                .add("x", SafetensorsDtype.F32, new long[] {1}, SafetensorsData.of(new float[] {1f}));
        assertThatThrownBy(() -> w.add("x", SafetensorsDtype.F32, new long[] {1}, SafetensorsData.of(new float[] {1f})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate tensor x");
    }
}
