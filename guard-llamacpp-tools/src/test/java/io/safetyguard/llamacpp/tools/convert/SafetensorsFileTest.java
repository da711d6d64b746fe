package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    @Test
    void readsDtypeShapeAndAbsoluteOffsetsAndSkipsMetadata() throws Exception {
        Path f = dir.resolve("model.safetensors");
        new SafetensorsWriter()
                .f32("a", new long[] {2, 3}, 1, 2, 3, 4, 5, 6)
                .bf16("b", new long[] {4}, 1, 2, 3, 4)
                .write(f);
        SafetensorsFile s = SafetensorsFile.open(f);
        assertThat(s.tensors()).containsOnlyKeys("a", "b");
        SafetensorsTensor a = s.tensors().get("a");
        SafetensorsTensor b = s.tensors().get("b");
        assertThat(a.dtype()).contains(SafetensorsDType.F32);
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.byteLength()).isEqualTo(24);
        assertThat(b.dtype()).contains(SafetensorsDType.BF16);
        assertThat(b.dataStart()).isEqualTo(a.dataStart() + 24);
        assertThat(b.dataStart() + b.byteLength()).isEqualTo(Files.size(f));
    }

    @Test
    void truncatedFileNamesTheTensorThatRunsPastTheEnd() throws Exception {
        Path f = dir.resolve("model.safetensors");
        new SafetensorsWriter()
                .f32("first", new long[] {2}, 1, 2)
                .f32("last", new long[] {4}, 1, 2, 3, 4)
                .write(f);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 5));
        assertThatThrownBy(() -> SafetensorsFile.open(f))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'last'")
                .hasMessageContaining("truncated");
    }

    @Test
    void headerLongerThanTheFileIsRefused() throws Exception {
        Path f = dir.resolve("model.safetensors");
        SafetensorsWriter.writeRaw(f, 1000, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertThatThrownBy(() -> SafetensorsFile.open(f))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("header claims 1000 bytes")
                .hasMessageContaining("model.safetensors");
    }

    @Test
    void fileShorterThanTheLengthFieldIsRefused() throws Exception {
        Path f = dir.resolve("model.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(f))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("3 bytes");
    }

    @Test
    void overlappingRangesAreRefused() throws Exception {
        Path f = dir.resolve("model.safetensors");
        SafetensorsWriter.writeRaw(
                f,
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                new byte[12]);
        assertThatThrownBy(() -> SafetensorsFile.open(f))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'x'")
                .hasMessageContaining("'y'")
                .hasMessageContaining("overlap");
    }

    @Test
    void shapeThatDoesNotFitTheByteRangeIsRefused() throws Exception {
        Path f = dir.resolve("model.safetensors");
        SafetensorsWriter.writeRaw(
                f, "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3,2],\"data_offsets\":[0,8]}}", new byte[8]);
        assertThatThrownBy(() -> SafetensorsFile.open(f))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'w'")
                .hasMessageContaining("[3, 2]")
                .hasMessageContaining("12 bytes")
                .hasMessageContaining("span 8 bytes");
    }

    @Test
    void headerThatIsNotJsonIsRefused() throws Exception {
        Path f = dir.resolve("model.safetensors");
        SafetensorsWriter.writeRaw(f, "not json at all", new byte[0]);
        assertThatThrownBy(() -> SafetensorsFile.open(f))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void unsupportedDtypesAreReadButHaveNoConverterType() throws Exception {
        Path f = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("ids", "I64", new long[] {2}, new byte[16]).write(f);
        SafetensorsTensor ids = SafetensorsFile.open(f).tensors().get("ids");
        assertThat(ids.dtypeName()).isEqualTo("I64");
        assertThat(ids.dtype()).isEmpty();
    }
}
