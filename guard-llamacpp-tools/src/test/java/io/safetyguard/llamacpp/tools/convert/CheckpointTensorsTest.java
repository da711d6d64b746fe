package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTensorsTest {
    @TempDir
    Path dir;

    private void writeShards() throws Exception {
        new SafetensorsWriter().f32("a", new long[] {2}, 1, 2).write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter()
                .f32("b", new long[] {3}, 3, 4, 5)
                .write(dir.resolve("model-00002-of-00002.safetensors"));
    }

    private void writeIndex(String json) throws Exception {
        Files.writeString(dir.resolve(CheckpointTensors.INDEX_FILE), json);
    }

    @Test
    void readsShardedCheckpointThroughTheIndex() throws Exception {
        writeShards();
        writeIndex("{\"metadata\":{},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00002-of-00002.safetensors\"}}");
        try (CheckpointTensors t = CheckpointTensors.open(dir)) {
            assertThat(t.all()).containsOnlyKeys("a", "b");
            ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            t.read(t.find("b").orElseThrow(), 4, buf);
            buf.flip();
            assertThat(buf.getFloat()).isEqualTo(4f);
            assertThat(buf.getFloat()).isEqualTo(5f);
        }
    }

    @Test
    void missingShardIsNamed() throws Exception {
        writeShards();
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        writeIndex("{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00002-of-00002.safetensors\"}}");
        assertThatThrownBy(() -> CheckpointTensors.open(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("missing shard model-00002-of-00002.safetensors (1 tensors)");
    }

    @Test
    void indexNamingATensorItsShardLacksIsRefused() throws Exception {
        writeShards();
        writeIndex("{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00001-of-00002.safetensors\"}}");
        assertThatThrownBy(() -> CheckpointTensors.open(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'b'")
                .hasMessageContaining("model-00001-of-00002.safetensors")
                .hasMessageContaining("no such tensor");
    }

    @Test
    void shardsWithoutIndexAskForTheIndex() throws Exception {
        writeShards();
        assertThatThrownBy(() -> CheckpointTensors.open(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(CheckpointTensors.INDEX_FILE);
    }

    @Test
    void folderWithoutWeightsSaysWhatItFound() throws Exception {
        Files.write(dir.resolve("pytorch_model.bin"), new byte[4]);
        assertThatThrownBy(() -> CheckpointTensors.open(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("pytorch_model.bin")
                .hasMessageContaining("model.safetensors");
    }
}
